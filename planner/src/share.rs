//! The grid configuration as a short, readable URL query, and back.
//!
//! `?v=1&m=Qwen/Qwen2.5-0.5B,meta-llama/Llama-2-7b-hf&g=rtx-4090-24gb&q=fp16,awq&ctx=4096&n=4&kv=fp8&e=vllm`
//!
//! Decoding is lenient: links outlive catalogue edits and get mangled in chat tools, so every
//! bad or unknown value falls back to that field's default and is reported as an [`Ignored`]
//! item naming the field. Decoding never fails and never panics.

use crate::catalog::custom::CustomModel;
use crate::catalog::price::UsdPerHour;
use crate::catalog::Catalog;
use crate::engines::Engine;
use crate::grid::{GridConfig, Mode, Sort, Theme, MAX_CELLS};
use crate::inert;
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::plan::colocate::Member;
use crate::plan::Thresholds;
use crate::units::Unit;

/// Schema version written into every link.
pub const SCHEMA_VERSION: u32 = 1;
/// Largest context accepted from a link.
pub const MAX_CONTEXT: u64 = 10_000_000;
/// Largest concurrency accepted from a link.
pub const MAX_CONCURRENCY: u64 = 100_000;
/// Longest query read from a link, in bytes. 32 custom models travel in about 50 KB; the rest
/// of a longer link is cut at the last whole parameter and named in a notice.
pub const MAX_QUERY_BYTES: usize = 128 * 1024;
/// Most custom models one link may carry.
pub const MAX_CUSTOM_MODELS: usize = 32;
/// Most custom GPUs one link may carry.
pub const MAX_CUSTOM_GPUS: usize = 32;
/// Most notices one link produces; the rest are counted in a last one.
pub const MAX_NOTICES: usize = 20;

/// A query parameter that was not used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignored {
    /// The query key, e.g. `ctx` (clipped and escaped); empty for a notice about the whole
    /// link (its length, too many problems, many unknown parameters).
    pub field: String,
    /// The value as it arrived (clipped and escaped, see [`inert::echo`]), shown as text only.
    pub value: String,
    /// What was done instead.
    pub reason: String,
}

impl Ignored {
    fn new(field: &str, value: &str, reason: String) -> Self {
        Ignored {
            field: inert::echo(field, 24),
            value: inert::echo(value, 80),
            // Reasons may quote what arrived (a member's model id); inert like the rest.
            reason: inert::escape(&reason),
        }
    }
}

impl std::fmt::Display for Ignored {
    /// The notice as one sentence: what the page shows and `fitgrid grid` prints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.reason)?;
            if !self.value.is_empty() {
                write!(f, ": {}", self.value)?;
            }
            Ok(())
        } else {
            write!(
                f,
                "Link parameter {} ({}) = “{}”: {}",
                self.field,
                field_name(&self.field),
                self.value,
                self.reason
            )
        }
    }
}

/// Human name of a query key, for notices.
pub fn field_name(key: &str) -> &'static str {
    match key {
        "m" => "models",
        "g" => "GPUs",
        "q" => "weight formats",
        "ctx" => "context length",
        "n" => "concurrency",
        "kv" => "KV-cache dtype",
        "e" => "engine",
        "tp" => "tensor parallel",
        "util" => "GPU memory utilization",
        "bands" => "band thresholds",
        "mode" => "grid mode",
        "sort" => "sort order",
        "u" => "units",
        "theme" => "theme",
        "embed" => "embed",
        "cell" => "selected cell",
        "cm" => "custom model",
        "cg" => "custom GPU",
        "pr" => "GPU prices",
        "co" => "co-located model",
        "cog" => "co-location GPU",
        "v" => "link version",
        _ => "unknown parameter",
    }
}

fn list(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(",")
}

impl GridConfig {
    /// Encodes to a query string without the leading `?`.
    pub fn to_query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("v", &SCHEMA_VERSION.to_string());
        s.append_pair("m", &list(self.models.iter().cloned()));
        s.append_pair("g", &list(self.gpus.iter().cloned()));
        s.append_pair("q", &list(self.formats.iter().map(|f| f.id().to_string())));
        s.append_pair("ctx", &self.context.to_string());
        s.append_pair("n", &self.concurrency.to_string());
        s.append_pair("kv", self.kv_dtype.id());
        s.append_pair("e", self.engine.id());
        s.append_pair("tp", &self.tensor_parallel.to_string());
        s.append_pair("util", &self.gpu_util_pct.to_string());
        // View settings only when they differ from the default, to keep links short.
        let d = GridConfig::default();
        if self.thresholds != d.thresholds {
            let t = self.thresholds;
            s.append_pair(
                "bands",
                &format!("{},{},{}", t.caution, t.warning, t.critical),
            );
        }
        if self.mode != d.mode {
            s.append_pair("mode", self.mode.id());
        }
        if self.sort != d.sort {
            s.append_pair("sort", self.sort.id());
        }
        if self.unit != d.unit {
            s.append_pair("u", "gb");
        }
        if self.theme != d.theme {
            s.append_pair("theme", self.theme.id());
        }
        if self.embed {
            s.append_pair("embed", "1");
        }
        for m in &self.custom_models {
            s.append_pair("cm", &m.to_link());
        }
        for g in &self.custom_gpus {
            s.append_pair("cg", &crate::catalog::custom::gpu_to_link(g));
        }
        if !self.prices.is_empty() {
            s.append_pair(
                "pr",
                &list(
                    self.prices
                        .iter()
                        .map(|(g, p)| format!("{g}:{}", p.dollars())),
                ),
            );
        }
        if !self.colo.is_empty() || self.colo_gpu != d.colo_gpu {
            s.append_pair("cog", &self.colo_gpu);
        }
        for m in &self.colo {
            s.append_pair("co", &member_to_link(m));
        }
        if let Some((m, f, g)) = &self.selected {
            s.append_pair("cell", &format!("{m}~{}~{g}", f.id()));
        }
        // Keep ids readable: '/' and ',' need no escaping inside a query value.
        s.finish()
            .replace("%2F", "/")
            .replace("%2C", ",")
            .replace("%7E", "~")
            .replace("%3A", ":")
    }

    /// Decodes a query (with or without the leading `?`). Never fails: every unusable
    /// value is replaced by its default and listed.
    pub fn from_query(query: &str, catalog: &Catalog) -> (GridConfig, Vec<Ignored>) {
        let defaults = GridConfig::default();
        let mut cfg = defaults.clone();
        let mut ignored = Vec::new();
        let query = query.strip_prefix('?').unwrap_or(query);
        let query = match cut_query(query) {
            Some(cut) => {
                ignored.push(Ignored {
                    field: String::new(),
                    value: String::new(),
                    reason: format!(
                        "This link is {} KB long; Fitgrid reads its first {} KB and left out the rest",
                        query.len().div_ceil(1024),
                        MAX_QUERY_BYTES / 1024
                    ),
                });
                cut
            }
            None => query,
        };
        let mut note = |field: &str, value: &str, reason: String| {
            ignored.push(Ignored::new(field, value, reason))
        };
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        // Custom entries first: `m`, `g` and `cell` may name them.
        let (mut extra_models, mut extra_gpus) = (0, 0);
        for (key, value) in &pairs {
            match key.as_str() {
                "cm" if cfg.custom_models.len() >= MAX_CUSTOM_MODELS => extra_models += 1,
                "cm" => match CustomModel::from_link(value) {
                    Ok(m) if !cfg.custom_models.iter().any(|c| c.model.id == m.model.id) => {
                        cfg.custom_models.push(m)
                    }
                    Ok(_) => {}
                    Err(e) => note(key, value, format!("{e}; left out")),
                },
                "cg" if cfg.custom_gpus.len() >= MAX_CUSTOM_GPUS => extra_gpus += 1,
                "cg" => match crate::catalog::custom::gpu_from_link(value) {
                    Ok((g, dropped)) => {
                        if let Some(why) = dropped {
                            note(key, value, format!("{why}; the GPU {} was added", g.name));
                        }
                        if !cfg.custom_gpus.iter().any(|c| c.id == g.id) {
                            cfg.custom_gpus.push(g)
                        }
                    }
                    Err(why) => note(key, value, format!("{why}; left out")),
                },
                _ => {}
            }
        }
        for (key, extra, max) in [
            ("cm", extra_models, MAX_CUSTOM_MODELS),
            ("cg", extra_gpus, MAX_CUSTOM_GPUS),
        ] {
            if extra > 0 {
                note(
                    key,
                    &format!("{extra} more"),
                    format!("a link carries at most {max} of these; the first {max} were read and {extra} left out"),
                );
            }
        }
        let mut unknown: Vec<(&str, &str)> = Vec::new();
        let lookup = cfg.clone();
        for (key, value) in &pairs {
            let (key, value) = (key.as_str(), value.trim());
            match key {
                "cm" | "cg" => {}
                "pr" => {
                    let mut bad = Vec::new();
                    for item in value.split(',').filter(|i| !i.trim().is_empty()) {
                        // rsplit: custom GPU ids contain ':' themselves.
                        let parsed = item.rsplit_once(':').and_then(|(g, p)| {
                            let gpu = lookup.find_gpu(g.trim(), catalog)?;
                            Some((gpu.id.clone(), UsdPerHour::parse_dollars(p)?))
                        });
                        match parsed {
                            Some((g, p)) => {
                                cfg.prices.retain(|(x, _)| *x != g);
                                cfg.prices.push((g, p));
                            }
                            None => bad.push(item),
                        }
                    }
                    if !bad.is_empty() {
                        note(
                            key,
                            &bad.join(","),
                            "must be gpu-id:dollars per hour, e.g. h100-sxm-80gb:2.49; catalogue price kept".into(),
                        );
                    }
                }
                "cog" => match lookup.find_gpu(value, catalog) {
                    Some(g) => cfg.colo_gpu = g.id.clone(),
                    None => note(
                        key,
                        value,
                        format!("not in the catalogue; using {}", defaults.colo_gpu),
                    ),
                },
                "co" => match member_from_link(value, &lookup, catalog) {
                    Ok(m) if cfg.colo.len() < MAX_COLOCATED => cfg.colo.push(m),
                    Ok(_) => note(
                        key,
                        value,
                        format!("at most {MAX_COLOCATED} co-located models; left out"),
                    ),
                    Err(why) => note(key, value, format!("{why}; left out")),
                },
                "v" => {
                    if value.parse::<u32>().ok() != Some(SCHEMA_VERSION) {
                        note(key, value, format!("read as version {SCHEMA_VERSION}"));
                    }
                }
                "m" => {
                    let (ok, bad) = split_known(value, |id| {
                        lookup.find_model(id, catalog).map(|m| m.id.clone())
                    });
                    if !bad.is_empty() {
                        note(key, &bad.join(","), "not in the catalogue; left out".into());
                    }
                    cfg.models = if ok.is_empty() {
                        defaults.models.clone()
                    } else {
                        ok
                    };
                }
                "g" => {
                    let (ok, bad) = split_known(value, |id| {
                        lookup.find_gpu(id, catalog).map(|g| g.id.clone())
                    });
                    if !bad.is_empty() {
                        note(key, &bad.join(","), "not in the catalogue; left out".into());
                    }
                    cfg.gpus = if ok.is_empty() {
                        defaults.gpus.clone()
                    } else {
                        ok
                    };
                }
                "q" => {
                    let (ok, bad) = split_known(value, WeightFormat::parse);
                    if !bad.is_empty() {
                        note(key, &bad.join(","), "unknown format; left out".into());
                    }
                    cfg.formats = if ok.is_empty() {
                        defaults.formats.clone()
                    } else {
                        ok
                    };
                }
                "ctx" => match parse_count(value, MAX_CONTEXT) {
                    Some(n) => cfg.context = n,
                    None => note(
                        key,
                        value,
                        format!(
                            "must be a whole number from 1 to {MAX_CONTEXT}; using {}",
                            defaults.context
                        ),
                    ),
                },
                "n" => match parse_count(value, MAX_CONCURRENCY) {
                    Some(n) => cfg.concurrency = n,
                    None => note(
                        key,
                        value,
                        format!(
                            "must be a whole number from 1 to {MAX_CONCURRENCY}; using {}",
                            defaults.concurrency
                        ),
                    ),
                },
                "kv" => match KvDtype::parse(value) {
                    Some(k) => cfg.kv_dtype = k,
                    None => note(key, value, "unknown KV-cache dtype; using auto".into()),
                },
                "e" => match Engine::parse(value) {
                    Some(e) => cfg.engine = e,
                    None => note(key, value, "unknown engine; using vLLM".into()),
                },
                "tp" => match parse_count(value, 1024) {
                    Some(n) => cfg.tensor_parallel = n,
                    None => note(
                        key,
                        value,
                        "must be a whole number from 1 to 1024; using 1".into(),
                    ),
                },
                "util" => match parse_count(value, 100).filter(|&p| p >= 10) {
                    Some(n) => cfg.gpu_util_pct = n,
                    None => note(
                        key,
                        value,
                        "must be a percentage from 10 to 100; using 90".into(),
                    ),
                },
                "bands" => {
                    // Every part must be a number: "60,abc,75,90" is not "60,75,90".
                    let parts: Option<Vec<u64>> =
                        value.split(',').map(|p| p.trim().parse().ok()).collect();
                    match parts.as_deref() {
                        Some(&[a, b, c]) if Thresholds::new(a, b, c).is_some() => {
                            cfg.thresholds = Thresholds::new(a, b, c).unwrap_or_default()
                        }
                        _ => note(key, value, "must be three increasing percentages below 100, e.g. 60,75,90; using 60,75,90".into()),
                    }
                }
                "mode" => match Mode::parse(value) {
                    Some(m) => cfg.mode = m,
                    None => note(
                        key,
                        value,
                        "must be util, ctx, conc or cost; using util".into(),
                    ),
                },
                "sort" => match Sort::parse(value) {
                    Some(m) => cfg.sort = m,
                    None => note(
                        key,
                        value,
                        "must be chosen, size or fit; using chosen".into(),
                    ),
                },
                "u" => match value.to_ascii_lowercase().as_str() {
                    "gib" => cfg.unit = Unit::GiB,
                    "gb" => cfg.unit = Unit::GB,
                    _ => note(key, value, "must be gib or gb; using gib".into()),
                },
                "theme" => match Theme::parse(value) {
                    Some(t) => cfg.theme = t,
                    None => note(key, value, "must be auto, light or dark; using auto".into()),
                },
                "embed" => match value {
                    "1" | "true" => cfg.embed = true,
                    "0" | "false" => cfg.embed = false,
                    _ => note(key, value, "must be 1 or 0; ignored".into()),
                },
                "cell" => {
                    let parts: Vec<&str> = value.split('~').collect();
                    let found = match parts[..] {
                        [m, f, g] => {
                            match (
                                lookup.find_model(m, catalog),
                                WeightFormat::parse(f),
                                lookup.find_gpu(g, catalog),
                            ) {
                                (Some(m), Some(f), Some(g)) => {
                                    Some((m.id.clone(), f, g.id.clone()))
                                }
                                _ => None,
                            }
                        }
                        _ => None,
                    };
                    match found {
                        Some(sel) => cfg.selected = Some(sel),
                        None => note(
                            key,
                            value,
                            "not a model~format~gpu in the catalogue; no detail opened".into(),
                        ),
                    }
                }
                _ => unknown.push((key, value)),
            }
        }
        match unknown[..] {
            [] => {}
            [(key, value)] => note(key, value, "not a Fitgrid parameter; ignored".into()),
            ref many => {
                let names: Vec<String> = many
                    .iter()
                    .take(5)
                    .map(|(k, _)| inert::echo(k, 24))
                    .collect();
                ignored.push(Ignored {
                    field: String::new(),
                    value: format!(
                        "{}{}",
                        names.join(", "),
                        if many.len() > 5 { ", …" } else { "" }
                    ),
                    reason: format!(
                        "{} link parameters are not Fitgrid parameters and were ignored",
                        many.len()
                    ),
                });
            }
        }
        ignored.extend(cfg.tp_notice(catalog));
        ignored.extend(cfg.cap_cells(catalog));
        if ignored.len() > MAX_NOTICES {
            let more = ignored.len() - (MAX_NOTICES - 1);
            ignored.truncate(MAX_NOTICES - 1);
            ignored.push(Ignored {
                field: String::new(),
                value: String::new(),
                reason: format!("{more} more problems with this link were not listed"),
            });
        }
        (cfg, ignored)
    }

    /// A notice when the tensor-parallel size does not divide the attention heads of some
    /// models on the grid (vLLM and SGLang shard heads evenly, `ensure_divisibility`): those
    /// rows read "unsupported", and the notice says why instead of leaving a wall of grey.
    fn tp_notice(&self, catalog: &Catalog) -> Option<Ignored> {
        let tp = self.tensor_parallel.max(1);
        let odd: Vec<String> = self
            .models
            .iter()
            .filter_map(|id| self.find_model(id, catalog))
            .filter(|m| m.config.num_heads % tp != 0)
            .map(|m| format!("{} ({} heads)", m.name, m.config.num_heads))
            .collect();
        if odd.is_empty() {
            return None;
        }
        Some(Ignored::new(
            "tp",
            &tp.to_string(),
            format!(
                "tensor parallel {tp} does not divide the attention heads of {}{}: the engines split heads evenly across GPUs, so those rows read unsupported",
                odd.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
                if odd.len() > 3 { format!(" and {} more", odd.len() - 3) } else { String::new() }
            ),
        ))
    }

    /// Keeps the grid within [`MAX_CELLS`]: models past the cap are left out, named in the
    /// notice (a grid of millions of cells would stall or exhaust the page).
    fn cap_cells(&mut self, catalog: &Catalog) -> Option<Ignored> {
        let keep = self.models_within_cap(catalog);
        if keep >= self.models.len() {
            return None;
        }
        let dropped = self.models.split_off(keep);
        Some(Ignored::new(
            "m",
            &dropped.join(","),
            format!(
                "the grid would have more than {} cells; the first {keep} models were kept and {} left out",
                crate::grid::group_digits(MAX_CELLS as u64),
                dropped.len()
            ),
        ))
    }
}

/// Most models one co-located set may hold (a link stays short, the panel fits a screen).
pub const MAX_COLOCATED: usize = 8;

/// `model~format~engine~ctx~n~kv~pct`: one co-located member in a link.
pub fn member_to_link(m: &Member) -> String {
    format!(
        "{}~{}~{}~{}~{}~{}~{}",
        m.model_id,
        m.format.id(),
        m.engine.id(),
        m.context,
        m.concurrency,
        m.kv_dtype.id(),
        m.fraction_pct
    )
}

/// Reads [`member_to_link`]'s form; the error says which part is wrong.
pub fn member_from_link(s: &str, lookup: &GridConfig, catalog: &Catalog) -> Result<Member, String> {
    let parts: Vec<&str> = s.split('~').map(str::trim).collect();
    let [model, format, engine, ctx, n, kv, pct] = parts[..] else {
        return Err("must be model~format~engine~context~concurrency~kv~percent".into());
    };
    let model = lookup
        .find_model(model, catalog)
        .ok_or_else(|| format!("model `{}` is not in the catalogue", inert::clip(model, 60)))?;
    Ok(Member {
        model_id: model.id.clone(),
        format: WeightFormat::parse(format).ok_or("unknown weight format")?,
        engine: Engine::parse(engine).ok_or("unknown engine")?,
        context: parse_count(ctx, MAX_CONTEXT).ok_or("context must be 1 to 10,000,000")?,
        concurrency: parse_count(n, MAX_CONCURRENCY).ok_or("concurrency must be 1 to 100,000")?,
        kv_dtype: KvDtype::parse(kv).ok_or("unknown KV-cache dtype")?,
        fraction_pct: parse_count(pct, 100)
            .filter(|&p| p >= 5)
            .ok_or("memory fraction must be 5 to 100 %")?,
    })
}

/// The query cut at the last whole parameter before [`MAX_QUERY_BYTES`], or `None` when it is
/// short enough.
fn cut_query(query: &str) -> Option<&str> {
    if query.len() <= MAX_QUERY_BYTES {
        return None;
    }
    let mut end = MAX_QUERY_BYTES;
    while !query.is_char_boundary(end) {
        end -= 1;
    }
    let head = &query[..end];
    Some(head.rfind('&').map_or(head, |i| &head[..i]))
}

fn parse_count(s: &str, max: u64) -> Option<u64> {
    let n: u64 = s.replace('_', "").parse().ok()?;
    (1..=max).contains(&n).then_some(n)
}

/// Splits a comma list into resolved items (deduplicated, order kept) and unknown ones.
fn split_known<T: PartialEq>(
    value: &str,
    resolve: impl Fn(&str) -> Option<T>,
) -> (Vec<T>, Vec<String>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match resolve(item) {
            Some(t) if !ok.contains(&t) => ok.push(t),
            Some(_) => {}
            None => bad.push(item.to_string()),
        }
    }
    (ok, bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::catalog::price::UsdPerHour;
    use crate::plan::colocate::Member;

    #[test]
    fn default_round_trips() {
        let c = GridConfig::default();
        let q = c.to_query();
        assert!(q.starts_with("v=1&m=Qwen/Qwen2.5-0.5B,meta-llama/"), "{q}");
        assert_eq!(GridConfig::from_query(&q, catalog()), (c, vec![]));
    }

    #[test]
    fn edited_config_round_trips() {
        let c = GridConfig {
            models: vec!["meta-llama/Llama-2-13b-hf".into()],
            gpus: vec!["h100-sxm-80gb".into(), "l40-48gb".into()],
            formats: vec![WeightFormat::Q4KM, WeightFormat::Fp8],
            engine: Engine::LlamaCpp,
            context: 32_768,
            concurrency: 7,
            kv_dtype: KvDtype::Q8_0,
            tensor_parallel: 4,
            gpu_util_pct: 85,
            thresholds: Thresholds::new(50, 70, 85).unwrap(),
            mode: Mode::MaxContext,
            sort: Sort::Fit,
            unit: Unit::GB,
            theme: Theme::Dark,
            embed: true,
            selected: Some((
                "meta-llama/Llama-2-13b-hf".into(),
                WeightFormat::Q4KM,
                "l40-48gb".into(),
            )),
            custom_models: Vec::new(),
            custom_gpus: Vec::new(),
            prices: vec![
                ("l40-48gb".into(), UsdPerHour(9_900)),
                ("h100-sxm-80gb".into(), UsdPerHour(24_390)),
            ],
            colo_gpu: "a100-sxm4-80gb".into(),
            colo: vec![
                Member {
                    fraction_pct: 60,
                    ..Member::new("Qwen/Qwen2.5-Coder-32B-Instruct", WeightFormat::Awq)
                },
                Member {
                    engine: Engine::LlamaCpp,
                    context: 8192,
                    concurrency: 2,
                    kv_dtype: KvDtype::Q8_0,
                    ..Member::new("mistralai/Mistral-7B-v0.1", WeightFormat::Q4KM)
                },
            ],
        };
        let q = format!("?{}", c.to_query());
        assert!(q.contains("&pr=l40-48gb:0.99,h100-sxm-80gb:2.439&"), "{q}");
        assert!(
            q.contains("&co=Qwen/Qwen2.5-Coder-32B-Instruct~awq~vllm~4096~1~auto~60&"),
            "{q}"
        );
        assert_eq!(GridConfig::from_query(&q, catalog()), (c, vec![]));
    }

    #[test]
    fn mangled_prices_and_members_are_named_and_left_out() {
        let (c, ignored) = GridConfig::from_query(
            "pr=l40-48gb:abc,nope:1,a40-48gb:0.5&co=nobody/x~awq~vllm~1~1~auto~50\
             &co=mistralai/Mistral-7B-v0.1~awq~vllm~4096~1~auto~3&cog=zzz",
            catalog(),
        );
        assert_eq!(c.prices, vec![("a40-48gb".to_string(), UsdPerHour(5_000))]);
        assert!(c.colo.is_empty());
        assert_eq!(c.colo_gpu, GridConfig::default().colo_gpu);
        let fields: Vec<_> = ignored.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["pr", "co", "co", "cog"]);
        assert!(ignored[0].value.contains("l40-48gb:abc") && ignored[0].value.contains("nope:1"));
        assert!(ignored[2].reason.contains("5 to 100"));
    }

    #[test]
    fn mangled_values_fall_back_per_field_and_are_named() {
        let (c, ignored) = GridConfig::from_query(
            "ctx=12abc&n=0&kv=fp7&e=tgi&m=nope/model,meta-llama/Llama-2-7b-hf&zzz=1&q=",
            catalog(),
        );
        let d = GridConfig::default();
        assert_eq!(c.context, d.context);
        assert_eq!(c.concurrency, d.concurrency);
        assert_eq!(c.kv_dtype, d.kv_dtype);
        assert_eq!(c.engine, d.engine);
        assert_eq!(c.models, vec!["meta-llama/Llama-2-7b-hf".to_string()]);
        assert_eq!(
            c.formats, d.formats,
            "an empty list falls back to the default"
        );
        let fields: Vec<_> = ignored.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["ctx", "n", "kv", "e", "m", "zzz"]);
        assert_eq!(ignored[4].value, "nope/model");
    }

    #[test]
    fn links_written_before_the_view_settings_still_open() {
        // A version-1 link from before modes, sort, themes and bands existed.
        let old = "v=1&m=Qwen/Qwen2.5-0.5B&g=l4-24gb&q=fp16&ctx=4096&n=2&kv=auto&e=vllm";
        let (c, ignored) = GridConfig::from_query(old, catalog());
        assert!(ignored.is_empty(), "{ignored:?}");
        assert_eq!(c.mode, Mode::Utilization);
        assert_eq!(c.thresholds, Thresholds::default());
        assert_eq!((c.context, c.concurrency, c.tensor_parallel), (4096, 2, 1));
    }

    #[test]
    fn custom_models_and_gpus_travel_in_the_link() {
        let qwen = r#"{"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":896,
            "intermediate_size":4864,"max_position_embeddings":32768,"num_attention_heads":14,
            "num_hidden_layers":24,"num_key_value_heads":2,"vocab_size":151936}"#;
        let m = CustomModel::from_config_text(qwen, Some("Team tune"), None).unwrap();
        let g = crate::catalog::custom::custom_gpu("Lab card", 40_960, None).unwrap();
        let mut c = GridConfig::default();
        c.models.push(m.model.id.clone());
        c.gpus.push(g.id.clone());
        c.selected = Some((m.model.id.clone(), WeightFormat::Fp16, g.id.clone()));
        c.custom_models.push(m);
        c.custom_gpus.push(g);
        let (back, ignored) = GridConfig::from_query(&c.to_query(), catalog());
        assert!(ignored.is_empty(), "{ignored:?}");
        assert_eq!(back, c);
        let grid = crate::grid::evaluate(&back, catalog());
        assert!(grid.rows.iter().any(|r| r.model_id == "custom:team-tune"));
        assert!(grid.columns.iter().any(|col| col.id == "custom:lab-card"));
    }

    #[test]
    fn a_broken_custom_entry_is_named_and_the_rest_still_opens() {
        let (c, ignored) = GridConfig::from_query("cm=x~%%%&cg=card~lots&ctx=4096", catalog());
        assert_eq!(c.context, 4096);
        let fields: Vec<_> = ignored.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["cm", "cg"]);
    }

    #[test]
    fn every_dropped_or_clamped_value_gets_a_notice() {
        let fields = |q: &str| {
            let (_, ignored) = GridConfig::from_query(q, catalog());
            ignored
        };
        for bw in ["x", "-1", "1e30", "NaN", "12345678901234567890123"] {
            let ignored = fields(&format!("cg=Lab~24576~{bw}&g=custom:lab"));
            assert_eq!(ignored.len(), 1, "{bw}: {ignored:?}");
            assert!(ignored[0].reason.contains("bandwidth"), "{ignored:?}");
            assert!(
                ignored[0].reason.contains("the GPU Lab was added"),
                "{ignored:?}"
            );
        }
        let extra = fields("cg=Lab~24576~1~2~3&g=custom:lab");
        assert!(extra[0].reason.contains("extra parts “2~3”"), "{extra:?}");
        let (c, bands) = GridConfig::from_query("bands=60,abc,75,90", catalog());
        assert_eq!(c.thresholds, Thresholds::default());
        assert_eq!(bands[0].field, "bands");
        let (c, tp) = GridConfig::from_query("m=meta-llama/Llama-2-7b-hf&tp=3", catalog());
        assert_eq!(c.tensor_parallel, 3);
        assert_eq!(tp[0].field, "tp");
        assert!(tp[0].reason.contains("(32 heads)"), "{tp:?}");
    }

    #[test]
    fn unknown_names_are_clipped_and_many_are_summarised() {
        let long = "k".repeat(100_000);
        let (_, one) = GridConfig::from_query(&format!("{long}=1"), catalog());
        assert_eq!(one.len(), 1);
        assert!(one[0].to_string().len() < 300, "{}", one[0]);
        let many: Vec<String> = (0..1000).map(|i| format!("x{i}=1")).collect();
        let (_, ignored) = GridConfig::from_query(&many.join("&"), catalog());
        assert_eq!(ignored.len(), 1, "{ignored:?}");
        assert_eq!(
            ignored[0].to_string(),
            "1000 link parameters are not Fitgrid parameters and were ignored: x0, x1, x2, x3, x4, …"
        );
        let bad: Vec<String> = (0..100).map(|i| format!("ctx=bad{i}")).collect();
        let (_, ignored) = GridConfig::from_query(&bad.join("&"), catalog());
        assert_eq!(ignored.len(), MAX_NOTICES);
        assert!(ignored[MAX_NOTICES - 1]
            .reason
            .starts_with("81 more problems"));
    }

    #[test]
    fn a_huge_link_is_cut_and_its_grid_capped() {
        // 10,000 custom GPUs and 300 custom models at every format: 368 KB asking for tens of
        // millions of cells.
        let model = CustomModel::from_config_text(
            r#"{"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":896,
            "intermediate_size":4864,"max_position_embeddings":32768,"num_attention_heads":14,
            "num_hidden_layers":24,"num_key_value_heads":2,"vocab_size":151936}"#,
            Some("m"),
            None,
        )
        .unwrap();
        let mut q = String::from("q=");
        q.push_str(&list(
            crate::model::weights::ALL_FORMATS
                .iter()
                .map(|f| f.id().to_string()),
        ));
        let gpus: Vec<String> = (0..10_000).map(|i| format!("custom:g{i}")).collect();
        q.push_str(&format!("&g={}", gpus.join(",")));
        let ms: Vec<String> = (0..300).map(|i| format!("custom:m{i}")).collect();
        q.push_str(&format!("&m={}", ms.join(",")));
        for i in 0..10_000 {
            q.push_str(&format!("&cg=g{i}~24576"));
        }
        for i in 0..300 {
            q.push_str(&format!(
                "&cm=m{i}~{}",
                model.to_link().split_once('~').unwrap().1
            ));
        }
        assert!(q.len() > 300_000, "{}", q.len());
        let (c, ignored) = GridConfig::from_query(&q, catalog());
        assert!(c.custom_gpus.len() <= MAX_CUSTOM_GPUS);
        assert!(c.custom_models.len() <= MAX_CUSTOM_MODELS);
        assert!(
            ignored[0].reason.starts_with("This link is"),
            "{:?}",
            ignored[0]
        );
        let grid = crate::grid::evaluate(&c, catalog());
        let cells = grid.rows.len() * grid.columns.len();
        assert!(cells > 0 && cells <= MAX_CELLS, "{cells}");
    }

    #[test]
    fn a_grid_past_the_cell_cap_keeps_its_first_models_and_says_so() {
        let all_models: Vec<String> = catalog().models.iter().map(|m| m.id.clone()).collect();
        let all_gpus: Vec<String> = catalog().gpus.iter().map(|g| g.id.clone()).collect();
        let formats = list(
            crate::model::weights::ALL_FORMATS
                .iter()
                .map(|f| f.id().to_string()),
        );
        let mut gpus = all_gpus.clone();
        let mut q = String::new();
        for i in 0..MAX_CUSTOM_GPUS {
            q.push_str(&format!("cg=G{i}~24576&"));
            gpus.push(format!("custom:g{i}"));
        }
        q.push_str(&format!(
            "m={}&g={}&q={formats}",
            all_models.join(","),
            gpus.join(",")
        ));
        let (c, ignored) = GridConfig::from_query(&q, catalog());
        let per_model = gpus.len() * crate::model::weights::ALL_FORMATS.len();
        assert_eq!(c.models.len(), MAX_CELLS / per_model);
        let cap = ignored.iter().find(|i| i.field == "m").unwrap();
        assert!(cap.reason.contains("more than 60,000 cells"), "{cap:?}");
    }

    #[test]
    fn garbage_never_panics() {
        for q in [
            "%",
            "%%%ZZ",
            "&&&=",
            "m=,,,",
            "ctx=99999999999999999999999",
            "\u{0}=\u{ffff}",
        ] {
            let (c, _) = GridConfig::from_query(q, catalog());
            assert!(!c.models.is_empty() && !c.gpus.is_empty() && !c.formats.is_empty());
        }
    }
}

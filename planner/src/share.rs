//! The grid configuration as a short, readable URL query, and back.
//!
//! `?v=1&m=Qwen/Qwen2.5-0.5B,meta-llama/Llama-2-7b-hf&g=rtx-4090-24gb&q=fp16,awq&ctx=4096&n=4&kv=fp8&e=vllm`
//!
//! Decoding is lenient: links outlive catalogue edits and get mangled in chat tools, so every
//! bad or unknown value falls back to that field's default and is reported as an [`Ignored`]
//! item naming the field. Decoding never fails and never panics.

use crate::catalog::Catalog;
use crate::colocate::Member;
use crate::cost::UsdPerHour;
use crate::custom::CustomModel;
use crate::engine::Engine;
use crate::grid::{GridConfig, Mode, Sort, Theme};
use crate::kv_cache::KvDtype;
use crate::plan::Thresholds;
use crate::units::Unit;
use crate::weights::WeightFormat;

/// Schema version written into every link.
pub const SCHEMA_VERSION: u32 = 1;
/// Largest context accepted from a link.
pub const MAX_CONTEXT: u64 = 10_000_000;
/// Largest concurrency accepted from a link.
pub const MAX_CONCURRENCY: u64 = 100_000;

/// A query parameter that was not used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignored {
    /// The query key, e.g. `ctx`.
    pub field: String,
    /// The value as it arrived (truncated), shown as text only.
    pub value: String,
    /// What was done instead.
    pub reason: String,
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
            s.append_pair("cg", &crate::custom::gpu_to_link(g));
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
        let mut note = |field: &str, value: &str, reason: String| {
            let value: String = value.chars().take(80).collect();
            ignored.push(Ignored {
                field: field.to_string(),
                value,
                reason,
            });
        };
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        // Custom entries first: `m`, `g` and `cell` may name them.
        for (key, value) in &pairs {
            match key.as_str() {
                "cm" => match CustomModel::from_link(value) {
                    Ok(m) if !cfg.custom_models.iter().any(|c| c.model.id == m.model.id) => {
                        cfg.custom_models.push(m)
                    }
                    Ok(_) => {}
                    Err(e) => note(key, value, format!("{e}; left out")),
                },
                "cg" => match crate::custom::gpu_from_link(value) {
                    Some(g) if !cfg.custom_gpus.iter().any(|c| c.id == g.id) => {
                        cfg.custom_gpus.push(g)
                    }
                    Some(_) => {}
                    None => note(
                        key,
                        value,
                        "must be name~MiB[~GB/s] with 256 MiB to 16 TiB; left out".into(),
                    ),
                },
                _ => {}
            }
        }
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
                    let parts: Vec<u64> = value
                        .split(',')
                        .filter_map(|p| p.trim().parse().ok())
                        .collect();
                    match parts[..] {
                        [a, b, c] if Thresholds::new(a, b, c).is_some() => {
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
                _ => note(key, value, "not a Fitgrid parameter; ignored".into()),
            }
        }
        (cfg, ignored)
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
        .ok_or_else(|| format!("model `{model}` is not in the catalogue"))?;
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
    use crate::colocate::Member;
    use crate::cost::UsdPerHour;

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
        let g = crate::custom::custom_gpu("Lab card", 40_960, None).unwrap();
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

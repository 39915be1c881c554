//! The grid configuration as a short, readable URL query, and back.
//!
//! `?v=1&m=Qwen/Qwen2.5-0.5B,meta-llama/Llama-2-7b-hf&g=rtx-4090-24gb&q=fp16,awq&ctx=4096&n=4&kv=fp8&e=vllm`
//!
//! Decoding is lenient: links outlive catalogue edits and get mangled in chat tools, so every
//! bad or unknown value falls back to that field's default and is reported as an [`Ignored`]
//! item naming the field. Decoding never fails and never panics.

use crate::catalog::custom::{CustomModel, MAX_CUSTOM_GPUS, MAX_CUSTOM_MODELS};
use crate::catalog::Catalog;
use crate::grid::{GridConfig, MAX_CELLS};
use crate::inert;

mod decode;
pub mod form;
pub mod limits;
pub mod members;
pub mod notice;

pub use limits::{MAX_NOTICES, MAX_QUERY_BYTES, SCHEMA_VERSION};
pub use members::{member_from_link, member_to_link, MAX_COLOCATED};
pub use notice::{field_name, Ignored};

fn list(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(",")
}

impl GridConfig {
    /// Encodes to a query string without the leading `?`.
    pub fn to_query(&self) -> String {
        let mut s = form::Query::default();
        s.append_pair("v", &SCHEMA_VERSION.to_string());
        s.append_pair("m", &list(self.models.iter().cloned()));
        s.append_pair("g", &list(self.gpus.iter().cloned()));
        s.append_pair("q", &list(self.formats.iter().map(|f| f.id().to_string())));
        s.append_pair("ctx", &self.workload.context.to_string());
        s.append_pair("n", &self.workload.concurrency.to_string());
        s.append_pair("kv", self.workload.kv_dtype.id());
        s.append_pair("e", self.workload.engine.id());
        s.append_pair("tp", &self.workload.tensor_parallel.to_string());
        s.append_pair("util", &self.util_pct().to_string());
        // Engine settings only when set, to keep links short and old links unchanged.
        if let Some(p) = self.mfs_pct() {
            s.append_pair("mfs", &p.to_string());
        }
        if self.workload.vllm_release != Default::default() {
            s.append_pair("vr", self.workload.vllm_release.id());
        }
        if !self.workload.flash_attention {
            s.append_pair("fa", "0");
        }
        if let Some(n) = self.workload.gpu_layers {
            s.append_pair("ngl", &n.to_string());
        }
        if self.workload.cpu_moe_layers > 0 {
            s.append_pair("cmoe", &self.workload.cpu_moe_layers.to_string());
        }
        if let Some(b) = self.workload.system_memory_bytes {
            s.append_pair("ram", &(b >> 30).to_string());
        }
        if let Some(b) = self.workload.system_bandwidth_gbps {
            s.append_pair("rambw", &b.to_string());
        }
        // View settings only when they differ from the default, to keep links short.
        let d = GridConfig::default();
        let (t, dt) = (self.view.thresholds, d.view.thresholds);
        if (t.caution, t.warning, t.critical) != (dt.caution, dt.warning, dt.critical) {
            let t = self.view.thresholds;
            s.append_pair(
                "bands",
                &format!("{},{},{}", t.caution, t.warning, t.critical),
            );
        }
        if self.view.thresholds.speed != d.view.thresholds.speed {
            s.append_pair("tps", &self.view.thresholds.speed.to_string());
        }
        if self.view.mode != d.view.mode {
            s.append_pair("mode", self.view.mode.id());
        }
        if self.view.sort != d.view.sort {
            s.append_pair("sort", self.view.sort.id());
        }
        if self.view.unit != d.view.unit {
            s.append_pair("u", "gb");
        }
        if self.view.theme != d.view.theme {
            s.append_pair("theme", self.view.theme.id());
        }
        if self.view.embed {
            s.append_pair("embed", "1");
        }
        for m in &self.custom_models {
            s.append_pair("cm", &m.to_link());
        }
        for g in &self.custom_gpus {
            s.append_pair("cg", &crate::catalog::custom_gpu::gpu_to_link(g));
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
        if let Some((m, f, g)) = &self.view.selected {
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
        let pairs = form::parse(query);
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
                "cg" => match crate::catalog::custom_gpu::gpu_from_link(value) {
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
            if !decode::apply(&mut cfg, &lookup, &defaults, catalog, key, value, &mut note) {
                unknown.push((key, value));
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
        let tp = self.workload.tensor_parallel.max(1);
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

#[cfg(test)]
mod tests;

//! One decoder per link parameter: each reads its value into the configuration or names
//! what it could not use, and falls back to that field's default.

use super::limits::SCHEMA_VERSION;
use super::members::{member_from_link, MAX_COLOCATED};
use crate::catalog::price::UsdPerHour;
use crate::catalog::Catalog;
use crate::engines::Engine;
use crate::grid::{GridConfig, Mode, Sort, Theme};
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::plan::ranges::Field;
use crate::plan::Thresholds;
use crate::units::Unit;

/// Applies one link parameter to `cfg` (`lookup` resolves the user's own models and GPUs,
/// `defaults` is what an unusable value falls back to);
/// `note` records what could not be used. Returns `false` for a name Fitgrid does not know.
pub(super) fn apply(
    cfg: &mut GridConfig,
    lookup: &GridConfig,
    defaults: &GridConfig,
    catalog: &Catalog,
    key: &str,
    value: &str,
    note: &mut dyn FnMut(&str, &str, String),
) -> bool {
    match key {
        // Read before every other parameter (`m`, `g` and `cell` may name them).
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
        "co" => match member_from_link(value, lookup, catalog) {
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
            // An empty value is an axis the user cleared; only unusable ids fall back.
            cfg.models = if ok.is_empty() && !value.is_empty() {
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
            // An empty value is an axis the user cleared; only unusable ids fall back.
            cfg.gpus = if ok.is_empty() && !value.is_empty() {
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
            // An empty value is an axis the user cleared; only unusable ids fall back.
            cfg.formats = if ok.is_empty() && !value.is_empty() {
                defaults.formats.clone()
            } else {
                ok
            };
        }
        "kv" => match KvDtype::parse(value) {
            Some(k) => cfg.workload.kv_dtype = k,
            None => note(key, value, "unknown KV-cache dtype; using auto".into()),
        },
        "e" => match Engine::parse(value) {
            Some(e) => cfg.workload.engine = e,
            None => note(key, value, "unknown engine; using vLLM".into()),
        },
        "ctx" | "n" | "tp" => {
            let (field, slot): (Field, fn(&mut GridConfig) -> &mut u64) = match key {
                "ctx" => (Field::Context, |c| &mut c.workload.context),
                "n" => (Field::Concurrency, |c| &mut c.workload.concurrency),
                _ => (Field::TensorParallel, |c| &mut c.workload.tensor_parallel),
            };
            match field.parse(value) {
                Ok(n) => *slot(cfg) = n,
                Err(e) => {
                    let fallback = *slot(&mut defaults.clone());
                    note(key, value, format!("{e}; using {fallback}"))
                }
            }
        }
        "mfs" => match Field::MemFractionStaticPct.parse(value) {
            Ok(n) => cfg.set_mfs_pct(Some(n)),
            Err(e) => note(key, value, format!("{e}; using SGLang's default")),
        },
        "ngl" => match Field::GpuLayers.parse(value) {
            Ok(n) => cfg.workload.gpu_layers = Some(n),
            Err(e) => note(key, value, format!("{e}; using every layer")),
        },
        "cmoe" => match Field::CpuMoeLayers.parse(value) {
            Ok(n) => cfg.workload.cpu_moe_layers = n,
            Err(e) => note(key, value, format!("{e}; using 0")),
        },
        "ram" => match Field::SystemMemoryGib.parse(value) {
            Ok(n) => cfg.workload.system_memory_bytes = Some(n << 30),
            Err(e) => note(key, value, format!("{e}; leaving system RAM out")),
        },
        "rambw" => match Field::SystemBandwidth.parse(value) {
            Ok(n) => cfg.workload.system_bandwidth_gbps = Some(n),
            Err(e) => note(key, value, format!("{e}; leaving it out")),
        },
        "tps" => match Field::SpeedTarget.parse(value) {
            Ok(n) => {
                cfg.view.thresholds = cfg.view.thresholds.with_speed(n).unwrap_or_default();
            }
            Err(e) => note(
                key,
                value,
                format!("{e}; using {}", crate::plan::band::DEFAULT_SPEED),
            ),
        },
        "vr" => match crate::engines::VllmRelease::parse(value) {
            Some(r) => cfg.workload.vllm_release = r,
            None => note(
                key,
                value,
                "not a vLLM version like 0.11; using 0.16 or later".into(),
            ),
        },
        "fa" => match value {
            "0" | "off" => cfg.workload.flash_attention = false,
            "1" | "on" => cfg.workload.flash_attention = true,
            _ => note(
                key,
                value,
                "must be 0 or 1; using flash attention on".into(),
            ),
        },
        "util" => match Field::GpuUtilPct.parse(value) {
            Ok(n) => cfg.set_util_pct(n),
            Err(e) => note(key, value, format!("{e}; using {}", defaults.util_pct())),
        },
        "bands" => {
            // Every part must be a number: "60,abc,75,90" is not "60,75,90".
            let parts: Option<Vec<u64>> = value.split(',').map(|p| p.trim().parse().ok()).collect();
            match parts.as_deref() {
                Some(&[a, b, c]) if Thresholds::new(a, b, c).is_some() => {
                    let speed = cfg.view.thresholds.speed;
                    cfg.view.thresholds = Thresholds::new(a, b, c)
                        .and_then(|t| t.with_speed(speed))
                        .unwrap_or_default()
                }
                _ => note(
                    key,
                    value,
                    "must be three increasing percentages below 100, e.g. 60,75,90; using 60,75,90"
                        .into(),
                ),
            }
        }
        "mode" => match Mode::parse(value) {
            Some(m) => cfg.view.mode = m,
            None => note(
                key,
                value,
                // Every mode the page offers, from the one list (speed was missing here).
                format!(
                    "must be one of {}; using util",
                    crate::grid::ALL_MODES.map(Mode::id).join(", ")
                ),
            ),
        },
        "sort" => match Sort::parse(value) {
            Some(m) => cfg.view.sort = m,
            None => note(
                key,
                value,
                "must be chosen, size or fit; using chosen".into(),
            ),
        },
        "u" => match value.to_ascii_lowercase().as_str() {
            "gib" => cfg.view.unit = Unit::GiB,
            "gb" => cfg.view.unit = Unit::GB,
            _ => note(key, value, "must be gib or gb; using gib".into()),
        },
        "theme" => match Theme::parse(value) {
            Some(t) => cfg.view.theme = t,
            None => note(key, value, "must be auto, light or dark; using auto".into()),
        },
        "embed" => match value {
            "1" | "true" => cfg.view.embed = true,
            "0" | "false" => cfg.view.embed = false,
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
                        (Some(m), Some(f), Some(g)) => Some((m.id.clone(), f, g.id.clone())),
                        _ => None,
                    }
                }
                _ => None,
            };
            match found {
                Some(sel) => cfg.view.selected = Some(sel),
                None => note(
                    key,
                    value,
                    "not a model~format~gpu in the catalogue; no detail opened".into(),
                ),
            }
        }
        _ => return false,
    }
    true
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

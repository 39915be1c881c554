//! The built-in catalogue: models (keyed by Hugging Face repo id) and GPUs, embedded from
//! `planner/data/*.json`. Every entry carries the URL its figures were read from.
//!
//! GPU memory is what the engines see (`torch.cuda.get_device_properties().total_memory`,
//! `cudaGetDeviceProperties`), not the marketing number: an "80 GB" H100 gives 79.19 GiB.

pub mod custom;
pub mod custom_gpu;
pub mod gpu;
pub mod price;

pub use gpu::{Gpu, Model};

use crate::error::CatalogError;
use crate::model::config::ModelConfig;
use price::{Price, UsdPerHour};
use serde::Deserialize;
use serde_json::Value;
use std::sync::OnceLock;

/// The whole catalogue.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Models in display order.
    pub models: Vec<Model>,
    /// GPUs in display order.
    pub gpus: Vec<Gpu>,
    /// Published $/GPU-hour, at most one per GPU (`planner/data/prices.json`).
    pub prices: Vec<Price>,
}

// Minified by build.rs (documentation-only fields dropped).
const MODELS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/models.json"));
const GPUS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/gpus.json"));
const PRICES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/prices.json"));

/// One `models.json` entry as shipped (build.rs drops the documentation-only keys).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelEntry {
    id: String,
    name: String,
    /// Other Hugging Face ids with this entry's config.json (an -Instruct tune of the base).
    #[serde(default)]
    aliases: Vec<String>,
    config: Value,
}

/// One `prices.json` entry as shipped.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceEntry {
    gpu: String,
    /// Kept as the JSON number's text so that 0.439 stays exactly 4,390 ten-thousandths.
    usd_per_hour: serde_json::Number,
    provider: String,
    offering: String,
    source: String,
    as_of: String,
}

/// Parses one embedded file into its entries; a file that does not match its type (a missing,
/// extra or mistyped key) is reported with serde's reason, which names the key and position.
fn entries<T: serde::de::DeserializeOwned>(
    name: &str,
    text: &str,
    errors: &mut Vec<String>,
) -> Vec<T> {
    serde_json::from_str(text).unwrap_or_else(|e| {
        errors.push(format!("{name}: {e}"));
        Vec::new()
    })
}

/// Parses the embedded files; entries that fail are reported with their id.
pub fn load() -> (Catalog, Vec<String>) {
    let mut errors = Vec::new();
    let mut models = Vec::new();
    for r in entries::<ModelEntry>("models.json", MODELS_JSON, &mut errors) {
        match ModelConfig::from_json(&r.config) {
            Ok(config) => models.push(Model {
                id: r.id,
                name: r.name,
                aliases: r.aliases,
                params: None,
                config,
            }),
            Err(e) => errors.push(format!("{}: {e}", r.id)),
        }
    }
    let gpus: Vec<Gpu> = entries("gpus.json", GPUS_JSON, &mut errors);
    let mut prices: Vec<Price> = Vec::new();
    for p in entries::<PriceEntry>("prices.json", PRICES_JSON, &mut errors) {
        let Some(per_hour) = UsdPerHour::parse_dollars(&p.usd_per_hour.to_string()) else {
            errors.push(format!("prices.json: {} has an unusable price", p.gpu));
            continue;
        };
        if !gpus.iter().any(|g| g.id == p.gpu) {
            errors.push(format!("prices.json: unknown GPU {}", p.gpu));
        } else if prices.iter().any(|q| q.gpu == p.gpu) {
            errors.push(format!("prices.json: two prices for {}", p.gpu));
        } else {
            prices.push(Price {
                gpu: p.gpu,
                per_hour,
                provider: p.provider,
                offering: p.offering,
                source: p.source,
                as_of: p.as_of,
            });
        }
    }
    (
        Catalog {
            models,
            gpus,
            prices,
        },
        errors,
    )
}

/// The catalogue, parsed once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| load().0)
}

impl Catalog {
    /// Model by id or alias: see [`Catalog::resolve`].
    pub fn model(&self, id: &str) -> Result<&Model, CatalogError> {
        self.resolve(id).map(|(m, _)| m)
    }

    /// Model by id or alias, with the id as the catalogue spells it (the entry's id or the
    /// alias): exact id, then exact alias, then either case-insensitively. Hugging Face ids are
    /// case-insensitive on the Hub, and people type the -Instruct id of a base entry.
    pub fn resolve(&self, id: &str) -> Result<(&Model, &str), CatalogError> {
        let exact = self.models.iter().find(|m| m.id == id).map(|m| (m, &m.id));
        exact
            .or_else(|| {
                self.models
                    .iter()
                    .find_map(|m| m.aliases.iter().find(|a| *a == id).map(|a| (m, a)))
            })
            .or_else(|| {
                self.models.iter().find_map(|m| {
                    std::iter::once(&m.id)
                        .chain(&m.aliases)
                        .find(|a| a.eq_ignore_ascii_case(id))
                        .map(|a| (m, a))
                })
            })
            .map(|(m, a)| (m, a.as_str()))
            .ok_or_else(|| CatalogError::UnknownModel(id.to_string()))
    }

    /// The published price of a GPU, if one is catalogued.
    pub fn price(&self, gpu_id: &str) -> Option<&Price> {
        self.prices.iter().find(|p| p.gpu == gpu_id)
    }

    /// GPU by id.
    pub fn gpu(&self, id: &str) -> Result<&Gpu, CatalogError> {
        self.gpus
            .iter()
            .find(|g| g.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| CatalogError::UnknownGpu(id.to_string()))
    }
}

//! The built-in catalogue: models (keyed by Hugging Face repo id) and GPUs, embedded from
//! `planner/data/*.json`. Every entry carries the URL its figures were read from.
//!
//! GPU memory is what the engines see (`torch.cuda.get_device_properties().total_memory`,
//! `cudaGetDeviceProperties`), not the marketing number: an "80 GB" H100 gives 79.19 GiB.

pub mod custom;
pub mod custom_gpu;
pub mod gpu;
pub mod price;
mod read;

pub use gpu::{Gpu, Model};

use crate::error::CatalogError;
use crate::json::Value;
use crate::model::config::ModelConfig;
use price::{Price, UsdPerHour};
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

/// The keys each shipped file's entries may have (build.rs drops the documentation-only ones).
const MODEL_KEYS: [&str; 4] = ["id", "name", "aliases", "config"];
const GPU_KEYS: [&str; 13] = [
    "id",
    "name",
    "full_name",
    "class",
    "vendor",
    "marketing_gb",
    "memory_bytes",
    "bandwidth_gbps",
    "fp16_gflops",
    "fp8_gflops",
    "int8_gops",
    "fp32_gflops",
    "arch",
];
const PRICE_KEYS: [&str; 6] = [
    "gpu",
    "usd_per_hour",
    "provider",
    "offering",
    "source",
    "as_of",
];

/// Parses one embedded file; a file that is not JSON is reported with serde's reason.
fn parse(name: &str, text: &str, errors: &mut Vec<String>) -> Value {
    crate::json::parse(text).unwrap_or_else(|e| {
        errors.push(format!("{name}: {e}"));
        Value::Null
    })
}

fn gpu(e: &read::Entry) -> Result<Gpu, String> {
    Ok(Gpu {
        id: e.text("id")?,
        name: e.text("name")?,
        full_name: e.text("full_name")?,
        class: e.text("class")?,
        vendor: e.text("vendor")?,
        // Not shipped to the page, which never shows it (build.rs); the CLI and the catalogue
        // tests read it (a missing one fails `gpus_are_sourced_and_below_their_marketing_size`).
        marketing_gb: e.maybe_number("marketing_gb")?.unwrap_or(0),
        memory_bytes: e.number("memory_bytes")?,
        bandwidth_gbps: e.maybe_number("bandwidth_gbps")?,
        fp16_gflops: e.maybe_number("fp16_gflops")?,
        fp8_gflops: e.maybe_number("fp8_gflops")?,
        int8_gops: e.maybe_number("int8_gops")?,
        fp32_gflops: e.maybe_number("fp32_gflops")?,
        arch: e.text("arch")?,
    })
}

fn price(e: &read::Entry) -> Result<Price, String> {
    // The JSON number's own text, so that 0.439 stays exactly 4,390 ten-thousandths.
    let gpu = e.text("gpu")?;
    let per_hour = match e.get("usd_per_hour") {
        Some(Value::Number(n)) => UsdPerHour::parse_dollars(&n.to_string()),
        _ => None,
    }
    .ok_or_else(|| format!("prices.json: {gpu} has an unusable price"))?;
    Ok(Price {
        gpu,
        per_hour,
        provider: e.text("provider")?,
        offering: e.text("offering")?,
        source: e.text("source")?,
        as_of: e.text("as_of")?,
    })
}

/// Parses the embedded files; entries that fail are reported with their id.
pub fn load() -> (Catalog, Vec<String>) {
    let mut errors = Vec::new();
    let mut models = Vec::new();
    let root = parse("models.json", MODELS_JSON, &mut errors);
    for e in read::entries("models.json", &root, &MODEL_KEYS, &mut errors) {
        let model = (|| {
            let id = e.text("id")?;
            let config = ModelConfig::from_json(e.get("config").unwrap_or(&Value::Null))
                .map_err(|err| format!("{id}: {err}"))?;
            // build.rs ships no name where it is the id's last part.
            let name = match e.get("name") {
                Some(_) => e.text("name")?,
                None => id.rsplit('/').next().unwrap_or(&id).to_string(),
            };
            Ok::<_, String>(Model {
                name,
                aliases: e.texts("aliases")?,
                id,
                params: None,
                config,
            })
        })();
        match model {
            Ok(m) => models.push(m),
            Err(why) => errors.push(why),
        }
    }
    let root = parse("gpus.json", GPUS_JSON, &mut errors);
    let mut gpus = Vec::new();
    for e in read::entries("gpus.json", &root, &GPU_KEYS, &mut errors) {
        match gpu(&e) {
            Ok(g) => gpus.push(g),
            Err(why) => errors.push(why),
        }
    }
    let root = parse("prices.json", PRICES_JSON, &mut errors);
    let mut prices: Vec<Price> = Vec::new();
    for e in read::entries("prices.json", &root, &PRICE_KEYS, &mut errors) {
        match price(&e) {
            Err(why) => errors.push(why),
            Ok(p) if !gpus.iter().any(|g| g.id == p.gpu) => {
                errors.push(format!("prices.json: unknown GPU {}", p.gpu))
            }
            Ok(p) if prices.iter().any(|q| q.gpu == p.gpu) => {
                errors.push(format!("prices.json: two prices for {}", p.gpu))
            }
            Ok(p) => prices.push(p),
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

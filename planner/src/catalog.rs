//! The built-in catalogue: models (keyed by Hugging Face repo id) and GPUs, embedded from
//! `planner/data/*.json`. Every entry carries the URL its figures were read from.
//!
//! GPU memory is what the engines see (`torch.cuda.get_device_properties().total_memory`,
//! `cudaGetDeviceProperties`), not the marketing number: an "80 GB" H100 gives 79.19 GiB.

use crate::cost::{Price, UsdPerHour};
use crate::error::CatalogError;
use crate::model::config::ModelConfig;
use crate::units::Bytes;
use serde_json::Value;
use std::sync::OnceLock;

/// A catalogued model.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Hugging Face repo id, e.g. `meta-llama/Llama-2-7b-hf`.
    pub id: String,
    /// Short display name.
    pub name: String,
    /// Published parameter count (safetensors total), if known.
    pub params: Option<u64>,
    /// Where the config.json was read.
    pub source: String,
    /// The architecture.
    pub config: ModelConfig,
}

/// A catalogued GPU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gpu {
    /// Stable kebab-case id.
    pub id: String,
    /// Short display name.
    pub name: String,
    /// Full product name.
    pub full_name: String,
    /// `consumer`, `workstation`, `datacenter` or `apple`.
    pub class: String,
    /// `nvidia`, `amd` or `apple`.
    pub vendor: String,
    /// Marketing capacity in GB (datasheet).
    pub marketing_gb: u64,
    /// Memory the CUDA runtime reports (bytes): the planning figure.
    pub memory_bytes: u64,
    /// Total reported by `nvidia-smi`, MiB.
    pub nvidia_smi_mib: Option<u64>,
    /// Memory bandwidth, GB/s (datasheet).
    pub bandwidth_gbps: Option<u64>,
    /// Where `memory_bytes` was read (kept in `planner/data/gpus.json`, not shipped).
    pub source: String,
    /// The line read there.
    pub quote: String,
    /// Caveats (driver drift, ECC, unified-memory fraction).
    pub notes: String,
}

impl Gpu {
    /// Usable memory as bytes.
    pub fn memory(&self) -> Bytes {
        Bytes(self.memory_bytes)
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// Reads one GPU entry (hand-written rather than derived: it keeps the browser build small).
fn gpu_from(v: &Value) -> Option<Gpu> {
    Some(Gpu {
        id: v.get("id")?.as_str()?.to_string(),
        name: text(v, "name"),
        full_name: text(v, "full_name"),
        class: text(v, "class"),
        vendor: text(v, "vendor"),
        marketing_gb: v.get("marketing_gb")?.as_u64()?,
        memory_bytes: v.get("memory_bytes")?.as_u64()?,
        nvidia_smi_mib: v.get("nvidia_smi_mib").and_then(Value::as_u64),
        bandwidth_gbps: v.get("bandwidth_gbps").and_then(Value::as_u64),
        source: text(v, "source"),
        quote: text(v, "quote"),
        notes: text(v, "notes"),
    })
}

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

/// Reads one price entry.
fn price_from(v: &Value) -> Option<Price> {
    let per_hour = v.get("usd_per_hour")?;
    Some(Price {
        gpu: v.get("gpu")?.as_str()?.to_string(),
        // Read from the JSON text of the number so that 0.439 stays exactly 439 milli-dollars.
        per_hour: UsdPerHour::parse_dollars(&per_hour.to_string())?,
        provider: text(v, "provider"),
        offering: text(v, "offering"),
        source: text(v, "source"),
        as_of: text(v, "as_of"),
    })
}

/// Parses the embedded files; entries that fail are reported with their id.
pub fn load() -> (Catalog, Vec<String>) {
    let mut errors = Vec::new();
    let mut array = |name: &str, text: &str| match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(a)) => a,
        _ => {
            errors.push(format!("{name}: not a JSON array"));
            Vec::new()
        }
    };
    let raw_models = array("models.json", MODELS_JSON);
    let raw_gpus = array("gpus.json", GPUS_JSON);
    let raw_prices = array("prices.json", PRICES_JSON);
    let mut models = Vec::new();
    for r in &raw_models {
        let id = text(r, "id");
        match r.get("config").map(ModelConfig::from_json) {
            Some(Ok(config)) => models.push(Model {
                name: text(r, "name"),
                params: r.get("params").and_then(Value::as_u64),
                source: text(r, "source"),
                config,
                id,
            }),
            Some(Err(e)) => errors.push(format!("{id}: {e}")),
            None => errors.push(format!("{id}: no config")),
        }
    }
    let mut gpus = Vec::new();
    for g in &raw_gpus {
        match gpu_from(g) {
            Some(gpu) => gpus.push(gpu),
            None => errors.push(format!(
                "gpus.json: entry {} lacks id/memory",
                text(g, "id")
            )),
        }
    }
    let mut prices: Vec<Price> = Vec::new();
    for p in &raw_prices {
        match price_from(p) {
            Some(price) if gpus.iter().any(|g| g.id == price.gpu) => {
                if prices.iter().any(|q| q.gpu == price.gpu) {
                    errors.push(format!("prices.json: two prices for {}", price.gpu));
                } else {
                    prices.push(price);
                }
            }
            Some(price) => errors.push(format!("prices.json: unknown GPU {}", price.gpu)),
            None => errors.push(format!(
                "prices.json: entry {} lacks gpu/usd_per_hour",
                text(p, "gpu")
            )),
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
    /// Model by id (exact, then case-insensitive).
    pub fn model(&self, id: &str) -> Result<&Model, CatalogError> {
        self.models
            .iter()
            .find(|m| m.id == id)
            .or_else(|| self.models.iter().find(|m| m.id.eq_ignore_ascii_case(id)))
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

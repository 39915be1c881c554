//! The built-in catalogue: models (keyed by Hugging Face repo id) and GPUs, embedded from
//! `planner/data/*.json`. Every entry carries the URL its figures were read from.
//!
//! GPU memory is what the engines see (`torch.cuda.get_device_properties().total_memory`,
//! `cudaGetDeviceProperties`), not the marketing number: an "80 GB" H100 gives 79.19 GiB.

use crate::arch::ModelConfig;
use crate::error::CatalogError;
use crate::units::Bytes;
use serde::Deserialize;
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
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Gpu {
    /// Stable kebab-case id.
    pub id: String,
    /// Short display name.
    pub name: String,
    /// Full product name.
    pub full_name: String,
    /// `consumer`, `workstation`, `datacenter` or `apple`.
    #[serde(default)]
    pub class: String,
    /// `nvidia`, `amd` or `apple`.
    #[serde(default)]
    pub vendor: String,
    /// Marketing capacity in GB (datasheet).
    pub marketing_gb: u64,
    /// Memory the CUDA runtime reports (bytes): the planning figure.
    pub memory_bytes: u64,
    /// Total reported by `nvidia-smi`, MiB.
    pub nvidia_smi_mib: Option<u64>,
    /// Memory bandwidth, GB/s (datasheet).
    pub bandwidth_gbps: Option<u64>,
    /// Where `memory_bytes` was read.
    pub source: String,
    /// The line read there.
    #[serde(default)]
    pub quote: String,
    /// Caveats (driver drift, ECC, unified-memory fraction).
    #[serde(default)]
    pub notes: String,
}

impl Gpu {
    /// Usable memory as bytes.
    pub fn memory(&self) -> Bytes {
        Bytes(self.memory_bytes)
    }
}

#[derive(Deserialize)]
struct RawModel {
    id: String,
    name: String,
    params: Option<u64>,
    source: String,
    config: serde_json::Value,
}

/// The whole catalogue.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Models in display order.
    pub models: Vec<Model>,
    /// GPUs in display order.
    pub gpus: Vec<Gpu>,
}

// Minified by build.rs (documentation-only fields dropped).
const MODELS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/models.json"));
const GPUS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/gpus.json"));

/// Parses the embedded files; entries that fail are reported with their id.
pub fn load() -> (Catalog, Vec<String>) {
    let mut errors = Vec::new();
    let raw: Vec<RawModel> = serde_json::from_str(MODELS_JSON).unwrap_or_else(|e| {
        errors.push(format!("models.json: {e}"));
        Vec::new()
    });
    let models = raw
        .into_iter()
        .filter_map(|r| match ModelConfig::from_json(&r.config) {
            Ok(config) => Some(Model {
                id: r.id,
                name: r.name,
                params: r.params,
                source: r.source,
                config,
            }),
            Err(e) => {
                errors.push(format!("{}: {e}", r.id));
                None
            }
        })
        .collect();
    let gpus = serde_json::from_str(GPUS_JSON).unwrap_or_else(|e| {
        errors.push(format!("gpus.json: {e}"));
        Vec::new()
    });
    (Catalog { models, gpus }, errors)
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

    /// GPU by id.
    pub fn gpu(&self, id: &str) -> Result<&Gpu, CatalogError> {
        self.gpus
            .iter()
            .find(|g| g.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| CatalogError::UnknownGpu(id.to_string()))
    }
}

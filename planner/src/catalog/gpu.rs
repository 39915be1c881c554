//! The catalogue's entry types: a GPU and a model.

use crate::model::config::ModelConfig;
use crate::units::Bytes;
use serde::Deserialize;

/// A model on the grid: a catalogue entry or one the user brought.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Hugging Face repo id, e.g. `meta-llama/Llama-2-7b-hf` (`custom:…` for the user's own).
    pub id: String,
    /// Short display name.
    pub name: String,
    /// A parameter count the user gave for their own model, checked against the config.
    /// Catalogue counts stay in `planner/data/models.json` (the catalogue tests check them).
    pub params: Option<u64>,
    /// The architecture.
    pub config: ModelConfig,
}

/// A GPU: a catalogue entry (`planner/data/gpus.json`, read field by field: a missing, extra
/// or mistyped key is a load error the catalogue tests report) or one the user described.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gpu {
    /// Stable kebab-case id.
    pub id: String,
    /// Short display name.
    pub name: String,
    /// Full product name.
    pub full_name: String,
    /// `consumer`, `workstation`, `datacenter`, `apple` (or `custom`).
    pub class: String,
    /// `nvidia`, `amd` or `apple` (empty for the user's own).
    pub vendor: String,
    /// Marketing capacity in GB (datasheet).
    pub marketing_gb: u64,
    /// Memory the CUDA runtime reports (bytes): the planning figure.
    pub memory_bytes: u64,
    /// Memory bandwidth, GB/s (datasheet).
    #[serde(default)]
    pub bandwidth_gbps: Option<u64>,
}

impl Gpu {
    /// Usable memory as bytes.
    pub fn memory(&self) -> Bytes {
        Bytes(self.memory_bytes)
    }
}

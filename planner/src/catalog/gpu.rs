//! The catalogue's entry types: a GPU and a model.

use crate::model::config::ModelConfig;
use crate::units::Bytes;

/// A model on the grid: a catalogue entry or one the user brought.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Hugging Face repo id, e.g. `meta-llama/Llama-2-7b-hf` (`custom:…` for the user's own).
    pub id: String,
    /// Short display name.
    pub name: String,
    /// Other Hugging Face ids with the same config.json (base ↔ instruct, re-releases): they
    /// resolve to this entry (`Catalog::model`). Empty for the user's own.
    pub aliases: Vec<String>,
    /// A parameter count the user gave for their own model, checked against the config.
    /// Catalogue counts stay in `planner/data/models.json` (the catalogue tests check them).
    pub params: Option<u64>,
    /// The architecture.
    pub config: ModelConfig,
}

impl Model {
    /// The id a server is started with: the Hugging Face repo id (a model the user brought
    /// serves under its repo id when its name is one, e.g. fetched from the Hub; else `MODEL`,
    /// for the user to replace, as the CLI writes it).
    pub fn served_id(&self) -> &str {
        match self.id.strip_prefix(crate::catalog::custom::CUSTOM_PREFIX) {
            None => &self.id,
            Some(_) if crate::checkpoint::repo::is_repo_id(&self.name) => &self.name,
            Some(_) => "MODEL",
        }
    }
}

/// A GPU: a catalogue entry (`planner/data/gpus.json`, read field by field: a missing, extra
/// or mistyped key is a load error the catalogue tests report) or one the user described.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    pub bandwidth_gbps: Option<u64>,
    /// Dense tensor FP16/BF16 throughput with FP32 accumulate, GFLOPS (vendor datasheet or
    /// architecture whitepaper, `tflops_source` in `gpus.json`): what prefill is bound by.
    pub fp16_gflops: Option<u64>,
    /// Dense FP8 tensor throughput, GFLOPS (Ada, Hopper, Blackwell, MI300).
    pub fp8_gflops: Option<u64>,
    /// Dense INT8 tensor (or DP4A) throughput, GOPS.
    pub int8_gops: Option<u64>,
    /// FP32 (non-tensor) throughput, GFLOPS: Apple publishes only this.
    pub fp32_gflops: Option<u64>,
    /// Architecture: `sm_XY` for an NVIDIA compute capability X.Y (NVIDIA's CUDA GPUs table),
    /// `gfxNNN` for an AMD LLVM target (ROCm's GPU specifications), `apple` for Metal; empty
    /// when unknown (a GPU the user described).
    pub arch: String,
}

/// A GPU's architecture, as the engines' kernel checks read it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Arch<'a> {
    /// NVIDIA compute capability × 10 (8.9 → 89), as vLLM's `has_device_capability` compares it.
    Nvidia(u32),
    /// AMD LLVM target, e.g. `gfx942` (MI300X).
    Amd(&'a str),
    /// Apple silicon (Metal).
    Apple,
    /// Not known (a custom GPU): no architecture rule is applied.
    Unknown,
}

impl Arch<'_> {
    /// The NVIDIA compute capability × 10, if this is an NVIDIA GPU.
    pub fn cuda_capability(self) -> Option<u32> {
        match self {
            Arch::Nvidia(cc) => Some(cc),
            _ => None,
        }
    }
}

impl Gpu {
    /// Usable memory as bytes.
    pub fn memory(&self) -> Bytes {
        Bytes(self.memory_bytes)
    }

    /// The architecture (`sm_89` → `Nvidia(89)`; `sm_120` → `Nvidia(120)`).
    pub fn arch(&self) -> Arch<'_> {
        let a = self.arch.as_str();
        if let Some(cc) = a.strip_prefix("sm_").and_then(|d| d.parse().ok()) {
            Arch::Nvidia(cc)
        } else if a.starts_with("gfx") {
            Arch::Amd(a)
        } else if a == "apple" {
            Arch::Apple
        } else {
            Arch::Unknown
        }
    }
}

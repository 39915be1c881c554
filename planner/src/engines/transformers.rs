//! Hugging Face transformers `generate()`: no pre-allocation, no server.

use super::reserves::Reserves;
use crate::catalog::Gpu;
use crate::model::config::ModelConfig;
use crate::model::weights::WeightFormat;
use crate::units::{Bytes, MIB};

/// The basis of the reserves, for the plan's notes.
pub const RANGE_NOTE: &str =
    "transformers: prompt-chunk activations and last-token logits; CUDA context ~0.4 GiB";

/// Safetensors checkpoints, bitsandbytes, AWQ and GPTQ; not GGUF K-quants nor NVFP4.
pub fn loads(format: WeightFormat) -> bool {
    !format.is_gguf() && format != WeightFormat::Nvfp4
}

/// A 2048-token prompt chunk keeps the MLP intermediate, and `generate()` computes logits for
/// the last token only (`logits_to_keep`).
pub fn reserves(cfg: &ModelConfig, act_bytes: u64, _gpu: &Gpu, _tp: u64, _pp: u64) -> Reserves {
    let h = cfg.hidden_size;
    let act = 2048 * 3 * cfg.intermediate_size.max(h) * act_bytes + 4 * cfg.vocab_size;
    Reserves {
        activation: Bytes(act),
        non_torch: Bytes::ZERO,
        outside_budget: Bytes(400 * MIB),
        buffers: Bytes::ZERO,
    }
}

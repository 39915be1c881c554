//! Hugging Face transformers `generate()`: no pre-allocation, no server.

use super::reserves::Reserves;
use crate::catalog::gpu::Arch;
use crate::model::config::ModelConfig;
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::plan::workload::Workload;
use crate::units::{Bytes, MIB};

/// The basis of the reserves, for the plan's notes.
pub const RANGE_NOTE: &str =
    "transformers: the whole prompt prefilled at once (MLP activations of every token) and last-token logits; CUDA context ~0.4 GiB";

/// Safetensors checkpoints, bitsandbytes, AWQ and GPTQ; not GGUF K-quants nor NVFP4.
pub fn loads(format: WeightFormat) -> bool {
    !format.is_gguf() && format != WeightFormat::Nvfp4
}

/// `generate()` prefills the whole prompt in one forward pass (no chunking): the MLP
/// intermediate of every prompt token of every sequence in the batch is live at once (SDPA
/// attention keeps no score matrix), and logits are computed for the last token only
/// (`logits_to_keep`, `generation/utils.py`). The prompt is taken as long as the context.
pub fn reserves(cfg: &ModelConfig, act_bytes: u64, w: &Workload) -> Reserves {
    let h = cfg.hidden_size;
    let tokens = w.context.max(1).saturating_mul(w.concurrency.max(1));
    let act = crate::units::add(&[
        crate::units::mul(&[tokens, 3, cfg.intermediate_size.max(h), act_bytes]),
        crate::units::mul(&[4, cfg.vocab_size, w.concurrency.max(1)]),
    ]);
    Reserves {
        activation: Bytes(act),
        non_torch: Bytes::ZERO,
        outside_budget: Bytes(400 * MIB),
        buffers: Bytes::ZERO,
    }
}

/// Why `generate()` cannot keep a `kv` cache: its `DynamicCache` holds keys and values in the
/// model's dtype; the quantized caches (`QuantizedCache`, quanto/HQQ) are not the FP8 or GGUF
/// block layouts priced here.
pub fn kv_refusal(kv: KvDtype) -> Option<String> {
    (kv != KvDtype::Auto).then(|| {
        format!(
            "transformers keeps its KV cache in the model dtype; {} is not one of its caches (use auto)",
            kv.id()
        )
    })
}

/// Why transformers cannot run `format` on `arch`: the quantized formats' kernels are CUDA
/// (or ROCm) only, not MPS; fine-grained FP8 needs compute capability 8.9
/// (`quantizer_finegrained_fp8.py`).
pub fn gpu_refusal(format: WeightFormat, arch: Arch) -> Option<String> {
    use WeightFormat as F;
    let quantized = !matches!(format, F::Native | F::Fp32 | F::Fp16 | F::Bf16);
    match arch {
        Arch::Apple if quantized => Some(format!(
            "transformers' {} kernels need CUDA; Apple's MPS backend runs 16- and 32-bit weights",
            format.label()
        )),
        Arch::Nvidia(cc) if format == F::Fp8 && cc < 89 => {
            Some("transformers' FP8 weights need compute capability 8.9".into())
        }
        Arch::Amd(t) if format == F::Fp8 && !(t.starts_with("gfx94") || t.starts_with("gfx95")) => {
            Some("transformers' FP8 weights need an FP8-capable GPU (MI300 class on ROCm)".into())
        }
        _ => None,
    }
}

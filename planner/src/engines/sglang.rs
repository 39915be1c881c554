//! SGLang: `mem_fraction_static` of the GPU holds weights and the KV pool; the rest stays free
//! for activations and CUDA graphs.

use super::reserves::Reserves;
use super::shell::{checkpoint_comment, CommandInput};
use crate::catalog::Gpu;
use crate::model::config::ModelConfig;
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::units::{Bytes, MIB};

/// The basis of the reserves, for the plan's notes.
pub const RANGE_NOTE: &str =
    "SGLang reserve from its server_args.py formula; not yet checked against logs";

/// SGLang loads Hugging Face checkpoints, not GGUF files.
pub fn loads(format: WeightFormat) -> bool {
    !format.is_gguf()
}

/// SGLang keeps (1 − mem_fraction_static) free for activations and CUDA graphs; its reserve
/// formula (`server_args.py`) with defaults: 512 MB + max(chunked_prefill 8192, 2048) × 1.5 MB
/// + cuda_graph_max_bs 160 × 2 MB + tp × pp × 128 MB.
pub fn reserves(cfg: &ModelConfig, act_bytes: u64, _gpu: &Gpu, tp: u64, pp: u64) -> Reserves {
    let mb = 512 + 8192 * 3 / 2 + 160 * 2 + tp * pp.max(1) * 128;
    let (rows, dim) = cfg.rope_cache;
    Reserves {
        activation: Bytes(mb * MIB),
        non_torch: Bytes::ZERO,
        outside_budget: Bytes(512 * MIB),
        buffers: Bytes(rows * dim * act_bytes),
    }
}

/// Default `mem_fraction_static` for a GPU of `gpu` bytes and a reserve.
pub fn mem_fraction_static(gpu: Bytes, reserve: Bytes) -> f64 {
    if gpu.0 == 0 {
        return 0.0;
    }
    (1.0 - reserve.0 as f64 / gpu.0 as f64).clamp(0.0, 0.95)
}

/// The budget: the static fraction plus the activation room SGLang leaves free, and the
/// fraction it used.
pub fn budget(gpu: Bytes, activation: Bytes) -> (Bytes, f64) {
    let frac = mem_fraction_static(gpu, activation);
    (Bytes((gpu.0 as f64 * frac) as u64) + activation, frac)
}

/// `python -m sglang.launch_server` (`server_args.py`): `--model-path`, `--context-length`,
/// `--mem-fraction-static`, `--tp`, `--kv-cache-dtype`, `--dtype`, `--quantization`.
pub fn command(c: &CommandInput, fraction: f64, comments: &mut Vec<String>) -> Vec<String> {
    comments.extend(checkpoint_comment(c.format, c.model_id));
    let mut args = vec![
        format!("python -m sglang.launch_server --model-path {}", c.model),
        format!("--context-length {}", c.ctx),
        format!("--mem-fraction-static {fraction:.2}"),
    ];
    if c.tp > 1 {
        args.push(format!("--tp {}", c.tp));
    }
    if c.pp > 1 {
        args.push(format!("--pp-size {}", c.pp));
    }
    if let Some(d) = c.dtype {
        args.push(format!("--dtype {d}"));
    }
    if c.format == WeightFormat::Fp8 {
        args.push("--quantization fp8".into());
    }
    if c.format == WeightFormat::Nf4 {
        comments.push(format!(
            "replace {} with a bitsandbytes NF4 checkpoint of it",
            c.model_id
        ));
    }
    match c.w.kv_dtype {
        KvDtype::Fp8 => args.push("--kv-cache-dtype fp8_e5m2".into()),
        KvDtype::Q8_0 | KvDtype::Q4_0 => comments.push(format!(
            "SGLang has no {} KV cache; it keeps the model dtype",
            c.w.kv_dtype.id()
        )),
        _ => {}
    }
    if c.n > 1 {
        args.push(format!("--max-running-requests {}", c.n));
    }
    args
}

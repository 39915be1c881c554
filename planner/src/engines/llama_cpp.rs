//! llama.cpp `llama-server`: GGUF files, one KV cache of `-c` cells shared by `--parallel`
//! slots, a compute buffer per ubatch, and the `--fit` margin left free.

use super::reserves::Reserves;
use super::shell::{gguf_file, gguf_type, CommandInput};
use crate::catalog::Gpu;
use crate::model::config::ModelConfig;
use crate::model::kv_cache::{KvDtype, KvPerToken};
use crate::model::weights::WeightFormat;
use crate::units::{Bytes, GIB, MIB};

/// The basis of the reserves, for the plan's notes.
pub const RANGE_NOTE: &str =
    "llama.cpp compute buffer estimated for a 512-token ubatch; 1 GiB --fit margin";

/// GGUF files, and the float types `convert_hf_to_gguf.py` writes.
pub fn loads(format: WeightFormat) -> bool {
    format.is_gguf()
        || matches!(
            format,
            WeightFormat::Fp32 | WeightFormat::Fp16 | WeightFormat::Bf16
        )
}

/// Compute buffer for a 512-token ubatch: the logits (vocab × 512 × 4 B) plus the attention
/// scratch (Ollama `fs/ggml/ggml.go` GraphSize for llama: 4·b·(1 + 4e + …)); the `--fit`
/// default margin is 1024 MiB per device (llama.cpp tools/fit-params README) plus ~300 MiB of
/// CUDA context.
pub fn reserves(cfg: &ModelConfig, _act_bytes: u64, _gpu: &Gpu, _tp: u64, _pp: u64) -> Reserves {
    let ubatch = 512;
    let compute = 4 * ubatch * (cfg.vocab_size + 4 * cfg.hidden_size);
    Reserves {
        activation: Bytes(compute),
        non_torch: Bytes::ZERO,
        outside_budget: Bytes(GIB) + Bytes(300 * MIB),
        buffers: Bytes::ZERO,
    }
}

/// KV for `concurrency` slots of `context` tokens: llama-server sizes one cache of `-c` cells
/// shared by `--parallel` slots, so the command for `n` slots of `c` tokens uses `-c n·c`
/// (padded to 256 once, `llama-context.cpp` `GGML_PAD(n_ctx, 256)`).
pub fn workload_kv(kv: KvPerToken, context: u64, concurrency: u64) -> u64 {
    let cells = context.saturating_mul(concurrency).div_ceil(256) * 256;
    let swa = (kv.window.saturating_mul(concurrency) + 512).div_ceil(256) * 256;
    // Recurrent state: one per slot, kept in F32 by llama.cpp (`llama-memory-recurrent`).
    kv.full
        .saturating_mul(cells)
        .saturating_add(kv.sliding.saturating_mul(swa.min(cells)))
        .saturating_add(
            kv.state_per_seq
                .saturating_mul(2)
                .saturating_mul(concurrency),
        )
}

/// `llama-server` (`common/arg.cpp`): `-m`, `-c` (one cache shared by all slots), `-ngl`,
/// `--parallel`, `-ctk`/`-ctv` (a quantized V cache needs `-fa on`).
pub fn command(c: &CommandInput, comments: &mut Vec<String>) -> Vec<String> {
    comments.push(format!(
        "a {} GGUF file of {} (convert_hf_to_gguf.py, then llama-quantize)",
        gguf_type(c.format),
        c.model_id
    ));
    let mut args = vec![
        format!("llama-server -m {}", gguf_file(c.model_id, c.format)),
        format!("-c {}", c.ctx.saturating_mul(c.n)),
        "-ngl 999".into(),
    ];
    if c.n > 1 {
        args.push(format!("--parallel {}", c.n));
    }
    let cache = match c.w.kv_dtype {
        KvDtype::Q8_0 => Some("q8_0"),
        KvDtype::Q4_0 => Some("q4_0"),
        KvDtype::Fp32 => Some("f32"),
        KvDtype::Bf16 => Some("bf16"),
        KvDtype::Fp8 => {
            comments.push("llama.cpp has no fp8 KV cache; it keeps f16".into());
            None
        }
        KvDtype::Auto | KvDtype::Fp16 => None,
    };
    if let Some(t) = cache {
        args.push(format!("-ctk {t} -ctv {t}"));
        if matches!(t, "q8_0" | "q4_0") {
            // A quantized V cache requires flash attention.
            args.push("-fa on".into());
        }
    }
    if c.tp > 1 || c.pp > 1 {
        comments.push(format!(
            "spread over {} GPUs: llama.cpp splits layers across all visible devices",
            c.tp * c.pp
        ));
    }
    args
}

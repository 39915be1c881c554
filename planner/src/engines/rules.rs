//! The engine rules the plan applies, each answered by the engine's own file.

use super::reserves::Reserves;
use super::{llama_cpp, sglang, transformers, vllm, Engine};
use crate::catalog::Gpu;
use crate::model::config::ModelConfig;
use crate::model::kv_cache::KvPerToken;
use crate::model::weights::WeightFormat;
use crate::plan::workload::Workload;
use crate::units::Bytes;

/// The reserves for `cfg` (activations in `act_bytes`-wide elements) on `gpu` under `w`
/// (its engine, parallelism, context and the llama.cpp / transformers settings).
pub fn reserves(cfg: &ModelConfig, act_bytes: u64, gpu: &Gpu, w: &Workload) -> Reserves {
    let (tp, pp) = (w.tensor_parallel.max(1), w.pipeline_parallel.max(1));
    match w.engine {
        Engine::Vllm => vllm::reserves(cfg, act_bytes, gpu, w),
        Engine::Sglang => sglang::reserves(cfg, act_bytes, gpu, tp, pp),
        Engine::LlamaCpp => llama_cpp::reserves(cfg, w),
        Engine::Transformers => transformers::reserves(cfg, act_bytes, w),
    }
}

/// Whether the engine's reserves depend on the context or the concurrency (llama.cpp's
/// compute buffer spans the cache; transformers prefills the whole prompt): the plan then works
/// them out again at every point it tries.
pub fn reserves_vary(engine: Engine) -> bool {
    matches!(engine, Engine::LlamaCpp | Engine::Transformers)
}

/// The measured range (or the formula) behind an engine's reserves, in words.
pub fn range_note(engine: Engine) -> &'static str {
    match engine {
        Engine::Vllm => vllm::RANGE_NOTE,
        Engine::Sglang => sglang::RANGE_NOTE,
        Engine::LlamaCpp => llama_cpp::RANGE_NOTE,
        Engine::Transformers => transformers::RANGE_NOTE,
    }
}

/// What the engine lets weights + activations + KV use on `gpu`, and for SGLang the
/// `mem_fraction_static` it used.
pub fn budget(
    engine: Engine,
    cfg: &ModelConfig,
    gpu: &Gpu,
    r: &Reserves,
    w: &Workload,
) -> (Bytes, Option<f64>) {
    let gpu_bytes = gpu.memory();
    match engine {
        Engine::Vllm => (vllm::budget(gpu_bytes, w), None),
        Engine::Sglang => {
            let (budget, frac) = sglang::budget(gpu_bytes, r, sglang::fraction(w, gpu, cfg));
            (budget, Some(frac))
        }
        // No pre-allocation: everything but the engine's own margin.
        Engine::LlamaCpp | Engine::Transformers => {
            (gpu_bytes.saturating_sub(r.outside_budget), None)
        }
    }
}

/// KV bytes one sequence of `context` tokens holds on one GPU, by the engine's paging rule:
/// whole blocks of full-attention tokens, and for sliding-window layers at most the window
/// (vLLM keeps a little more, [`vllm::sliding_tokens`]). `batched` is vLLM's
/// `max_num_batched_tokens` on that GPU ([`vllm::batch_defaults`], worked out once per plan).
pub fn sequence_kv(engine: Engine, kv: KvPerToken, context: u64, batched: u64) -> u64 {
    let block = engine.kv_block_tokens();
    let tokens = context.div_ceil(block) * block;
    let sliding_tokens = match engine {
        Engine::Vllm => vllm::sliding_tokens(kv.window, batched, context, block),
        _ => kv.window.min(tokens),
    };
    kv.full.saturating_mul(tokens).saturating_add(
        kv.sliding
            .saturating_mul(sliding_tokens.min(tokens.max(block))),
    )
}

/// KV the whole workload needs on one GPU.
pub fn workload_kv(
    engine: Engine,
    kv: KvPerToken,
    context: u64,
    concurrency: u64,
    batched: u64,
) -> u64 {
    match engine {
        Engine::LlamaCpp => llama_cpp::workload_kv(kv, context, concurrency),
        _ => sequence_kv(engine, kv, context, batched).saturating_mul(concurrency),
    }
}

/// The vision encoder's bytes per GPU: vLLM, SGLang and transformers load it in the
/// activation dtype (`act_bytes`; quantized checkpoints keep it unquantized) and shard its
/// linear layers with TP; llama.cpp keeps it in a separate `--mmproj` file, not loaded here.
/// On the row of the format the checkpoint is stored in, its vision and other encoders as stored.
pub fn vision_bytes(
    engine: Engine,
    cfg: &ModelConfig,
    format: WeightFormat,
    act_bytes: u64,
    tp: u64,
) -> u64 {
    if let (false, Some(x)) = (engine == Engine::LlamaCpp, cfg.exact_for(format)) {
        return (x.vision + x.other).0 / tp.max(1);
    }
    match (engine, &cfg.vision) {
        (Engine::LlamaCpp, _) | (_, None) => 0,
        (_, Some(v)) => v.params.saturating_mul(act_bytes) / tp.max(1),
    }
}

/// Bytes an engine's kernels add to the weights on `gpu` (vLLM's MXFP4 MoE padding).
pub fn weight_padding(
    engine: Engine,
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu: &Gpu,
    w: &Workload,
) -> u64 {
    match (engine, format) {
        (Engine::Vllm, WeightFormat::Mxfp4) => {
            vllm::mxfp4_padding(cfg, gpu.arch(), w.tensor_parallel.max(1))
        }
        _ => 0,
    }
}

/// Pool bytes per token of capacity. SGLang sizes a hybrid sliding-window model's two pools by
/// `swa_full_tokens_ratio` (default 0.8, `server_args.py`): each full-attention token comes
/// with 0.8 sliding-window tokens. The other engines count one of each.
pub fn pool_bytes_per_token(engine: Engine, kv: KvPerToken) -> u64 {
    match engine {
        Engine::Sglang if kv.sliding > 0 => {
            kv.full.saturating_add(kv.sliding.saturating_mul(4) / 5)
        }
        _ => kv.total(),
    }
}

/// Whether the engine's budget also holds its activation and non-torch reserve (vLLM profiles
/// them inside `gpu_memory_utilization`; llama.cpp and transformers have no pre-allocation) or
/// leaves it beside its pool (SGLang's `mem_fraction_static` covers weights and KV only).
pub fn reserve_in_budget(engine: Engine) -> bool {
    engine != Engine::Sglang
}

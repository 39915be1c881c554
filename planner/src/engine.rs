//! Engines as explicit budget rules.
//!
//! Each engine decides differently what must fit where. The non-weight, non-KV reserves
//! (activation peak, non-torch allocations, CUDA graphs, CUDA context) are modelled from how
//! the engine profiles memory and checked against measured engine logs
//! (`shared/calibration/measured.csv`, copied to `planner/tests/data/`); every constant cites
//! its source. Measured ranges are shown to the user with [`Reserves::range_note`].

use crate::catalog::Gpu;
use crate::model::config::ModelConfig;
use crate::units::{Bytes, GIB, MIB};
use serde::{Deserialize, Serialize};

/// A serving engine.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Engine {
    /// vLLM V1 (rules of 0.10–0.19).
    #[default]
    #[serde(rename = "vllm")]
    Vllm,
    /// SGLang.
    #[serde(rename = "sglang")]
    Sglang,
    /// llama.cpp `llama-server`.
    #[serde(rename = "llama.cpp")]
    LlamaCpp,
    /// Hugging Face transformers `generate` (no pre-allocation).
    #[serde(rename = "transformers")]
    Transformers,
}

/// All engines in UI order.
pub const ALL_ENGINES: [Engine; 4] = [
    Engine::Vllm,
    Engine::Sglang,
    Engine::LlamaCpp,
    Engine::Transformers,
];

impl Engine {
    /// Stable id (URL, CLI).
    pub fn id(self) -> &'static str {
        match self {
            Engine::Vllm => "vllm",
            Engine::Sglang => "sglang",
            Engine::LlamaCpp => "llama.cpp",
            Engine::Transformers => "transformers",
        }
    }

    /// Display name with the version whose logs calibrate it.
    pub fn label(self) -> &'static str {
        match self {
            Engine::Vllm => "vLLM V1 (0.19)",
            Engine::Sglang => "SGLang",
            Engine::LlamaCpp => "llama.cpp",
            Engine::Transformers => "HF transformers",
        }
    }

    /// Parses an id (also `llamacpp`, `hf`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vllm" => Some(Engine::Vllm),
            "sglang" => Some(Engine::Sglang),
            "llama.cpp" | "llamacpp" | "llama-cpp" => Some(Engine::LlamaCpp),
            "transformers" | "hf" => Some(Engine::Transformers),
            _ => None,
        }
    }

    /// Tokens per KV block: vLLM pages the cache in blocks (`--block-size`, default 16);
    /// llama.cpp pads the context to 256 cells (`llama-context.cpp`, `GGML_PAD(n_ctx, 256)`);
    /// SGLang's token pool has page size 1 and transformers grows its cache token by token.
    pub fn kv_block_tokens(self) -> u64 {
        match self {
            Engine::Vllm => 16,
            Engine::LlamaCpp => 256,
            Engine::Sglang | Engine::Transformers => 1,
        }
    }
}

/// vLLM's scheduler defaults for `vllm serve` (`EngineArgs.get_batch_defaults` in
/// `vllm/engine/arg_utils.py`): GPUs with ≥ 70 GiB whose name does not contain "a100" get
/// `max_num_batched_tokens` 8192 and `max_num_seqs` 1024; all others 2048 and 256.
/// Returns `(max_num_seqs, max_num_batched_tokens)`.
pub fn vllm_batch_defaults(gpu: &Gpu) -> (u64, u64) {
    // vLLM tests `"a100" in device_name.lower()`; compared without allocating (hot path).
    let has_a100 = |s: &str| {
        s.as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"a100"))
    };
    if gpu.memory_bytes >= 70 * GIB && !has_a100(&gpu.name) && !has_a100(&gpu.id) {
        (1024, 8192)
    } else {
        (256, 2048)
    }
}

/// Bytes the V1 sampler's dummy run holds per logit (`max_num_seqs × vocab` fp32 logits plus
/// the probability, log-probability and sort buffers): vLLM 0.19 on H100 measured
/// "torch peak memory increase" 1.89 GiB for 1024 × 128,256 (Llama-3.1-8B, 15.45 B) and
/// 2.21 GiB for 1024 × 152,064 (Qwen2.5-7B, 15.24 B) — measured.csv, llm-d accuracy runs.
/// In tenths of a byte: 15.3 B.
const SAMPLER_DECIBYTES_PER_LOGIT: u64 = 153;

/// Memory outside weights and KV cache, per GPU, as the engine would use it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Reserves {
    /// Activation / compute-buffer peak (inside the engine budget).
    pub activation: Bytes,
    /// Non-torch allocations inside the budget (NCCL, cuBLAS workspaces).
    pub non_torch: Bytes,
    /// Memory outside the engine budget: CUDA context, CUDA graphs, llama.cpp margin.
    pub outside_budget: Bytes,
    /// Extra weight-like buffers the engine loads (vLLM's rotary cos/sin cache).
    pub buffers: Bytes,
}

impl Reserves {
    /// The measured range behind these reserves, in words, for the plan's notes.
    pub fn range_note(engine: Engine) -> &'static str {
        match engine {
            Engine::Vllm => "vLLM 0.19 logs: activation peak 1.1–2.9 GiB, non-torch 0.07–0.26 GiB (TP 1) or 2.1 GiB (TP ≥ 2), CUDA graphs 0.5–1.6 GiB, CUDA context 0.5 GiB",
            Engine::Sglang => "SGLang reserve from its server_args.py formula; not yet checked against logs",
            Engine::LlamaCpp => "llama.cpp compute buffer estimated for a 512-token ubatch; 1 GiB --fit margin",
            Engine::Transformers => "transformers: prompt-chunk activations and last-token logits; CUDA context ~0.4 GiB",
        }
    }
}

/// The reserves for `cfg` (activations in `act_bytes`-wide elements) on `gpu` with TP `tp`
/// and PP `pp`.
pub fn reserves(
    engine: Engine,
    cfg: &ModelConfig,
    act_bytes: u64,
    gpu: &Gpu,
    tp: u64,
    pp: u64,
) -> Reserves {
    let tp = tp.max(1);
    let h = cfg.hidden_size;
    match engine {
        Engine::Vllm => {
            let (seqs, tokens) = vllm_batch_defaults(gpu);
            let seqs = seqs.min(tokens);
            // Profile run: a forward pass over `max_num_batched_tokens` tokens, then the
            // sampler over `max_num_seqs` rows (gpu_model_runner.py `profile_run`). The torch
            // peak is the larger of the two. The sampler runs on the last PP rank, which is the
            // most loaded one, and every TP rank holds the full-vocab logits.
            let sampler = seqs * cfg.vocab_size * SAMPLER_DECIBYTES_PER_LOGIT / 10;
            let inter = cfg.intermediate_size.div_ceil(tp);
            let mut forward = tokens * (3 * inter + 4 * h) * act_bytes;
            if let Some(m) = &cfg.moe {
                // fused_moe intermediate caches: [T, topk, 2·I/tp], [T·topk, I/tp], [T, topk, h].
                let ie = m.expert_intermediate.div_ceil(tp);
                let moe = tokens * m.experts_per_token * (3 * ie + h) * act_bytes
                    + 4 * tokens * h * act_bytes;
                forward = forward.max(moe);
            }
            let activation = Bytes(sampler.max(forward));
            // Non-torch increase during profiling: 0.24–0.26 GiB at TP 1, 2.06–2.13 GiB at
            // TP ≥ 2 (NCCL buffers), 0.07 GiB at PP ≥ 2 (vLLM 0.19 rows of measured.csv).
            let non_torch = if tp > 1 {
                Bytes(2100 * MIB)
            } else if pp > 1 {
                Bytes(72 * MIB)
            } else {
                Bytes(256 * MIB)
            };
            // Outside `gpu_memory_utilization`: the CUDA context ("worker init memory snapshot"
            // 0.51 GiB at TP 1, 1.5 GiB with NCCL) and CUDA graphs ("Graph capturing finished …
            // took 0.51–1.57 GiB"), same logs. KV is sized before graphs are captured.
            let context = if tp > 1 || pp > 1 {
                1536 * MIB
            } else {
                512 * MIB
            };
            let outside = Bytes(context + GIB);
            // vLLM's rotary cos/sin cache is part of "Model loading took".
            let (rows, dim) = cfg.rope_cache;
            Reserves {
                activation,
                non_torch,
                outside_budget: outside,
                buffers: Bytes(rows * dim * act_bytes),
            }
        }
        Engine::Sglang => {
            // SGLang keeps (1 − mem_fraction_static) free for activations and CUDA graphs; its
            // reserve formula (server_args.py, peers.md §5.3) with defaults:
            // 512 MB + max(chunked_prefill 8192, 2048) × 1.5 MB + cuda_graph_max_bs 160 × 2 MB
            // + tp × pp × 128 MB.
            let mb = 512 + 8192 * 3 / 2 + 160 * 2 + tp * pp.max(1) * 128;
            let (rows, dim) = cfg.rope_cache;
            Reserves {
                activation: Bytes(mb * MIB),
                non_torch: Bytes::ZERO,
                outside_budget: Bytes(512 * MIB),
                buffers: Bytes(rows * dim * act_bytes),
            }
        }
        Engine::LlamaCpp => {
            // Compute buffer for a 512-token ubatch: the logits (vocab × 512 × 4 B) plus the
            // attention scratch (Ollama `fs/ggml/ggml.go` GraphSize for llama:
            // 4·b·(1 + 4e + …)); the `--fit` default margin is 1024 MiB per device
            // (llama.cpp tools/fit-params README) plus ~300 MiB of CUDA context.
            let ubatch = 512;
            let compute = 4 * ubatch * (cfg.vocab_size + 4 * h);
            Reserves {
                activation: Bytes(compute),
                non_torch: Bytes::ZERO,
                outside_budget: Bytes(GIB) + Bytes(300 * MIB),
                buffers: Bytes::ZERO,
            }
        }
        Engine::Transformers => {
            // No pre-allocation: a 2048-token prompt chunk keeps the MLP intermediate, and
            // generate() computes logits for the last token only (`logits_to_keep`).
            let act = 2048 * 3 * cfg.intermediate_size.max(h) * act_bytes + 4 * cfg.vocab_size;
            Reserves {
                activation: Bytes(act),
                non_torch: Bytes::ZERO,
                outside_budget: Bytes(400 * MIB),
                buffers: Bytes::ZERO,
            }
        }
    }
}

/// Default SGLang `mem_fraction_static` for a GPU of `gpu` bytes and a reserve.
pub fn sglang_mem_fraction_static(gpu: Bytes, reserve: Bytes) -> f64 {
    if gpu.0 == 0 {
        return 0.0;
    }
    (1.0 - reserve.0 as f64 / gpu.0 as f64).clamp(0.0, 0.95)
}

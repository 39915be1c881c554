//! Engines as explicit budget rules.
//!
//! Each engine decides differently what must fit where. The non-weight, non-KV reserves
//! (activation peak, non-torch allocations, CUDA graphs, CUDA context) are taken from measured
//! engine logs, per engine version, and every constant cites its source. The planner shows them
//! as their own components so a user can see what is measured and what is derived.

use crate::arch::ModelConfig;
use crate::units::{Bytes, GIB, MIB};
use serde::{Deserialize, Serialize};

/// A serving engine.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Engine {
    /// vLLM V1 (0.19).
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
            Engine::Vllm => "vLLM 0.19 (V1)",
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

    /// Tokens per KV block: vLLM and SGLang page the cache in blocks (vLLM default
    /// `--block-size 16`; SGLang's token pool has page size 1); llama.cpp pads the context to
    /// 256 cells with flash attention (`llama-context.cpp` `n_ctx = GGML_PAD(n_ctx, 256)`).
    pub fn kv_block_tokens(self) -> u64 {
        match self {
            Engine::Vllm => 16,
            Engine::LlamaCpp => 256,
            Engine::Sglang | Engine::Transformers => 1,
        }
    }
}

/// Memory outside weights and KV cache, per GPU, as the engine would use it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Reserves {
    /// Activation / compute-buffer peak (inside the engine budget).
    pub activation: Bytes,
    /// Non-torch allocations inside the budget (NCCL, cuBLAS workspaces).
    pub non_torch: Bytes,
    /// Memory outside the engine budget: CUDA context, CUDA graphs, llama.cpp margin.
    pub outside_budget: Bytes,
}

/// vLLM's profile run default `max_num_seqs` for `vllm serve` (the sampler's dummy batch).
/// Source: vLLM `engine/arg_utils.py` usage-context defaults (1024 on ≥ 70 GiB GPUs since
/// 0.10; 256 otherwise).
pub fn vllm_max_num_seqs(gpu: Bytes) -> u64 {
    if gpu.0 >= 70 * GIB {
        1024
    } else {
        256
    }
}

/// vLLM's default `max_num_batched_tokens` for `vllm serve` (same source: 8192 on ≥ 70 GiB
/// GPUs, 2048 otherwise); sliding-window layers keep `window − 1 + this` tokens per sequence.
pub fn vllm_max_num_batched_tokens(gpu: Bytes) -> u64 {
    if gpu.0 >= 70 * GIB {
        8192
    } else {
        2048
    }
}

/// The reserves for `cfg` on a GPU of `gpu` bytes with TP `tp` and PP `pp`.
pub fn reserves(engine: Engine, cfg: &ModelConfig, gpu: Bytes, tp: u64, pp: u64) -> Reserves {
    match engine {
        Engine::Vllm => {
            // The V1 profile run's torch peak is the sampler over `max_num_seqs` dummy rows of
            // fp32 logits: vLLM 0.19 on H100 measured 1.89 GiB (Llama-3.1-8B, vocab 128,256)
            // and 2.21 GiB (Qwen2.5-7B / Qwen3-8B, vocab 151,936–152,064), i.e. ≈ 4 fp32
            // copies of a 1024 × vocab tensor (shared/calibration/measured.csv,
            // "torch peak memory increase"). Scaled by vocab and batch for other models.
            let activation = Bytes(4 * 4 * vllm_max_num_seqs(gpu) * cfg.vocab_size);
            // Non-torch increase during profiling: 0.24–0.26 GiB at TP 1, 2.06–2.13 GiB at
            // TP ≥ 2 (NCCL buffers), 0.07 GiB at PP ≥ 2 (vLLM 0.19 rows of measured.csv).
            let non_torch = if tp > 1 {
                Bytes(2 * GIB + 100 * MIB)
            } else if pp > 1 {
                Bytes(72 * MIB)
            } else {
                Bytes(256 * MIB)
            };
            // Outside `gpu_memory_utilization`: the CUDA context (0.51 GiB "worker init memory
            // snapshot" at TP 1) and CUDA graphs (0.5–1.6 GiB, "Graph capturing finished …
            // took X GiB"), both measured in the same logs.
            let outside = Bytes(512 * MIB) + Bytes(GIB);
            Reserves {
                activation,
                non_torch,
                outside_budget: outside,
            }
        }
        Engine::Sglang => {
            // SGLang reserves (1 − mem_fraction_static) for activations and CUDA graphs; its
            // reserve formula (peers.md §5.3, server_args.py) for defaults:
            // 512 MB + max(chunked_prefill 8192, 2048) × 1.5 MB + cuda_graph_max_bs × 2 MB
            // + tp × pp × 128 MB.
            let mb = 512 + 8192 * 3 / 2 + 160 * 2 + tp * pp * 128;
            Reserves {
                activation: Bytes(mb * MIB),
                non_torch: Bytes::ZERO,
                outside_budget: Bytes(512 * MIB),
            }
        }
        Engine::LlamaCpp => {
            // Compute buffer for a 512-token ubatch: the logits buffer (vocab × 512 × 4 B) plus
            // the attention scratch (Ollama `fs/ggml/ggml.go` GraphSize for llama:
            // 4·b·(1 + 4e + …)); the `--fit` default margin is 1024 MiB per device
            // (llama.cpp tools/fit-params README).
            let ubatch = 512;
            let compute = 4 * ubatch * (cfg.vocab_size + 4 * cfg.hidden_size);
            Reserves {
                activation: Bytes(compute),
                non_torch: Bytes::ZERO,
                outside_budget: Bytes(GIB) + Bytes(300 * MIB),
            }
        }
        Engine::Transformers => {
            // No pre-allocation: the forward pass for a prompt chunk keeps the MLP
            // intermediate and the last-token logits; the CUDA context is ~0.3–0.5 GiB.
            let act =
                2 * 2 * 2048 * cfg.intermediate_size.max(cfg.hidden_size) + 4 * cfg.vocab_size;
            Reserves {
                activation: Bytes(act),
                non_torch: Bytes::ZERO,
                outside_budget: Bytes(400 * MIB),
            }
        }
    }
}

/// Default SGLang `mem_fraction_static` for a GPU of `gpu` bytes (see [`reserves`]).
pub fn sglang_mem_fraction_static(gpu: Bytes, reserve: Bytes) -> f64 {
    if gpu.0 == 0 {
        return 0.0;
    }
    (1.0 - reserve.0 as f64 / gpu.0 as f64).clamp(0.0, 0.95)
}

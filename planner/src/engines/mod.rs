//! The serving engines, one file each: what it loads, the memory it reserves, how its budget
//! is drawn, how it pages the KV cache and the command that starts it. Each engine decides
//! differently what must fit where; the reserves are modelled from how the engine profiles
//! memory and checked against measured engine logs (`planner/tests/data/measured.csv`), and
//! every constant cites its source.
//!
//! This file is only the [`Engine`] name; [`rules`] dispatches to the engine files, and
//! [`support`] says which formats each one loads.

pub mod command;
pub mod efficiency;
pub mod llama_cpp;
pub mod reserves;
pub mod rules;
pub mod sglang;
pub mod shell;
pub mod support;
pub mod transformers;
pub mod vllm;

/// A serving engine.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Engine {
    /// vLLM V1 (rules of 0.10–0.19).
    #[default]
    Vllm,
    /// SGLang.
    Sglang,
    /// llama.cpp `llama-server`.
    LlamaCpp,
    /// Hugging Face transformers `generate` (no pre-allocation).
    Transformers,
}

impl serde::Serialize for Engine {
    /// As its id.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
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

    /// The engine's name without a version, for sentences.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Vllm => "vLLM",
            Engine::Sglang => "SGLang",
            Engine::LlamaCpp => "llama.cpp",
            Engine::Transformers => "transformers",
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

/// The vLLM releases whose profile run Fitgrid distinguishes: they differ in the sampler's
/// dummy run, the largest part of the activation peak on GPUs with `max_num_seqs` 1024.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum VllmRelease {
    /// 0.16 and later (Triton top-k/top-p), or an older release with the FlashInfer sampler
    /// (0.10's images): 15.3 B per logit, measured on 0.19.
    #[default]
    Current,
    /// 0.11–0.15, whose sampler sorts the logits (FlashInfer sampling off): 38 B per logit.
    SortSampler,
}

impl VllmRelease {
    /// Link and CLI id.
    pub fn id(self) -> &'static str {
        match self {
            VllmRelease::Current => "0.16",
            VllmRelease::SortSampler => "0.11",
        }
    }

    /// From a version string: `0.11`–`0.15.x` sort, anything else is current.
    pub fn parse(version: &str) -> Option<VllmRelease> {
        let mut parts = version.trim().trim_start_matches('v').split('.');
        let major: u64 = parts.next()?.parse().ok()?;
        let minor: u64 = parts.next().unwrap_or("0").parse().ok()?;
        Some(if major == 0 && (11..16).contains(&minor) {
            VllmRelease::SortSampler
        } else {
            VllmRelease::Current
        })
    }

    /// In words, for the page.
    pub fn label(self) -> &'static str {
        match self {
            VllmRelease::Current => "0.16 or later",
            VllmRelease::SortSampler => "0.11–0.15",
        }
    }
}

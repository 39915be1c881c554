//! What each engine can run: the weight formats it loads, the KV cache types it offers, the
//! GPUs its kernels need, and the shapes a block-FP8 checkpoint allows at a TP. The rules
//! themselves live in each engine's file; this file asks them and words the answer.

use super::{llama_cpp, sglang, transformers, vllm, Engine, ALL_ENGINES};
use crate::catalog::Gpu;
use crate::model::config::ModelConfig;
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::plan::workload::Workload;

/// Why a cell has no plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// Plain-words reason.
    pub reason: String,
}

impl Unsupported {
    /// A cell outside the part of the grid that was evaluated (`grid::evaluate_part`): no
    /// reason, and never shown.
    pub const NOT_EVALUATED: Unsupported = Unsupported {
        reason: String::new(),
    };

    fn new(reason: impl Into<String>) -> Self {
        Unsupported {
            reason: reason.into(),
        }
    }
}

/// Whether `engine` loads `format` (each engine file's `loads`).
pub fn supports(engine: Engine, format: WeightFormat) -> Result<(), Unsupported> {
    let ok = match engine {
        Engine::Vllm => vllm::loads(format),
        Engine::Sglang => sglang::loads(format),
        Engine::LlamaCpp => llama_cpp::loads(format),
        Engine::Transformers => transformers::loads(format),
    };
    if ok {
        Ok(())
    } else {
        Err(Unsupported::new(format!(
            "{} does not load {} weights{}",
            engine.label(),
            format.label(),
            equivalent(engine, format)
        )))
    }
}

/// The format `engine` loads in place of one it cannot: GGUF Q8_0 / Q4_K_M for llama.cpp,
/// AWQ for SGLang's GGUF, BF16 for transformers' GGUF (it dequantizes them).
pub fn equivalent_format(engine: Engine, format: WeightFormat) -> Option<WeightFormat> {
    use WeightFormat as F;
    match (engine, format) {
        (Engine::LlamaCpp, F::Int8 | F::Fp8) => Some(F::Q8_0),
        (Engine::LlamaCpp, F::Awq | F::Gptq | F::W4a16 | F::W4a16G32 | F::Nf4 | F::Nvfp4) => {
            Some(F::Q4KM)
        }
        (Engine::Sglang, f) if f.is_gguf() => Some(F::Awq),
        (Engine::Transformers, f) if f.is_gguf() => Some(F::Bf16),
        _ => None,
    }
}

/// The nearest format the engine does load, as a hint after a refusal.
fn equivalent(engine: Engine, format: WeightFormat) -> String {
    let alt = equivalent_format(engine, format);
    if engine == Engine::Transformers && format.is_gguf() {
        return "; it dequantizes a GGUF file to 16-bit on load, so plan BF16 or FP16 for that, or INT4 AWQ for 4-bit".into();
    }
    alt.map_or(String::new(), |a| {
        format!("; {} is its nearest equivalent", a.label())
    })
}

/// Why `engine` cannot keep a `kv` cache (with flash attention on or off, for llama.cpp):
/// each engine file's `kv_refusal`.
fn kv_refusal(engine: Engine, kv: KvDtype, flash_attention: bool) -> Option<String> {
    match engine {
        Engine::Vllm => vllm::kv_refusal(kv),
        Engine::Sglang => sglang::kv_refusal(kv),
        Engine::LlamaCpp => llama_cpp::kv_refusal(kv, flash_attention),
        Engine::Transformers => transformers::kv_refusal(kv),
    }
}

/// Whether `engine` offers a `kv` cache at all (flash attention on, for llama.cpp).
pub fn offers_kv(engine: Engine, kv: KvDtype) -> bool {
    kv_refusal(engine, kv, true).is_none()
}

/// Whether `w`'s engine runs its KV cache with `format` weights of `cfg` at its TP (the cache
/// types each engine offers, and the block-FP8 shard rule of vLLM and SGLang).
pub fn check(cfg: &ModelConfig, format: WeightFormat, w: &Workload) -> Result<(), Unsupported> {
    let (engine, kv, tp) = (w.engine, w.kv_dtype, w.tensor_parallel.max(1));
    supports(engine, format)?;
    if let Some(why) = kv_refusal(engine, kv, w.flash_attention) {
        return Err(Unsupported::new(why));
    }
    // MXFP4 here is gpt-oss's layout: 4-bit routed experts, 16-bit everything else.
    if matches!(format, WeightFormat::Mxfp4 | WeightFormat::Mxfp4Moe) && cfg.moe.is_none() {
        return Err(Unsupported::new(
            "MXFP4 quantizes routed experts (gpt-oss's layout), and this model has none; pick NVFP4 or INT4",
        ));
    }
    if matches!(engine, Engine::Vllm | Engine::Sglang) && format == WeightFormat::Fp8 {
        if let Some(why) = block_fp8_refusal(cfg, tp) {
            return Err(Unsupported::new(why));
        }
    }
    Ok(())
}

/// Whether `engine`'s kernels for `format` (the checkpoint's own when `native`) and a `kv`
/// cache run on `gpu` (each engine file's `gpu_refusal`; a GPU of unknown architecture is not
/// checked). A native bf16 checkpoint runs in fp16 where bf16 is missing: vLLM and SGLang
/// resolve `--dtype auto` to float16 there (vLLM `config/model.py` `_resolve_auto_dtype`).
pub fn check_gpu(
    engine: Engine,
    format: WeightFormat,
    native: bool,
    kv: KvDtype,
    gpu: &Gpu,
) -> Result<(), Unsupported> {
    let format = match format {
        WeightFormat::Bf16 if native => WeightFormat::Fp16,
        f => f,
    };
    let arch = gpu.arch();
    let why = match engine {
        Engine::Vllm => vllm::gpu_refusal(format, kv, arch),
        Engine::Sglang => sglang::gpu_refusal(format, kv, arch),
        Engine::LlamaCpp => None,
        Engine::Transformers => transformers::gpu_refusal(format, arch),
    };
    match why {
        Some(why) => Err(Unsupported::new(format!(
            "{why} (the {} is {})",
            gpu.name,
            arch_words(gpu)
        ))),
        None => Ok(()),
    }
}

/// "compute capability 7.0", "gfx90a", "Apple silicon".
fn arch_words(gpu: &Gpu) -> String {
    use crate::catalog::gpu::Arch;
    match gpu.arch() {
        Arch::Nvidia(cc) => format!("compute capability {}.{}", cc / 10, cc % 10),
        Arch::Amd(t) => t.to_string(),
        Arch::Apple => "Apple silicon".into(),
        Arch::Unknown => "of unknown architecture".into(),
    }
}

/// A block-FP8 checkpoint (`weight_block_size` `[n, k]`) at TP `tp`: every column-parallel
/// shard must be a whole number of `n`-blocks and every row-parallel shard of `k`-blocks, or
/// the engine refuses at load. vLLM `fp8_utils.py` `validate_fp8_block_shape` and
/// `Fp8MoEMethod.create_weights` ("… is not divisible by weight quantization block_n");
/// SGLang's `fp8.py` carries the same checks.
pub fn block_fp8_refusal(cfg: &ModelConfig, tp: u64) -> Option<String> {
    let (n, k) = cfg.fp8_block?;
    if tp <= 1 {
        return None;
    }
    let dense = cfg.has_dense_mlp();
    let mut shards = Vec::new();
    if dense {
        shards.push(("the MLP", cfg.intermediate_size));
    }
    if let Some(m) = &cfg.moe {
        shards.push(("each expert's MLP", m.expert_intermediate));
    }
    for (what, size) in shards {
        if size == 0 {
            continue;
        }
        let part = size / tp;
        if size % tp != 0 || part % n != 0 || part % k != 0 {
            return Some(format!(
                "at TP {tp} {what} ({size}) splits into shards of {part}, not whole {n}×{k} FP8 blocks; the engine refuses to load it (try a smaller TP)"
            ));
        }
    }
    None
}

/// The engines that load `format` (per [`supports`]).
pub fn engines_for(format: WeightFormat) -> Vec<Engine> {
    ALL_ENGINES
        .into_iter()
        .filter(|&e| supports(e, format).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_an_engine_and_gguf_is_llama_cpp_territory() {
        for f in crate::model::weights::ALL_FORMATS {
            assert!(!engines_for(f).is_empty(), "{f:?}");
        }
        assert!(engines_for(WeightFormat::Q4KM).contains(&Engine::LlamaCpp));
        assert!(!engines_for(WeightFormat::Q4KM).contains(&Engine::Transformers));
        assert!(!engines_for(WeightFormat::Awq).contains(&Engine::LlamaCpp));
        assert!(crate::model::weights::ALL_FORMATS.len() >= 15);
    }

    #[test]
    fn a_refused_format_names_the_engine_s_equivalent() {
        let e = supports(Engine::LlamaCpp, WeightFormat::Awq).unwrap_err();
        assert!(e.reason.contains("Q4_K_M"), "{}", e.reason);
        let e = supports(Engine::LlamaCpp, WeightFormat::Int8).unwrap_err();
        assert!(e.reason.contains("Q8_0"), "{}", e.reason);
    }
}

//! SGLang: `mem_fraction_static` of the GPU holds weights and the KV pool; the rest stays free
//! for activations and CUDA graphs.

use super::reserves::Reserves;
use super::shell::{checkpoint_comment, CommandInput};
use crate::catalog::gpu::Arch;
use crate::catalog::Gpu;
use crate::model::config::ModelConfig;
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::plan::workload::Workload;
use crate::units::{Bytes, MIB};

/// The basis of the reserves, for the plan's notes.
pub const RANGE_NOTE: &str = "SGLang 0.5.23 rules: default mem_fraction_static from the GPU's memory bucket (memory_hook.py); KV pool = fraction × memory free at start − weights (kv_cache_configurator.py); 0.5 GiB CUDA context before that";

/// SGLang loads Hugging Face checkpoints, not GGUF files.
pub fn loads(format: WeightFormat) -> bool {
    !format.is_gguf()
}

/// The defaults SGLang 0.5.23 derives from the GPU's total memory (`arg_groups/memory_hook.py`
/// `handle_gpu_memory_settings`; `gpu_mem` in MiB, thresholds `gpu_mem < X * 1024`):
/// `(chunked_prefill_size, cuda_graph_max_bs)` for TP `tp`.
pub fn bucket(gpu_mib: u64, tp: u64) -> (u64, u64) {
    let gib = |g: u64| g * 1024;
    let big_tp = tp >= 4;
    match gpu_mib {
        m if m < gib(20) => (2048, 8),
        m if m < gib(35) => (4096, if big_tp { 160 } else { 48 }),
        m if m < gib(60) => (4096, if big_tp { 160 } else { 32 }),
        m if m < gib(160) => (8192, if big_tp { 512 } else { 256 }),
        _ => (16384, 512),
    }
}

/// SGLang's own estimate of the memory it keeps outside the static pool, MiB
/// (`memory_hook.py`): 512 + max(chunked_prefill, 2048) × 1.5 + tp × pp / 8 × 1024 + the
/// decode CUDA graphs' max_bs × 2, at least 10 GiB on GPUs over 60 GiB.
pub fn reserved_mib(gpu_mib: u64, tp: u64, pp: u64) -> u64 {
    let (chunk, max_bs) = bucket(gpu_mib, tp);
    let r = 512 + chunk.max(2048) * 3 / 2 + tp * pp * 1024 / 8 + max_bs * 2;
    if gpu_mib > 60 * 1024 {
        r.max(10 * 1024)
    } else {
        r
    }
}

/// The default `--mem-fraction-static` on `gpu` at TP `tp`, PP `pp`:
/// `round((gpu_mem − reserved) / gpu_mem, 3)`, `gpu_mem` being the device's total memory in
/// MiB; multimodal models then scale it by `vision_factor` (`adjust_mem_fraction_for_vlm`).
pub fn default_fraction(gpu: &Gpu, tp: u64, pp: u64, vision_factor: f64) -> f64 {
    let mib = gpu.memory_bytes / MIB;
    if mib == 0 {
        return 0.0;
    }
    let r = reserved_mib(mib, tp, pp);
    let f = (mib.saturating_sub(r) as f64 / mib as f64 * 1000.0).round() / 1000.0;
    (f * vision_factor).clamp(0.0, 1.0)
}

/// `adjust_mem_fraction_for_vlm`: a ViT of `layers` × `hidden` against a ViT-L/14 baseline
/// (24 × 1024²) scales the fraction by 0.95 × clamp(1 − 0.1 × (ratio − 1), 0.8, 1.05).
pub fn vision_factor(layers: u64, hidden: u64) -> f64 {
    if layers == 0 {
        return 1.0;
    }
    let ratio = (layers * hidden * hidden) as f64 / (24.0 * 1024.0 * 1024.0);
    0.95 * (1.0 - 0.1 * (ratio - 1.0)).clamp(0.8, 1.05)
}

/// The fraction in effect: the user's `--mem-fraction-static`, else SGLang's default.
pub fn fraction(w: &Workload, gpu: &Gpu, cfg: &ModelConfig) -> f64 {
    match w.mem_fraction_static {
        Some(f) if f.is_finite() => f.clamp(0.0, 1.0),
        _ => {
            let (layers, hidden) = cfg.vision.as_ref().map_or((0, 0), |v| (v.layers, v.hidden));
            default_fraction(
                gpu,
                w.tensor_parallel.max(1),
                w.pipeline_parallel.max(1),
                vision_factor(layers, hidden),
            )
        }
    }
}

/// The reserves: SGLang's own estimate of what it needs beside the static pool
/// (`reserved_mib` without its floor): activations for a chunked-prefill step and the decode
/// CUDA graphs, and `tp × pp / 8` GiB for NCCL, whose buffers are allocated at the first
/// collective (NCCL connects lazily), after SGLang measured free memory. Before that
/// measurement only the CUDA context is taken: 0.5 GiB (vLLM 0.19 "worker init memory
/// snapshot" at TP 1, the same CUDA runtime).
pub fn reserves(cfg: &ModelConfig, act_bytes: u64, gpu: &Gpu, tp: u64, pp: u64) -> Reserves {
    let (chunk, max_bs) = bucket(gpu.memory_bytes / MIB, tp);
    let act = 512 + chunk.max(2048) * 3 / 2 + max_bs * 2;
    let (rows, dim) = cfg.rope_cache;
    Reserves {
        activation: Bytes(act * MIB),
        non_torch: Bytes(tp * pp * 1024 / 8 * MIB),
        outside_budget: Bytes(512 * MIB),
        buffers: Bytes(rows * dim * act_bytes),
    }
}

/// The budget: the static pool for weights and KV, `fraction` × the memory free at start
/// (`pre_model_load_memory`, after the CUDA context); the activation reserve stays free beside
/// it. Returns the budget and the fraction.
pub fn budget(gpu: Bytes, r: &Reserves, fraction: f64) -> (Bytes, f64) {
    let free = gpu.saturating_sub(r.outside_budget);
    (Bytes((free.0 as f64 * fraction) as u64), fraction)
}

/// Why SGLang cannot run a `kv` cache: `--kv-cache-dtype` takes `auto`, `bf16`/`bfloat16` and
/// `fp8_e5m2`/`fp8_e4m3` (`server_args.py` choices); `q8_0`/`q4_0` are llama.cpp's types.
pub fn kv_refusal(kv: KvDtype) -> Option<String> {
    match kv {
        KvDtype::Auto | KvDtype::Bf16 | KvDtype::Fp8 => None,
        _ => Some(format!(
            "SGLang has no --kv-cache-dtype {}: its cache follows the model dtype (auto), bf16 or fp8",
            kv.id()
        )),
    }
}

/// Why SGLang's kernels for `format` and a `kv` cache do not run on `arch`: no Metal backend;
/// CUDA from compute capability 7.0 (Volta through the Triton attention backend); bfloat16 from
/// 8.0; FP8 weights through Marlin from 8.0 and natively from 8.9 (`fp8.py`), FP8 KV from 8.0;
/// on ROCm, FP8 only on MI300-class GPUs.
pub fn gpu_refusal(format: WeightFormat, kv: KvDtype, arch: Arch) -> Option<String> {
    use WeightFormat as F;
    match arch {
        Arch::Apple => Some("SGLang has no Apple-GPU (Metal) backend".into()),
        Arch::Nvidia(cc) if cc < 70 => Some("SGLang needs compute capability 7.0 or newer".into()),
        Arch::Nvidia(cc) => {
            let weights = match format {
                F::Bf16
                | F::Fp8
                | F::W4a16
                | F::W4a16G32
                | F::Mxfp4
                | F::Nvfp4
                | F::Awq
                | F::Gptq => 80,
                _ => 70,
            };
            let cache = if matches!(kv, KvDtype::Bf16 | KvDtype::Fp8) {
                80
            } else {
                70
            };
            if cc < weights {
                Some(format!(
                    "SGLang's {} kernels need compute capability {}.{}",
                    format.label(),
                    weights / 10,
                    weights % 10
                ))
            } else if cc < cache {
                Some(format!(
                    "SGLang's {} KV cache needs compute capability 8.0",
                    kv.id()
                ))
            } else {
                None
            }
        }
        Arch::Amd(target) => {
            let fp8_ok = target.starts_with("gfx94") || target.starts_with("gfx95");
            match format {
                F::Nf4 | F::Nvfp4 | F::W4a16 => {
                    Some(format!("SGLang on ROCm has no {} kernels", format.label()))
                }
                F::Fp8 | F::Mxfp4 if !fp8_ok => Some(format!(
                    "SGLang runs {} only on MI300-class GPUs",
                    format.label()
                )),
                _ if kv == KvDtype::Fp8 && !fp8_ok => {
                    Some("SGLang's FP8 KV cache on ROCm needs an MI300-class GPU".into())
                }
                _ => None,
            }
        }
        Arch::Unknown => None,
    }
}

/// SGLang's decode efficiency: vLLM's ([`super::vllm::efficiency`]). Both run CUDA graphs over
/// FlashInfer/FlashAttention kernels, and SGLang's own comparison measures them within 7 % of
/// each other at 4 requests/s on one A100 (median TPOT 13.17 vs 14.14 ms, Llama-3.1-8B,
/// `benchmark/benchmark_vllm_060/README.md`); SGLang runs of other models and GPUs are replayed
/// against it in `tests/speed_serving.rs`. Its tensor-parallel all-reduce is its own one-shot
/// kernel (TensorRT-LLM's), ~5 µs for a decode-sized message on H100s against vLLM's ~10 µs
/// (3.7/4.8/5.9 µs at TP 2/4/8, sgl-project/sglang#2904).
pub fn efficiency() -> super::efficiency::Efficiency {
    super::efficiency::Efficiency {
        allreduce_s: 0.000_005,
        ..super::vllm::efficiency()
    }
}

/// `python -m sglang.launch_server` (`server_args.py`): `--model-path`, `--context-length`,
/// `--mem-fraction-static`, `--tp`, `--kv-cache-dtype`, `--dtype`, `--quantization`.
pub fn command(c: &CommandInput, fraction: f64, comments: &mut Vec<String>) -> Vec<String> {
    if !c.native {
        comments.extend(checkpoint_comment(c.format, c.model_id));
    }
    let mut args = vec![
        format!("python -m sglang.launch_server --model-path {}", c.model),
        format!("--context-length {}", c.ctx),
    ];
    // Three decimals, as SGLang rounds its own default (`round(…, 3)`).
    let f = crate::units::fixed(fraction, 3);
    args.push(format!(
        "--mem-fraction-static {}",
        f.trim_end_matches('0').trim_end_matches('.')
    ));
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
        KvDtype::Bf16 => args.push("--kv-cache-dtype bf16".into()),
        // Refused before a command is written (`kv_refusal`); `auto` needs no flag.
        _ => {}
    }
    if c.n > 1 {
        args.push(format!("--max-running-requests {}", c.n));
    }
    args
}

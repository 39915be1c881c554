//! How fast a plan runs: decode tokens/s per sequence and in total, prefill tokens/s and time
//! to first token. A roofline with the engine's measured efficiency: a decode step reads the
//! weights it needs (MoE: only the experts the batch routes to) and every sequence's KV cache,
//! at the share of the GPU's bandwidth the engine reaches, or computes at the share of its
//! dense tensor throughput, whichever is slower, plus the engine's fixed cost per step. Each
//! engine's efficiencies are in its own file, with the measurements they come from.

use super::{engine_format, Plan, Workload};
use crate::catalog::Gpu;
use crate::engines::efficiency::Efficiency;
use crate::engines::{llama_cpp, sglang, vllm, Engine};
use crate::model::config::ModelConfig;
use crate::model::weights::{weight_parts, WeightFormat};
use serde::Serialize;

/// The speed of a plan at its context and concurrency.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Speed {
    /// Decode tokens/s of one sequence, every sequence `context` tokens deep.
    pub decode_tokens_per_s: f64,
    /// Decode tokens/s of all `concurrency` sequences together.
    pub decode_tokens_per_s_total: f64,
    /// Prefill tokens/s for one `context`-token prompt (`None`: the GPU's throughput is not in
    /// the catalogue).
    pub prefill_tokens_per_s: Option<f64>,
    /// Time to the first token of a `context`-token prompt, ms.
    pub ttft_ms: Option<f64>,
}

/// Why a plan has no speed figure.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum NoSpeed {
    /// No published run backs the engine's efficiency for this file or GPU.
    #[error("no published measurement backs this engine's efficiency here yet")]
    EngineUnmeasured,
    /// The GPU has no memory-bandwidth figure.
    #[error("the GPU's memory bandwidth is not known")]
    GpuBandwidthUnknown,
    /// Part of the model is read from system RAM whose bandwidth was not given.
    #[error("give the system RAM bandwidth for the part in system RAM")]
    RamBandwidthUnknown,
}

impl Plan {
    /// Stores a speed figure, or why there is none.
    pub fn set_speed(&mut self, s: Result<Speed, NoSpeed>) {
        (self.speed, self.no_speed) = match s {
            Ok(s) => (Some(s), None),
            Err(e) => (None, Some(e)),
        };
    }
}

/// The engine's efficiency on `gpu` for `format`; `None` where no measured run backs one.
fn efficiency(engine: Engine, gpu: &Gpu, format: WeightFormat) -> Option<Efficiency> {
    match engine {
        Engine::LlamaCpp => Some(llama_cpp::efficiency(gpu, format)),
        // vLLM's GGUF kernels (its experimental loader) were not in any measured run.
        Engine::Vllm => (!format.is_gguf()).then(vllm::efficiency),
        Engine::Sglang => Some(sglang::efficiency()),
        // No published run of `generate()` isolates its decode or prefill speed.
        Engine::Transformers => None,
    }
}

/// The bytes one decode step of `batch` tokens reads from the weights, on the GPU and in
/// system RAM, and the parameters a token multiplies (per GPU). MoE layers read each expert
/// the batch routes to once, `E · (1 − (1 − k/E)^batch)` of them on average; the embedding is
/// a lookup (one row a token); llama.cpp's layers and experts left in system RAM (`-ngl`,
/// `--n-cpu-moe`, as its `load_tensors` places them) are read there.
pub struct Reads {
    /// The file the engine loads.
    format: WeightFormat,
    gpu: f64,
    host: f64,
    active: f64,
    /// MoE layers whose experts are read in system RAM.
    host_moe_layers: u64,
    /// MoE layers in all.
    moe_layers: u64,
}

/// What a decode step of `w`'s batch reads of `cfg` as `format`, on any GPU: the grid works it
/// out once per row and prices every GPU column with [`speed_with`].
pub fn reads(cfg: &ModelConfig, format: WeightFormat, w: &Workload) -> Reads {
    let format = engine_format(format.resolve(cfg), w.engine);
    let batch = w.concurrency.max(1);
    let split = split_and_hops(w).0;
    let parts = weight_parts(cfg, format);
    let (routed_share, active_share) = match &cfg.moe {
        Some(m) if m.num_experts > 0 => {
            let k = m.experts_per_token.min(m.num_experts) as f64 / m.num_experts as f64;
            (1.0 - (1.0 - k).powi(batch.clamp(1, 1 << 20) as i32), k)
        }
        _ => (1.0, 1.0),
    };
    let n = cfg.num_layers.max(1);
    let at = layer_split(cfg, w);
    let moe_layers = at.moe_layers(cfg);
    let per_moe = parts.experts as f64 / (moe_layers.len() as f64).max(1.0);
    let experts_host =
        moe_layers.iter().filter(|&&i| at.experts_in_ram(i)).count() as f64 * per_moe;
    let layers_host = parts.layers as f64 * (n - at.on_gpu) as f64 / n as f64;
    let output_host = if at.output_on_gpu {
        0.0
    } else {
        parts.output as f64
    };
    let host = (layers_host + output_host) + experts_host * routed_share;
    let all = (parts.output + parts.layers) as f64 + parts.experts as f64 * routed_share;
    let params = cfg.param_count() as f64;
    let routed_params = cfg.moe.as_ref().map_or(0.0, |m| {
        (m.num_experts * cfg.moe_layer_count() * 3) as f64
            * cfg.hidden_size as f64
            * m.expert_intermediate as f64
    });
    let active = params - routed_params * (1.0 - active_share);
    Reads {
        format,
        moe_layers: moe_layers.len() as u64,
        gpu: (all - host) / split as f64,
        host,
        active: active / split as f64,
        // Layers wholly in RAM run their experts there too: no hand-over inside them.
        host_moe_layers: moe_layers
            .iter()
            .filter(|&&i| at.experts_in_ram(i) && !at.layer_in_ram(i))
            .count() as u64,
    }
}

/// The speed of `plan` (of `cfg` as `format` on `gpu` under `w`), or why there is none: the GPU
/// has no bandwidth figure, the engine no measured efficiency, or part of the model sits in
/// system RAM whose bandwidth was not given.
pub fn speed(
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu: &Gpu,
    w: &Workload,
    plan: &Plan,
) -> Result<Speed, NoSpeed> {
    speed_with(&reads(cfg, format, w), cfg, gpu, w, plan)
}

/// Which layers sit on the GPU: llama.cpp's `-ngl` / `--n-cpu-moe` placement; every other
/// engine keeps them all there.
fn layer_split(cfg: &ModelConfig, w: &Workload) -> llama_cpp::Split {
    match w.engine {
        Engine::LlamaCpp => llama_cpp::Split::of(cfg, w),
        _ => llama_cpp::Split::all_on_gpu(cfg),
    }
}

/// vLLM and SGLang split every matrix over TP ranks, which read in parallel; llama.cpp's split
/// puts whole layers on each GPU, which take their turn: one token still reads the whole model
/// at one GPU's speed, plus a hop between GPUs. `(split, hops)`.
fn split_and_hops(w: &Workload) -> (u64, u64) {
    let gpus = w.gpus();
    match w.engine {
        Engine::LlamaCpp => (1, gpus - 1),
        _ => (w.tensor_parallel.max(1), w.pipeline_parallel.max(1) - 1),
    }
}

/// [`speed`] from the row's [`reads`].
pub fn speed_with(
    reads: &Reads,
    cfg: &ModelConfig,
    gpu: &Gpu,
    w: &Workload,
    plan: &Plan,
) -> Result<Speed, NoSpeed> {
    let eff = efficiency(w.engine, gpu, reads.format).ok_or(NoSpeed::EngineUnmeasured)?;
    let bandwidth = gpu.bandwidth_gbps.ok_or(NoSpeed::GpuBandwidthUnknown)? as f64 * 1e9;
    // Tensor FP16 throughput; Apple publishes only FP32, at which its GPUs also run FP16.
    // A GPU without tensor cores (P40, GTX 1080 Ti) runs llama.cpp's prefill on integer dot
    // products, not modelled: no prefill figure there.
    let apple = gpu.arch() == crate::catalog::gpu::Arch::Apple;
    let flops = if apple {
        gpu.fp32_gflops.or(gpu.fp16_gflops)
    } else {
        gpu.fp16_gflops
    }
    .map(|g| g as f64 * 1e9);
    let n = w.concurrency.max(1);
    let (split, hops) = split_and_hops(w);
    // Every sequence's cache is read once per step: the GPU's share there, the rest (layers
    // left in system RAM keep their cache with them) from RAM. Unified memory is one pool.
    let kv = plan.kv_cache_bytes as f64;
    let n_layers = cfg.num_layers.max(1);
    let on_gpu = layer_split(cfg, w).on_gpu;
    let (host_weights, host_kv) = if apple {
        (0.0, 0.0)
    } else {
        let kv_host = kv * (n_layers - on_gpu) as f64 / on_gpu.max(1) as f64;
        (reads.host, kv_host)
    };
    let gpu_weights = reads.gpu + if apple { reads.host } else { 0.0 };
    let memory_s = (gpu_weights / eff.format + kv) / (bandwidth * eff.memory);
    let host_s = if host_weights + host_kv > 0.0 {
        let ram = w
            .system_bandwidth_gbps
            .ok_or(NoSpeed::RamBandwidthUnknown)? as f64
            * 1e9;
        (host_weights / eff.format + host_kv) / (ram * eff.host_memory)
            + reads.host_moe_layers as f64 * eff.host_round_trip_s
    } else {
        0.0
    };
    // Many sequences make a step compute-bound. Without a measured share of the tensor rate
    // (vLLM, SGLang) the datasheet's peak still bounds it: a step is never faster than that.
    let compute_s = match flops {
        Some(f) => 2.0 * reads.active * n as f64 / (f * eff.compute.unwrap_or(1.0)),
        None => 0.0,
    };
    let allreduce = if split > 1 {
        2.0 * n_layers as f64 * eff.allreduce_s
    } else {
        0.0
    };
    let layers_s = n_layers as f64 * eff.layer_s + reads.moe_layers as f64 * eff.moe_layer_s;
    let step = memory_s.max(compute_s)
        + host_s
        + eff.step_s
        + layers_s
        + hops as f64 * eff.hop_s
        + allreduce;
    // Prefill: every prompt token through every active weight, plus causal attention over the
    // tokens before it (on average half the prompt).
    let context = w.context.max(1) as f64;
    let attention =
        2.0 * (cfg.num_layers * cfg.num_heads * cfg.head_dim) as f64 * context / split as f64;
    // MoE prefill runs grouped expert matrices whose efficiency no measured run gives yet;
    // a prompt through layers in system RAM neither.
    let prefill = match (flops, eff.compute, &cfg.moe) {
        (Some(f), Some(c), None) if host_s == 0.0 => Some(f * c / (2.0 * reads.active + attention)),
        _ => None,
    };
    Ok(Speed {
        decode_tokens_per_s: 1.0 / step,
        decode_tokens_per_s_total: n as f64 / step,
        prefill_tokens_per_s: prefill,
        ttft_ms: prefill.map(|p| (context / p + step) * 1e3),
    })
}

/// Decode speed against concurrency for the detail chart: `(sequences, tokens/s per sequence,
/// tokens/s in total, fits)` at 1, 2, 4, … sequences up to twice the asked count or the most
/// that fit (at least 8, at most 1,024), and at the asked count itself; empty when no count
/// fits.
pub fn speed_curve(
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu: &Gpu,
    w: &Workload,
    plan: &Plan,
) -> Vec<(u64, f64, f64, bool)> {
    let asked = w.concurrency.max(1);
    let upto = (2 * asked).max(plan.max_concurrency).clamp(8, 1024);
    let mut counts: Vec<u64> = (0..11).map(|i| 1u64 << i).filter(|&c| c <= upto).collect();
    // The asked count in its place (no sort: one sort instantiation less in the wasm).
    if let Err(i) = counts.binary_search(&asked) {
        counts.insert(i, asked);
    }
    // The plan's own placement at every point (what `--fit` chose for the asked count), so the
    // curve says where that start stops fitting.
    let placed = plan.offload.map_or_else(|| w.clone(), |o| o.apply(w));
    let curve = counts
        .into_iter()
        .filter_map(|n| {
            let at = Workload {
                concurrency: n,
                ..placed.clone()
            };
            let p = super::plan_with(cfg, format, gpu, &at, false).ok()?;
            let s = speed(cfg, format, gpu, &at, &p).ok()?;
            Some((
                n,
                s.decode_tokens_per_s,
                s.decode_tokens_per_s_total,
                p.fits,
            ))
        })
        .collect::<Vec<_>>();
    // A start that fits at no count has no speed to draw (the detail says why).
    if curve.iter().any(|c| c.3) {
        curve
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::plan::plan;

    fn at(model: &str, format: WeightFormat, gpu: &str, w: Workload) -> Speed {
        let c = catalog();
        let (m, g) = (c.model(model).unwrap(), c.gpu(gpu).unwrap());
        plan(&m.config, format, g, &w).unwrap().speed.unwrap()
    }

    fn llama(context: u64, concurrency: u64, gpus: u64) -> Workload {
        Workload {
            engine: Engine::LlamaCpp,
            context,
            concurrency,
            tensor_parallel: gpus,
            ..Workload::default()
        }
    }

    #[test]
    fn the_speed_curve_is_empty_when_no_count_fits() {
        let c = catalog();
        let (m, gpu) = (
            c.model("meta-llama/Llama-2-70b-hf").unwrap(),
            c.gpu("h100-sxm-80gb").unwrap(),
        );
        let w = Workload::default();
        // 70B at FP16 is ~129 GiB of weights: no count of sequences fits one H100.
        let p = plan(&m.config, WeightFormat::Fp16, gpu, &w).unwrap();
        assert!(!p.fits);
        assert!(speed_curve(&m.config, WeightFormat::Fp16, gpu, &w, &p).is_empty());
        // At 4 bits it fits, and the curve runs solid up to where it stops fitting.
        let p = plan(&m.config, WeightFormat::Awq, gpu, &w).unwrap();
        let curve = speed_curve(&m.config, WeightFormat::Awq, gpu, &w, &p);
        assert!(curve.len() > 3 && curve[0].3, "{curve:?}");
    }

    #[test]
    fn decode_is_bandwidth_bound_but_not_bandwidth_over_bytes() {
        // Llama-3-8B Q4_K_M on an RTX 4090: 4.9 GB at 1,008 GB/s would be 206 t/s; llama.cpp
        // reaches 92 % of the bandwidth at 91 % per byte plus 2 ms a token: ~127 t/s
        // (measured 130.58, XiongjieDai/GPU-Benchmarks-on-LLM-Inference).
        let s = at(
            "meta-llama/Meta-Llama-3-8B",
            WeightFormat::Q4KM,
            "rtx-4090-24gb",
            llama(512, 1, 1),
        );
        assert!((120.0..135.0).contains(&s.decode_tokens_per_s), "{s:?}");
        // Long contexts read the KV cache too: slower at 32k.
        let deep = at(
            "meta-llama/Meta-Llama-3-8B",
            WeightFormat::Q4KM,
            "rtx-4090-24gb",
            llama(32_768, 1, 1),
        );
        assert!(
            deep.decode_tokens_per_s < 0.8 * s.decode_tokens_per_s,
            "{deep:?}"
        );
    }

    #[test]
    fn a_layer_split_gives_no_decode_speed_up_and_moe_reads_only_its_experts() {
        let one = at(
            "meta-llama/Meta-Llama-3-8B",
            WeightFormat::Q8_0,
            "rtx-3090-24gb",
            llama(512, 1, 1),
        );
        let two = at(
            "meta-llama/Meta-Llama-3-8B",
            WeightFormat::Q8_0,
            "rtx-3090-24gb",
            llama(512, 1, 2),
        );
        assert!(two.decode_tokens_per_s <= one.decode_tokens_per_s);
        // Qwen3-30B-A3B routes 8 of 128 experts: a token reads ~3B parameters' worth, so it
        // decodes several times faster than a dense model of its 30B parameters would.
        let moe = at(
            "Qwen/Qwen3-30B-A3B",
            WeightFormat::Q4KM,
            "rtx-a6000-48gb",
            llama(512, 1, 1),
        );
        let dense = at(
            "meta-llama/Meta-Llama-3-8B",
            WeightFormat::Q4KM,
            "rtx-a6000-48gb",
            llama(512, 1, 1),
        );
        assert!(
            moe.decode_tokens_per_s > dense.decode_tokens_per_s,
            "{moe:?} {dense:?}"
        );
        // More sequences route to more experts: per-sequence speed drops, the total rises.
        let eight = at(
            "Qwen/Qwen3-30B-A3B",
            WeightFormat::Q4KM,
            "rtx-a6000-48gb",
            llama(512, 8, 1),
        );
        assert!(eight.decode_tokens_per_s < moe.decode_tokens_per_s);
        assert!(eight.decode_tokens_per_s_total > moe.decode_tokens_per_s_total);
    }

    #[test]
    fn vllm_decode_is_bandwidth_bound_alone_and_compute_bound_in_a_crowd() {
        let w = |n: u64| Workload {
            context: 512,
            concurrency: n,
            gpu_memory_utilization: 0.95,
            ..Workload::default()
        };
        let one = at(
            "meta-llama/Llama-3.1-8B-Instruct",
            WeightFormat::Native,
            "h100-sxm-80gb",
            w(1),
        );
        // ~15 GB read at 77 % of 3.35 TB/s plus 32 × 19 µs: ~170 t/s (measured 154 at 6.48 ms).
        assert!((140.0..190.0).contains(&one.decode_tokens_per_s), "{one:?}");
        // 1,024 sequences: every step multiplies 8 B parameters 1,024 times; 65 % of the H100's
        // dense 989 TFLOPS bound the total to ~40,000 tokens/s, whatever the bandwidth.
        let crowd = at(
            "meta-llama/Llama-3.1-8B-Instruct",
            WeightFormat::Native,
            "h100-sxm-80gb",
            w(1024),
        );
        assert!(crowd.decode_tokens_per_s_total < 41_000.0, "{crowd:?}");
        assert!(
            crowd.decode_tokens_per_s < one.decode_tokens_per_s / 4.0,
            "{crowd:?}"
        );
        // Prefill at 65 % of 989 TFLOPS over 2 × 8 B FLOPs a token: ~40,000 tokens/s.
        let prefill = one.prefill_tokens_per_s.unwrap();
        assert!((35_000.0..42_000.0).contains(&prefill), "{one:?}");
    }
}

//! One scenario (model, format, GPU, engine, workload) → one per-GPU memory plan.
//!
//! This is the single source of truth for the grid, the cell detail and `fitgrid plan`.

use crate::catalog::gpu::Arch;
use crate::catalog::Gpu;
use crate::engines::rules::{self, workload_kv};
use crate::engines::support::{check, check_gpu, Unsupported};
use crate::engines::{llama_cpp, Engine};
use crate::model::config::ModelConfig;
use crate::model::kv_cache::{kv_per_token, KvPerToken};
use crate::model::weights::{weight_bytes, WeightFormat};
use crate::units::Bytes;
use serde::Serialize;
use size::Sizer;

pub mod band;
pub mod colocate;
pub mod cost;
mod notes;
pub mod offload;
pub mod ranges;
mod size;
pub mod speed;
pub mod to_fit;
pub mod verdict;
pub mod workload;

pub use band::{Band, SpeedBand, Thresholds};
pub use offload::Offload;
pub use speed::{NoSpeed, Speed};
pub use verdict::{LimitedBy, Reason};
pub use workload::Workload;

/// The plan for one GPU of the deployment. Bytes are per GPU.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// The engine planned for.
    pub engine: Engine,
    /// Context asked, tokens per sequence.
    pub context: u64,
    /// Sequences asked.
    pub concurrency: u64,
    /// The model's `max_position_embeddings`.
    pub model_max_context: u64,
    /// Weights on the most loaded GPU (the vision encoder included).
    pub weights_bytes: u64,
    /// Of which a multimodal checkpoint's vision encoder and projector.
    pub vision_bytes: u64,
    /// Bytes the engine keeps in system RAM instead (llama.cpp: the token embedding, layers
    /// and experts left on the CPU, and those layers' KV cache); not part of the total.
    pub host_bytes: u64,
    /// KV bytes per token (all attention layers, this GPU's share).
    pub kv_bytes_per_token: u64,
    /// KV cache the workload needs (context × concurrency, engine paging rules).
    pub kv_cache_bytes: u64,
    /// Activation / compute buffer peak.
    pub activation_bytes: u64,
    /// Everything else: non-torch, CUDA context, CUDA graphs, margins.
    pub overhead_bytes: u64,
    /// Sum of the above.
    pub total_bytes: u64,
    /// Memory of the GPU as the engine sees it.
    pub gpu_memory_bytes: u64,
    /// What the engine lets weights + activations + KV use.
    pub budget_bytes: u64,
    /// What that budget holds besides the KV cache (weights, and for vLLM, llama.cpp and
    /// transformers the activation peak and non-torch memory).
    pub budget_fixed_bytes: u64,
    /// `total_bytes / gpu_memory_bytes`.
    pub utilization: f64,
    /// The band when it fits, else does-not-fit.
    pub status: Band,
    /// `utilization` in per-mille, rounded up (the bands compare its whole percent, rounded up).
    pub utilization_permille: u64,
    /// The one rule: the engine starts with this configuration and holds `concurrency`
    /// sequences of `context` tokens ([`Reason::Fits`]).
    pub fits: bool,
    /// Why it does or does not fit.
    pub reason: Reason,
    /// KV pool capacity in tokens, engine-wide (vLLM "GPU KV cache size: N tokens").
    pub kv_capacity_tokens: u64,
    /// Most sequences of `context` tokens that fit (by the same rule as `fits`; 0 when the
    /// context is over the model's).
    pub max_concurrency: u64,
    /// Longest context that fits at `concurrency` sequences (at most the model's).
    pub max_context: u64,
    /// Utilisation (per-mille) at `max_context` tokens: the band the max-context mode shows.
    pub max_context_permille: u64,
    /// Utilisation (per-mille) at `max_concurrency` sequences: the max-concurrency mode's band.
    pub max_concurrency_permille: u64,
    /// System RAM given for what llama.cpp keeps there (`None`: not given, not checked).
    pub system_memory_bytes: Option<u64>,
    /// The layers and experts llama.cpp's `--fit` moved to system RAM to fit (`None`: none
    /// moved, or the user set `-ngl` / `--n-cpu-moe` themselves).
    pub offload: Option<Offload>,
    /// How fast it runs at `context` and `concurrency` (`None`: not asked for, or no figure,
    /// then `no_speed` says why; see [`speed::speed`]).
    pub speed: Option<Speed>,
    /// Why there is no speed figure when one was asked for.
    pub no_speed: Option<NoSpeed>,
    /// Assumptions and warnings, in plain words.
    pub notes: Vec<String>,
}

/// Plans `cfg` stored as `format` on a GPU with `gpu` bytes under `w`.
pub fn plan(
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu_spec: &Gpu,
    w: &Workload,
) -> Result<Plan, Unsupported> {
    plan_with(cfg, format, gpu_spec, w, true)
}

/// [`plan`], with or without its notes: the verdicts that only read the numbers (the chart's
/// points, suggestions, a command's "does not fit" line) skip formatting them.
pub(crate) fn plan_with(
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu_spec: &Gpu,
    w: &Workload,
    with_notes: bool,
) -> Result<Plan, Unsupported> {
    let prepared = prepare(cfg, format, w)?;
    prepared.runs_on(gpu_spec, w)?;
    let p = plan_prepared(cfg, &prepared, gpu_spec, w, with_notes);
    Ok(offload::fit(cfg, format, gpu_spec, w, with_notes, p))
}

/// The GPU-independent part of a plan (weights and KV layout): computed once per model and
/// format, reused for every GPU column of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    format: WeightFormat,
    native: bool,
    model_bytes: u64,
    kv: KvPerToken,
    kv_all: KvPerToken,
    weights: Bytes,
    host: Bytes,
    /// llama.cpp's weights on unified memory (Apple): the whole file, mapped once.
    unified: Bytes,
    vision: Bytes,
}

/// The file an engine loads for a format: llama.cpp runs gpt-oss's MXFP4 experts from its
/// MXFP4_MOE GGUF, with the other matrices at Q8_0.
pub fn engine_format(format: WeightFormat, engine: Engine) -> WeightFormat {
    match (format, engine) {
        (WeightFormat::Mxfp4, Engine::LlamaCpp) => WeightFormat::Mxfp4Moe,
        (f, _) => f,
    }
}

impl Prepared {
    /// Whether the engine's kernels for this format and `w`'s cache run on `gpu`
    /// ([`check_gpu`]); the grid asks this per GPU column before planning.
    pub fn runs_on(&self, gpu: &Gpu, w: &Workload) -> Result<(), Unsupported> {
        check_gpu(w.engine, self.format, self.native, w.kv_dtype, gpu)
    }
}

/// Checks the engine/format/cache combination and the TP split, then prices weights and the
/// KV layout.
pub fn prepare(
    cfg: &ModelConfig,
    format: WeightFormat,
    w: &Workload,
) -> Result<Prepared, Unsupported> {
    let native = format == WeightFormat::Native;
    let format = engine_format(format.resolve(cfg), w.engine);
    check(cfg, format, w)?;
    if cfg.num_heads % w.tensor_parallel.max(1) != 0 {
        // vLLM and SGLang shard attention heads evenly (`ensure_divisibility`).
        return Err(Unsupported {
            reason: format!(
                "tensor parallel {} must divide the {} attention heads",
                w.tensor_parallel, cfg.num_heads
            ),
        });
    }
    let (tp, pp) = (w.tensor_parallel.max(1), w.pipeline_parallel.max(1));
    let model_bytes = format.activation_bytes(cfg);
    // llama.cpp's KV cache defaults to f16 whatever the weights are (`-ctk f16`).
    let kv_model_bytes = if w.engine == Engine::LlamaCpp {
        2
    } else {
        model_bytes
    };
    let kv_all = kv_per_token(cfg, w.kv_dtype, kv_model_bytes, tp, pp);
    let kv_all = if w.engine == Engine::LlamaCpp {
        llama_cpp::own_kv_layout(kv_all, cfg)
    } else {
        kv_all
    };
    // llama.cpp places tensors and their caches layer by layer (`-ngl`, `--n-cpu-moe`).
    let (weights, host, unified, kv) = if w.engine == Engine::LlamaCpp {
        let at = llama_cpp::placement(cfg, format, w);
        (
            Bytes(at.gpu.div_ceil(tp * pp)),
            Bytes(at.host),
            Bytes(at.unified),
            llama_cpp::kv_share(kv_all, cfg, w),
        )
    } else {
        let bytes = weight_bytes(cfg, format, tp, pp);
        (bytes, Bytes::ZERO, bytes, kv_all)
    };
    Ok(Prepared {
        format,
        native,
        model_bytes,
        kv,
        kv_all,
        weights,
        host,
        unified,
        vision: Bytes(rules::vision_bytes(w.engine, cfg, format, model_bytes, tp)),
    })
}

/// The plan on one GPU from a [`Prepared`] model; `with_notes: false` skips the explanatory
/// notes (the grid does not show them, and formatting them dominates a large grid's cost).
pub fn plan_prepared(
    cfg: &ModelConfig,
    prepared: &Prepared,
    gpu_spec: &Gpu,
    w: &Workload,
    with_notes: bool,
) -> Plan {
    let context = w.context.max(1);
    let concurrency = w.concurrency.max(1);
    let sizer = Sizer::new(cfg, prepared, gpu_spec, w);
    let gpu = sizer.gpu;
    let at = sizer.at(context, concurrency);
    // What llama.cpp keeps in system RAM: the tensors it leaves there and their layers' KV
    // (on Apple's unified memory nothing: it is the same pool).
    let kv_host = workload_kv(
        w.engine,
        prepared.kv_all,
        context,
        concurrency,
        sizer.batched,
    )
    .saturating_sub(at.kv);
    let host = if w.engine == Engine::LlamaCpp && gpu_spec.arch() == Arch::Apple {
        Bytes::ZERO
    } else {
        prepared.host + Bytes(kv_host)
    };
    let per_token_all = rules::pool_bytes_per_token(w.engine, sizer.kv).max(1);
    let block = w.engine.kv_block_tokens();
    let kv_room = at.budget.saturating_sub(at.fixed);
    let max_concurrency = sizer.max_concurrency(context);
    let max_context = sizer.max_context(concurrency);
    // vLLM and SGLang pre-allocate a pool; llama.cpp and transformers hold what the largest
    // cache that fits at this concurrency holds (their compute buffers grow with it).
    let kv_capacity_tokens = if rules::reserves_vary(w.engine) {
        max_context.saturating_mul(concurrency)
    } else {
        kv_room.0 / (per_token_all * block) * block
    };
    let permille = |total: Bytes| {
        if gpu.0 == 0 {
            u64::MAX
        } else {
            // Past 18 PB (no config gets there: `model::read::MAX_PARAMS`) it reads as full.
            total
                .0
                .checked_mul(1000)
                .map_or(u64::MAX, |t| t.div_ceil(gpu.0))
        }
    };
    let reason = if context > cfg.max_position_embeddings {
        Reason::OverModelContext
    } else if sizer.weights > gpu {
        Reason::WeightsExceedGpu
    } else if (at.fixed >= at.budget && w.engine != Engine::Transformers)
        || (w.engine == Engine::Vllm && {
            let one = sizer.at(context, 1);
            one.in_budget() > one.budget
        })
    {
        // vLLM checks at start that one `--max-model-len` sequence fits its cache
        // (`kv_cache_utils.py` `check_enough_kv_cache_memory`).
        Reason::EngineRefuses
    } else if at.in_budget() > at.budget {
        Reason::OverEngineBudget
    } else if at.total > gpu {
        Reason::OverGpuMemory
    } else if w.engine == Engine::LlamaCpp && w.system_memory_bytes.is_some_and(|r| host.0 > r) {
        Reason::OverSystemMemory
    } else {
        Reason::Fits
    };
    let fits = reason == Reason::Fits;
    let utilization_permille = permille(at.total);
    let status = if fits {
        Band::from_permille(utilization_permille)
    } else {
        Band::DoesNotFit
    };
    let notes = if with_notes {
        notes::notes(cfg, prepared, &sizer, &at, w, host)
    } else {
        Vec::new()
    };
    let mut plan = Plan {
        engine: w.engine,
        context,
        concurrency,
        model_max_context: cfg.max_position_embeddings,
        weights_bytes: sizer.weights.0,
        vision_bytes: prepared.vision.0,
        host_bytes: host.0,
        kv_bytes_per_token: sizer.kv.total(),
        kv_cache_bytes: at.kv,
        activation_bytes: at.reserves.activation.0,
        overhead_bytes: (at.reserves.non_torch + at.reserves.outside_budget).0,
        total_bytes: at.total.0,
        gpu_memory_bytes: gpu.0,
        budget_bytes: at.budget.0,
        budget_fixed_bytes: at.fixed.0,
        utilization: if gpu.0 == 0 {
            f64::INFINITY
        } else {
            at.total.0 as f64 / gpu.0 as f64
        },
        status,
        utilization_permille,
        fits,
        reason,
        kv_capacity_tokens,
        max_concurrency,
        max_context,
        max_context_permille: if max_context > 0 {
            permille(sizer.at(max_context, concurrency).total)
        } else {
            0
        },
        max_concurrency_permille: if max_concurrency > 0 {
            permille(sizer.at(context, max_concurrency).total)
        } else {
            0
        },
        system_memory_bytes: w.system_memory_bytes,
        offload: None,
        speed: None,
        no_speed: None,
        notes,
    };
    // Speed only for full plans (detail, CLI); the grid asks for it in its speed mode.
    if with_notes {
        plan.set_speed(speed::speed(cfg, prepared.format, gpu_spec, w, &plan));
    }
    plan
}

/// Total per-GPU memory at `points` contexts from one block to `max` (for the detail chart):
/// `(context, total_bytes, fits)`.
pub fn memory_curve(
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu: &Gpu,
    w: &Workload,
    max: u64,
    points: u64,
) -> Vec<(u64, u64, bool)> {
    let points = points.clamp(2, 512);
    let max = max.max(points);
    (1..=points)
        .filter_map(|i| {
            let context = max * i / points;
            let p = plan_with(
                cfg,
                format,
                gpu,
                &Workload {
                    context,
                    ..w.clone()
                },
                false,
            )
            .ok()?;
            Some((context, p.total_bytes, p.fits))
        })
        .collect()
}

//! One scenario (model, format, GPU, engine, workload) → one per-GPU memory plan.
//!
//! This is the single source of truth for the grid, the cell detail and `fitgrid plan`.

use crate::catalog::gpu::Arch;
use crate::catalog::Gpu;
use crate::engines::reserves::Reserves;
use crate::engines::rules::{self, sequence_kv, workload_kv};
use crate::engines::support::{check, check_gpu, Unsupported};
use crate::engines::{llama_cpp, vllm, Engine};
use crate::model::config::ModelConfig;
use crate::model::kv_cache::{kv_per_token, KvPerToken};
use crate::model::weights::{weight_bytes, WeightFormat};
use crate::units::Bytes;
use serde::Serialize;

pub mod band;
pub mod colocate;
pub mod cost;
pub mod ranges;
pub mod workload;

pub use band::{Band, Thresholds};
pub use workload::Workload;

/// The plan for one GPU of the deployment. Bytes are per GPU.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
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
    /// `total_bytes / gpu_memory_bytes`.
    pub utilization: f64,
    /// The band (does-not-fit also when the engine's own rule refuses it).
    pub status: Band,
    /// `utilization` in per-mille, rounded up (what the bands compare).
    pub utilization_permille: u64,
    /// The engine's own rule accepts the configuration and the context is within the model's.
    pub fits: bool,
    /// KV pool capacity in tokens, engine-wide (vLLM "GPU KV cache size: N tokens").
    pub kv_capacity_tokens: u64,
    /// Sequences of `context` tokens that fit in the KV pool.
    pub max_concurrency: u64,
    /// Longest context that fits at `concurrency` sequences (capped at the model maximum).
    pub max_context: u64,
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
    let prepared = prepare(cfg, format, w)?;
    prepared.runs_on(gpu_spec, w)?;
    Ok(plan_prepared(cfg, &prepared, gpu_spec, w, true))
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

/// What a multimodal checkpoint's vision encoder costs on this engine, and how to skip it.
fn vision_note(engine: Engine, cfg: &ModelConfig, bytes: Bytes) -> Option<String> {
    let v = cfg.vision.as_ref()?;
    if v.family == crate::model::vision::VisionFamily::Unmodelled {
        return Some(
            "this checkpoint has a vision encoder of a family Fitgrid does not model yet: only the language model is counted"
                .into(),
        );
    }
    let m = v.params as f64 / 1e6;
    Some(match engine {
        Engine::Vllm => format!(
            "the vision encoder and projector ({m:.0} M parameters, {bytes}) are loaded; for text only, --limit-mm-per-prompt '{{\"image\":0}}' (or --language-model-only in newer vLLM) skips them"
        ),
        Engine::Sglang => format!(
            "the vision encoder and projector ({m:.0} M parameters, {bytes}) are loaded, and SGLang lowers its default mem_fraction_static for them"
        ),
        Engine::LlamaCpp => format!(
            "text only: llama.cpp loads the vision encoder ({m:.0} M parameters) from a separate --mmproj file, not counted here"
        ),
        Engine::Transformers => format!(
            "the vision encoder and projector ({m:.0} M parameters, {bytes}) are loaded with the model"
        ),
    })
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
        vision: Bytes(rules::vision_bytes(w.engine, cfg, model_bytes, tp)),
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
    let gpu = gpu_spec.memory();
    let context = w.context.max(1);
    let concurrency = w.concurrency.max(1);
    let mut notes = Vec::new();
    // Apple silicon's memory is unified: what llama.cpp leaves "on the CPU" is the same pool.
    let unified = w.engine == Engine::LlamaCpp && gpu_spec.arch() == Arch::Apple;
    let kv = if unified {
        prepared.kv_all
    } else {
        prepared.kv
    };
    let batched = vllm::batch_defaults(gpu_spec).1;
    let kv_needed = workload_kv(w.engine, kv, context, concurrency, batched);
    let kv_host = workload_kv(w.engine, prepared.kv_all, context, concurrency, batched)
        .saturating_sub(kv_needed);
    let reserves = rules::reserves(cfg, prepared.model_bytes, gpu_spec, w);
    let Reserves {
        activation,
        non_torch,
        outside_budget,
        buffers,
    } = reserves;
    // Kernel padding depends on the GPU (vLLM's MXFP4 MoE backends), so it is added here.
    let padding = Bytes(rules::weight_padding(
        w.engine,
        cfg,
        prepared.format,
        gpu_spec,
        w,
    ));
    let (own, host_weights) = if unified {
        (prepared.unified, Bytes::ZERO)
    } else {
        (prepared.weights, prepared.host)
    };
    let weights = own + prepared.vision + padding + buffers;
    let host = host_weights + Bytes(if unified { 0 } else { kv_host });

    // vLLM's budget holds the profile-run peak too; SGLang's static pool only weights and KV,
    // with its activation reserve left free beside it.
    let fixed = if rules::reserve_in_budget(w.engine) {
        weights + activation + non_torch
    } else {
        weights
    };
    let (budget, sglang_fraction) = rules::budget(w.engine, cfg, gpu_spec, &reserves, w);
    if let (true, Some(frac)) = (with_notes, sglang_fraction) {
        notes.push(match w.mem_fraction_static {
            Some(_) => format!("SGLang mem_fraction_static {frac:.3} (set by you)"),
            None => format!("SGLang's default mem_fraction_static for this GPU and TP: {frac:.3}"),
        });
        notes.push(format!(
            "SGLang pre-allocates its static pool ({budget}, the fraction of the memory free at start); what the weights leave of it becomes KV cache"
        ));
        let slack = gpu
            .saturating_sub(reserves.outside_budget)
            .saturating_sub(budget);
        if slack < activation + non_torch {
            notes.push(format!(
                "this fraction leaves {slack} beside the pool, less than SGLang's own estimate of {} for activations, CUDA graphs and NCCL: it may run out of memory while capturing CUDA graphs",
                activation + non_torch
            ));
        }
    }
    let kv_room = budget.saturating_sub(fixed);
    let per_token_all = rules::pool_bytes_per_token(w.engine, kv).max(1);
    let block = w.engine.kv_block_tokens();
    let kv_capacity_tokens = kv_room.0 / (per_token_all * block) * block;
    let per_seq = sequence_kv(w.engine, kv, context, batched).max(1);
    let max_concurrency = kv_room.0 / per_seq;
    let max_context = max_context_at(
        w.engine,
        kv,
        concurrency,
        kv_room.0,
        batched,
        cfg.max_position_embeddings,
    );

    let overhead = non_torch + outside_budget;
    let total = weights + Bytes(kv_needed) + activation + overhead;
    let utilization = if gpu.0 == 0 {
        f64::INFINITY
    } else {
        total.0 as f64 / gpu.0 as f64
    };
    let permille = if gpu.0 == 0 {
        u64::MAX
    } else {
        ((total.0 as u128 * 1000).div_ceil(gpu.0 as u128)).min(u64::MAX as u128) as u64
    };
    let mut status = Band::from_permille(permille);
    let in_budget = fixed + Bytes(kv_needed);
    let refused = in_budget > budget || context > cfg.max_position_embeddings;
    if refused {
        status = Band::DoesNotFit;
    }
    if with_notes {
        if in_budget > budget {
            notes.push(format!(
                "{} needs {} inside its budget of {}",
                w.engine.label(),
                in_budget,
                budget
            ));
        }
        if context > cfg.max_position_embeddings {
            notes.push(format!(
                "context {context} exceeds the model's max_position_embeddings {}",
                cfg.max_position_embeddings
            ));
        }
        if w.engine == Engine::Vllm {
            notes.push(format!(
                "vLLM pre-allocates its whole budget ({budget}); the rest of it becomes KV cache"
            ));
            notes.push(format!(
                "vLLM {}: the profile run's activation peak is {activation}, the larger of the forward pass and the sampler's dummy run over max_num_seqs × vocab logits{}",
                w.vllm_release.label(),
                if w.vllm_release == crate::engines::VllmRelease::SortSampler {
                    ", sorted: 38 B per logit"
                } else {
                    ": 15.3 B per logit"
                }
            ));
        }
        if kv.sliding > 0 {
            notes.push(format!(
                "sliding-window layers keep at most {} tokens per sequence",
                kv.window
            ));
        }
        notes.push(rules::range_note(w.engine).to_string());
        if kv.state_per_seq > 0 {
            notes.push(format!(
                "linear-attention layers keep a constant {} of state per sequence",
                Bytes(kv.state_per_seq)
            ));
        }
        if cfg.moe.is_some() {
            notes.push(
                "MoE: memory holds all experts; only speed depends on the active ones".into(),
            );
        }
        notes.extend(vision_note(w.engine, cfg, prepared.vision));
        if host.0 > 0 {
            notes.push(format!(
                "llama.cpp keeps {host} in system RAM: the token embedding{}",
                if w.gpu_layers.is_some() || w.cpu_moe_layers > 0 {
                    ", the layers and experts left on the CPU and their KV cache"
                } else {
                    ""
                }
            ));
        }
        if padding.0 > 0 {
            notes.push(format!(
                "vLLM's MXFP4 MoE kernels on this GPU pad the experts by {padding} (mxfp4.py)"
            ));
        }
    }
    Plan {
        weights_bytes: weights.0,
        vision_bytes: prepared.vision.0,
        host_bytes: host.0,
        kv_bytes_per_token: kv.total(),
        kv_cache_bytes: kv_needed,
        activation_bytes: activation.0,
        overhead_bytes: overhead.0,
        total_bytes: total.0,
        gpu_memory_bytes: gpu.0,
        budget_bytes: budget.0,
        utilization,
        status,
        utilization_permille: permille,
        fits: !refused,
        kv_capacity_tokens,
        max_concurrency,
        max_context,
        notes,
    }
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
            let p = plan(
                cfg,
                format,
                gpu,
                &Workload {
                    context,
                    ..w.clone()
                },
            )
            .ok()?;
            Some((context, p.total_bytes, p.fits))
        })
        .collect()
}

/// Largest context (a multiple of the engine's block, at most the model's `limit`) whose
/// workload KV fits in `room`.
fn max_context_at(
    engine: Engine,
    kv: KvPerToken,
    concurrency: u64,
    room: u64,
    batched: u64,
    limit: u64,
) -> u64 {
    let block = engine.kv_block_tokens();
    let fits = |c: u64| workload_kv(engine, kv, c, concurrency, batched) <= room;
    // Most cells either fit the model's whole context or fit nothing: answer those at once.
    if fits(limit) {
        return limit;
    }
    if !fits(block) {
        return 0;
    }
    // Fast path: full-attention bytes alone bound the answer from above (the other terms only
    // add memory), and for most models they are the only term; accept the bound when it fits
    // and one block more does not.
    if kv.full > 0 {
        let per_block = kv
            .full
            .saturating_mul(concurrency)
            .saturating_mul(block)
            .max(1);
        let c = (room / per_block).saturating_mul(block).min(limit);
        if c >= block && fits(c) && (c == limit || !fits(c + block)) {
            return c;
        }
    }
    // Monotone in c: exponential then binary search over whole blocks.
    let (mut lo, mut hi) = (1u64, 2u64);
    while fits(hi * block) {
        lo = hi;
        if hi >= (1 << 32) {
            return hi * block;
        }
        hi *= 2;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid * block) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo * block
}

//! One scenario (model, format, GPU, engine, workload) → one per-GPU memory plan.
//!
//! This is the single source of truth for the grid, the cell detail and `fitgrid plan`.

use crate::catalog::Gpu;
use crate::engine::{self, Engine, Reserves};
use crate::model::config::ModelConfig;
use crate::model::kv_cache::{kv_per_token, KvDtype, KvPerToken};
use crate::model::weights::{weight_bytes, WeightFormat};
use crate::units::Bytes;
use serde::Serialize;

/// Utilisation bands of GPU memory (thresholds from the seed study's monitoring table:
/// safe < 60 %, caution 60–75 %, warning 75–90 %, critical 90–100 %).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    /// Below 60 %.
    Safe,
    /// 60–75 %.
    Caution,
    /// 75–90 %.
    Warning,
    /// 90–100 %.
    Critical,
    /// Over 100 %, or the engine refuses the configuration.
    DoesNotFit,
}

/// Where the bands start, in percent of GPU memory (editable in the page, kept in the URL).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Thresholds {
    /// Start of "caution" (default 60).
    pub caution: u64,
    /// Start of "warning" (default 75).
    pub warning: u64,
    /// Start of "critical" (default 90).
    pub critical: u64,
}

impl Default for Thresholds {
    /// The seed study's monitoring table: 60 / 75 / 90 %.
    fn default() -> Self {
        Thresholds {
            caution: 60,
            warning: 75,
            critical: 90,
        }
    }
}

impl Thresholds {
    /// Builds thresholds if they are strictly increasing and below 100 %.
    pub fn new(caution: u64, warning: u64, critical: u64) -> Option<Self> {
        (0 < caution && caution < warning && warning < critical && critical < 100).then_some(
            Thresholds {
                caution,
                warning,
                critical,
            },
        )
    }

    /// Band for a utilisation in per-mille (600 = 60 %); over 1000 never fits.
    pub fn band(self, permille: u64) -> Band {
        match permille {
            p if p > 1000 => Band::DoesNotFit,
            p if p >= self.critical * 10 => Band::Critical,
            p if p >= self.warning * 10 => Band::Warning,
            p if p >= self.caution * 10 => Band::Caution,
            _ => Band::Safe,
        }
    }

    /// The band of a plan under these thresholds (an engine refusal stays does-not-fit).
    pub fn band_of(self, plan: &Plan) -> Band {
        if plan.fits {
            self.band(plan.utilization_permille)
        } else {
            Band::DoesNotFit
        }
    }
}

impl Band {
    /// Band for a utilisation in per-mille under the default thresholds.
    pub fn from_permille(p: u64) -> Band {
        Thresholds::default().band(p)
    }

    /// Stable token for `data-fit` attributes and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Safe => "safe",
            Band::Caution => "caution",
            Band::Warning => "warning",
            Band::Critical => "critical",
            Band::DoesNotFit => "does-not-fit",
        }
    }

    /// A symbol that carries the band without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Band::Safe => "✓",
            Band::Caution => "◐",
            Band::Warning => "▲",
            Band::Critical => "‼",
            Band::DoesNotFit => "✗",
        }
    }

    /// Short text for screen readers and the legend.
    pub fn label(self) -> &'static str {
        match self {
            Band::Safe => "safe",
            Band::Caution => "caution",
            Band::Warning => "warning",
            Band::Critical => "critical",
            Band::DoesNotFit => "does not fit",
        }
    }
}

/// What the user wants to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// Engine whose budget rule applies.
    pub engine: Engine,
    /// Context length per sequence (vLLM `--max-model-len`).
    pub context: u64,
    /// Concurrent sequences at that context.
    pub concurrency: u64,
    /// KV cache element type.
    pub kv_dtype: KvDtype,
    /// Tensor-parallel ranks.
    pub tensor_parallel: u64,
    /// Pipeline stages.
    pub pipeline_parallel: u64,
    /// vLLM `--gpu-memory-utilization` (default 0.9).
    pub gpu_memory_utilization: f64,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            engine: Engine::Vllm,
            context: 4096,
            concurrency: 1,
            kv_dtype: KvDtype::Auto,
            tensor_parallel: 1,
            pipeline_parallel: 1,
            gpu_memory_utilization: 0.9,
        }
    }
}

/// The plan for one GPU of the deployment. Bytes are per GPU.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// Weights on the most loaded GPU.
    pub weights_bytes: u64,
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

/// Why a cell has no plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unsupported {
    /// Plain-words reason.
    pub reason: String,
}

/// Which engines can run which weight formats (engine docs: vLLM "Supported Hardware for
/// Quantization Kernels"; llama.cpp reads GGUF only; transformers via bitsandbytes/AWQ/GPTQ).
pub fn supports(engine: Engine, format: WeightFormat) -> Result<(), Unsupported> {
    use WeightFormat as F;
    let ok = match engine {
        Engine::Vllm | Engine::Sglang => !format.is_gguf() || engine == Engine::Vllm,
        Engine::LlamaCpp => format.is_gguf() || matches!(format, F::Fp32 | F::Fp16 | F::Bf16),
        Engine::Transformers => !format.is_gguf() && format != F::Nvfp4,
    };
    if ok {
        Ok(())
    } else {
        Err(Unsupported {
            reason: format!(
                "{} does not load {} weights",
                engine.label(),
                format.label()
            ),
        })
    }
}

/// The engines that load `format` (per [`supports`]).
pub fn engines_for(format: WeightFormat) -> Vec<Engine> {
    crate::engine::ALL_ENGINES
        .into_iter()
        .filter(|&e| supports(e, format).is_ok())
        .collect()
}

/// KV bytes one sequence of `context` tokens holds on one GPU, by the engine's paging rule.
/// `batched` is vLLM's `max_num_batched_tokens` on that GPU ([`engine::vllm_batch_defaults`],
/// worked out once per plan: it scans the GPU's name, and this runs several times per cell).
fn sequence_kv(engine: Engine, kv: KvPerToken, context: u64, batched: u64) -> u64 {
    let block = engine.kv_block_tokens();
    let tokens = context.div_ceil(block) * block;
    let sliding_tokens = match engine {
        // vLLM SlidingWindowSpec: min(window − 1 + max_num_batched_tokens, max_model_len)
        // tokens, then one extra block.
        Engine::Vllm => {
            let t = (kv.window.saturating_sub(1) + batched).min(context);
            (t.div_ceil(block) + 1) * block
        }
        _ => kv.window.min(tokens),
    };
    kv.full.saturating_mul(tokens).saturating_add(
        kv.sliding
            .saturating_mul(sliding_tokens.min(tokens.max(block))),
    )
}

/// KV the whole workload needs on one GPU.
fn workload_kv(
    engine: Engine,
    kv: KvPerToken,
    context: u64,
    concurrency: u64,
    batched: u64,
) -> u64 {
    match engine {
        // llama-server sizes one cache of `-c` cells shared by `--parallel` slots, so the
        // command for `n` slots of `c` tokens uses `-c n·c` (padded to 256 once).
        Engine::LlamaCpp => {
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
        _ => sequence_kv(engine, kv, context, batched).saturating_mul(concurrency),
    }
}

/// Plans `cfg` stored as `format` on a GPU with `gpu` bytes under `w`.
pub fn plan(
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu_spec: &Gpu,
    w: &Workload,
) -> Result<Plan, Unsupported> {
    let prepared = prepare(cfg, format, w)?;
    Ok(plan_prepared(cfg, &prepared, gpu_spec, w, true))
}

/// The GPU-independent part of a plan (weights and KV layout): computed once per model and
/// format, reused for every GPU column of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    format: WeightFormat,
    model_bytes: u64,
    kv: KvPerToken,
    weights: Bytes,
}

/// Checks the engine/format pair and the TP split, then prices weights and the KV layout.
pub fn prepare(
    cfg: &ModelConfig,
    format: WeightFormat,
    w: &Workload,
) -> Result<Prepared, Unsupported> {
    let format = format.resolve(cfg);
    supports(w.engine, format)?;
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
    Ok(Prepared {
        format,
        model_bytes,
        kv: kv_per_token(cfg, w.kv_dtype, kv_model_bytes, tp, pp),
        weights: weight_bytes(cfg, format, tp, pp),
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
    let tp = w.tensor_parallel.max(1);
    let pp = w.pipeline_parallel.max(1);
    let context = w.context.max(1);
    let concurrency = w.concurrency.max(1);
    let mut notes = Vec::new();
    let kv = prepared.kv;
    let batched = engine::vllm_batch_defaults(gpu_spec).1;
    let kv_needed = workload_kv(w.engine, kv, context, concurrency, batched);
    let Reserves {
        activation,
        non_torch,
        outside_budget,
        buffers,
    } = engine::reserves(w.engine, cfg, prepared.model_bytes, gpu_spec, tp, pp);
    let weights = prepared.weights + buffers;

    let fixed = weights + activation + non_torch;
    let budget = match w.engine {
        Engine::Vllm => {
            let util = if w.gpu_memory_utilization.is_finite() {
                w.gpu_memory_utilization.clamp(0.0, 1.0)
            } else {
                0.9
            };
            Bytes((gpu.0 as f64 * util) as u64)
        }
        Engine::Sglang => {
            let frac = engine::sglang_mem_fraction_static(gpu, activation);
            if with_notes {
                notes.push(format!(
                    "SGLang default mem_fraction_static ≈ {frac:.2} for this GPU"
                ));
            }
            Bytes((gpu.0 as f64 * frac) as u64) + activation
        }
        Engine::LlamaCpp | Engine::Transformers => gpu.saturating_sub(outside_budget),
    };
    let kv_room = budget.saturating_sub(fixed);
    let per_token_all = kv.total().max(1);
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
        }
        if kv.sliding > 0 {
            notes.push(format!(
                "sliding-window layers keep at most {} tokens per sequence",
                kv.window
            ));
        }
        notes.push(Reserves::range_note(w.engine).to_string());
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
    }
    Plan {
        weights_bytes: weights.0,
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
    fn edited_thresholds_move_the_bands() {
        let t = Thresholds::new(50, 70, 80).unwrap();
        assert_eq!(t.band(499), Band::Safe);
        assert_eq!(t.band(500), Band::Caution);
        assert_eq!(t.band(799), Band::Warning);
        assert_eq!(t.band(800), Band::Critical);
        assert_eq!(t.band(1001), Band::DoesNotFit);
        assert!(Thresholds::new(70, 60, 90).is_none());
        assert!(Thresholds::new(60, 75, 100).is_none());
    }

    #[test]
    fn band_thresholds_follow_the_seed_study() {
        assert_eq!(Band::from_permille(599), Band::Safe);
        assert_eq!(Band::from_permille(600), Band::Caution);
        assert_eq!(Band::from_permille(750), Band::Warning);
        assert_eq!(Band::from_permille(900), Band::Critical);
        assert_eq!(Band::from_permille(1000), Band::Critical);
        assert_eq!(Band::from_permille(1001), Band::DoesNotFit);
    }
}

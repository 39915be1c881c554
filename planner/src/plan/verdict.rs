//! The one verdict of a scenario: it fits when the engine starts with this configuration and
//! holds `concurrency` sequences of `context` tokens; otherwise exactly one reason says why.
//! The band, the tooltip, the detail, every grid mode, cost mode, co-location, the exports, the
//! CLI and the launch command all read it from here.

use super::Plan;
use crate::units::group_digits;
use crate::units::Bytes;
use serde::Serialize;

/// Why a scenario does (not) fit, the first that applies in this order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The engine starts and holds the workload.
    Fits,
    /// The context is longer than the model's `max_position_embeddings` (vLLM refuses such a
    /// `--max-model-len`; the others would run past the positions the model was trained on).
    OverModelContext,
    /// The weights on one GPU alone are larger than its memory.
    WeightsExceedGpu,
    /// The engine refuses at start-up: nothing is left for its KV cache after the weights and
    /// reserves, or (vLLM) one sequence of this context does not fit its cache.
    EngineRefuses,
    /// The engine starts, but its budget holds fewer sequences of this context than asked.
    OverEngineBudget,
    /// Inside the engine's budget, but everything together exceeds the GPU's memory.
    OverGpuMemory,
    /// The GPU holds its share, but what llama.cpp keeps in system RAM exceeds the RAM given.
    OverSystemMemory,
    /// The engine cannot run this format, cache type or GPU at all.
    Unsupported,
}

impl Reason {
    /// Stable token (CLI `reason`, `data-reason`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Fits => "fits",
            Reason::OverModelContext => "over_model_context",
            Reason::WeightsExceedGpu => "weights_exceed_gpu",
            Reason::EngineRefuses => "engine_refuses",
            Reason::OverEngineBudget => "over_engine_budget",
            Reason::OverGpuMemory => "over_gpu_memory",
            Reason::OverSystemMemory => "over_system_memory",
            Reason::Unsupported => "unsupported",
        }
    }

    /// A few words for a grid cell (what it says instead of a band).
    pub fn short(self) -> &'static str {
        match self {
            Reason::Fits => "fits",
            Reason::OverModelContext => "over model context",
            Reason::WeightsExceedGpu => "weights too big",
            Reason::EngineRefuses => "engine refuses",
            Reason::OverEngineBudget => "over budget",
            Reason::OverGpuMemory => "over GPU memory",
            Reason::OverSystemMemory => "over system RAM",
            Reason::Unsupported => "unsupported",
        }
    }
}

/// "1 sequence fits", "3 sequences fit".
pub fn sequences(n: u64, plural_verb: &str, singular_verb: &str) -> String {
    if n == 1 {
        format!("1 sequence {singular_verb}")
    } else {
        format!("{} sequences {plural_verb}", group_digits(n))
    }
}

/// Whether the longest context that fits is bounded by memory or by the model itself.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitedBy {
    /// Memory: one more token would not fit.
    Memory,
    /// The model's `max_position_embeddings`.
    Model,
}

impl Plan {
    /// The verdict in one sentence, with the numbers that decide it (no names: it is also
    /// written into shell comments).
    pub fn reason_text(&self) -> String {
        let b = Bytes;
        let engine = self.engine.name();
        let n = self.concurrency;
        let ctx = group_digits(self.context);
        match self.reason {
            Reason::Fits => format!(
                "fits{}: {engine} starts and holds {n} × {ctx} tokens ({} of {}, {}%{})",
                if self.offload.is_some() {
                    " with offload"
                } else {
                    ""
                },
                b(self.total_bytes),
                b(self.gpu_memory_bytes),
                self.utilization_percent(),
                match self.offload {
                    Some(o) => format!("; {} in system RAM: {}", b(self.host_bytes), o.flags()),
                    None => String::new(),
                }
            ),
            Reason::OverModelContext => format!(
                "over the model's context: {ctx} tokens asked, the model's max_position_embeddings is {}",
                group_digits(self.model_max_context)
            ),
            Reason::WeightsExceedGpu => format!(
                "the weights alone ({} per GPU) exceed the GPU's {}",
                b(self.weights_bytes),
                b(self.gpu_memory_bytes)
            ),
            Reason::EngineRefuses if self.budget_fixed_bytes >= self.budget_bytes => format!(
                "{engine} refuses to start: weights and reserves ({}) leave nothing of its budget ({}) for the KV cache",
                b(self.budget_fixed_bytes),
                b(self.budget_bytes)
            ),
            Reason::EngineRefuses => format!(
                "{engine} refuses to start: one sequence of {ctx} tokens needs {} of KV cache, its budget leaves {}",
                b(self.kv_cache_bytes / n.max(1)),
                b(self.budget_bytes.saturating_sub(self.budget_fixed_bytes))
            ),
            Reason::OverEngineBudget => format!(
                "over the {engine} budget: {n} × {ctx} tokens need {} inside its budget of {}",
                b(self.budget_fixed_bytes.saturating_add(self.kv_cache_bytes)),
                b(self.budget_bytes)
            ),
            Reason::OverGpuMemory => format!(
                "over the GPU's memory: {} needed with what {engine} keeps outside its budget, the GPU has {}",
                b(self.total_bytes),
                b(self.gpu_memory_bytes)
            ),
            Reason::OverSystemMemory => format!(
                "over system RAM: {engine} keeps {} there, {} given",
                b(self.host_bytes),
                b(self.system_memory_bytes.unwrap_or(0))
            ),
            Reason::Unsupported => "unsupported".into(),
        }
    }

    /// Utilisation in whole percent, rounded up: what the cells show and the bands compare,
    /// so that "90%" is never "warning" and "100%" never "does not fit".
    pub fn utilization_percent(&self) -> u64 {
        self.utilization_permille.div_ceil(10)
    }

    /// The memory per GPU at which the engine's budget is full: the budget plus what the
    /// engine keeps outside it (CUDA context and graphs, and for SGLang its activations). A
    /// plan's total crosses it where the budget stops holding more KV cache, so the detail
    /// chart draws the budget here and its crossing is [`Plan::max_context`] when the budget,
    /// not the GPU, is what binds.
    pub fn budget_line_bytes(&self) -> u64 {
        let inside = self.budget_fixed_bytes + self.kv_cache_bytes;
        self.budget_bytes + self.total_bytes.saturating_sub(inside)
    }

    /// What limits [`Plan::max_context`].
    pub fn max_context_limited_by(&self) -> LimitedBy {
        if self.max_context > 0 && self.max_context >= self.model_max_context {
            LimitedBy::Model
        } else {
            LimitedBy::Memory
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::catalog;
    use crate::model::weights::WeightFormat;
    use crate::plan::{plan, Workload};
    use crate::Engine;

    /// The detail chart draws the budget at `budget_line_bytes`: the total crosses it at the
    /// plan's max context, on every engine with a budget.
    #[test]
    fn the_budget_line_is_crossed_at_max_context() {
        let cat = catalog();
        let m = &cat
            .model("meta-llama/Llama-3.1-8B-Instruct")
            .unwrap()
            .config;
        let gpu = cat.gpu("rtx-4090-24gb").unwrap();
        for engine in [Engine::Vllm, Engine::Sglang] {
            let w = |context| Workload {
                engine,
                context,
                concurrency: 4,
                ..Workload::default()
            };
            let p = plan(m, WeightFormat::Fp16, gpu, &w(8192)).unwrap();
            let max = p.max_context;
            assert!(
                max > 1024 && max < m.max_position_embeddings,
                "{engine:?} {max}"
            );
            let line = p.budget_line_bytes().min(p.gpu_memory_bytes);
            let at = plan(m, WeightFormat::Fp16, gpu, &w(max)).unwrap();
            let past = plan(m, WeightFormat::Fp16, gpu, &w(max + 256)).unwrap();
            assert!(
                at.total_bytes <= line,
                "{engine:?}: {} > {line}",
                at.total_bytes
            );
            assert!(
                past.total_bytes > line,
                "{engine:?}: {} ≤ {line}",
                past.total_bytes
            );
        }
    }
}

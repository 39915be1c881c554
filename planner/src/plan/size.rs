//! The memory of a prepared model at any (context, concurrency) point on one GPU, and the one
//! rule that says whether that point fits: the engine accepts it inside its budget and
//! everything together stays within the GPU. The plan's verdict, its largest context and
//! concurrency, and the bands of the grid's modes are all answers of this one predicate.

use super::{Prepared, Workload};
use crate::catalog::gpu::Arch;
use crate::catalog::Gpu;
use crate::engines::reserves::Reserves;
use crate::engines::rules::{self, sequence_kv, workload_kv};
use crate::engines::{vllm, Engine};
use crate::model::config::ModelConfig;
use crate::model::kv_cache::KvPerToken;
use crate::units::Bytes;

/// Memory at one point.
#[derive(Copy, Clone, Debug)]
pub(super) struct Sizes {
    /// KV the workload needs on this GPU.
    pub kv: u64,
    /// The engine's reserves there.
    pub reserves: Reserves,
    /// The engine's budget there.
    pub budget: Bytes,
    /// What the budget holds besides the KV cache.
    pub fixed: Bytes,
    /// Everything on the GPU.
    pub total: Bytes,
}

impl Sizes {
    /// What the budget must hold.
    pub fn in_budget(&self) -> Bytes {
        self.fixed + Bytes(self.kv)
    }
}

/// Sizes a prepared model on one GPU; the reserves are worked out once unless the engine's
/// depend on the context (llama.cpp's compute buffer, transformers' prompt activations).
pub(super) struct Sizer<'a> {
    cfg: &'a ModelConfig,
    prepared: &'a Prepared,
    gpu_spec: &'a Gpu,
    w: &'a Workload,
    /// The GPU's memory.
    pub gpu: Bytes,
    /// The KV layout on this GPU (all layers on unified memory).
    pub kv: KvPerToken,
    /// vLLM's `max_num_batched_tokens` on this GPU.
    pub batched: u64,
    /// Weights on this GPU: own tensors, vision encoder, kernel padding and engine buffers.
    pub weights: Bytes,
    /// The padding part of `weights`.
    pub padding: Bytes,
    base: Reserves,
    budget: Bytes,
    /// SGLang's `mem_fraction_static`.
    pub sglang_fraction: Option<f64>,
    varying: bool,
    /// Largest context the model takes.
    pub limit: u64,
}

impl<'a> Sizer<'a> {
    /// The sizer for `prepared` on `gpu_spec` under `w` (its context and concurrency are only
    /// the defaults of the points asked later).
    pub fn new(
        cfg: &'a ModelConfig,
        prepared: &'a Prepared,
        gpu_spec: &'a Gpu,
        w: &'a Workload,
    ) -> Self {
        // Apple silicon's memory is unified: what llama.cpp leaves "on the CPU" is the same pool.
        let unified = w.engine == Engine::LlamaCpp && gpu_spec.arch() == Arch::Apple;
        let kv = if unified {
            prepared.kv_all
        } else {
            prepared.kv
        };
        let base = rules::reserves(cfg, prepared.model_bytes, gpu_spec, w);
        // Kernel padding depends on the GPU (vLLM's MXFP4 MoE backends), so it is added here.
        let padding = Bytes(rules::weight_padding(
            w.engine,
            cfg,
            prepared.format,
            gpu_spec,
            w,
        ));
        let own = if unified {
            prepared.unified
        } else {
            prepared.weights
        };
        let (budget, sglang_fraction) = rules::budget(w.engine, cfg, gpu_spec, &base, w);
        Sizer {
            cfg,
            prepared,
            gpu_spec,
            w,
            gpu: gpu_spec.memory(),
            kv,
            batched: vllm::batch_defaults(gpu_spec).1,
            weights: own + prepared.vision + padding + base.buffers,
            padding,
            base,
            budget,
            sglang_fraction,
            varying: rules::reserves_vary(w.engine),
            limit: cfg.max_position_embeddings,
        }
    }

    /// Memory at `context` tokens × `concurrency` sequences. Not inlined: every search calls
    /// it, and one copy keeps the wasm small.
    #[inline(never)]
    pub fn at(&self, context: u64, concurrency: u64) -> Sizes {
        let engine = self.w.engine;
        let kv = workload_kv(engine, self.kv, context, concurrency, self.batched);
        let (reserves, budget) = if self.varying {
            let w = Workload {
                context,
                concurrency,
                ..self.w.clone()
            };
            let r = rules::reserves(self.cfg, self.prepared.model_bytes, self.gpu_spec, &w);
            let b = rules::budget(engine, self.cfg, self.gpu_spec, &r, &w).0;
            (r, b)
        } else {
            (self.base, self.budget)
        };
        // vLLM's budget holds the profile-run peak too; SGLang's static pool only weights and
        // KV, with its activation reserve left free beside it.
        let fixed = if rules::reserve_in_budget(engine) {
            self.weights + reserves.activation + reserves.non_torch
        } else {
            self.weights
        };
        let total = self.weights
            + Bytes(kv)
            + reserves.activation
            + reserves.non_torch
            + reserves.outside_budget;
        Sizes {
            kv,
            reserves,
            budget,
            fixed,
            total,
        }
    }

    /// The one rule: the engine holds the point inside its budget and everything stays within
    /// the GPU, at a context the model takes.
    pub fn fits(&self, context: u64, concurrency: u64) -> bool {
        if context > self.limit {
            return false;
        }
        let s = self.at(context, concurrency);
        s.in_budget() <= s.budget && s.total <= self.gpu
    }

    /// KV bytes a point may use when the reserves do not depend on it (vLLM, SGLang): the
    /// smaller of what the budget and the GPU leave.
    fn kv_room(&self) -> u64 {
        let s = self.at(0, 0);
        let budget_room = s.budget.0.saturating_sub(s.fixed.0);
        let gpu_room = self.gpu.0.saturating_sub(s.total.0 - s.kv);
        budget_room.min(gpu_room)
    }

    /// Most sequences of `context` tokens that fit (0 when the context is over the model's).
    pub fn max_concurrency(&self, context: u64) -> u64 {
        if context > self.limit {
            return 0;
        }
        let engine = self.w.engine;
        let per_seq = sequence_kv(engine, self.kv, context, self.batched).max(1);
        if !self.varying {
            // KV grows by whole sequences here: the division is exact.
            return self.kv_room() / per_seq;
        }
        let s = self.at(context, 1);
        let hint = s.budget.0.saturating_sub(s.fixed.0) / per_seq;
        largest(u32::MAX as u64, hint, &|n| self.fits(context, n))
    }

    /// Longest context (at most the model's) that fits at `concurrency` sequences.
    pub fn max_context(&self, concurrency: u64) -> u64 {
        let n = concurrency.max(1);
        // Full-attention bytes alone bound the answer (the other terms only add memory) and
        // for most models are its only term: the bound rounded down to whole blocks is the
        // first guess.
        let block = self.w.engine.kv_block_tokens();
        let room = if self.varying {
            let s = self.at(1, n);
            s.budget.0.saturating_sub(s.fixed.0)
        } else {
            self.kv_room()
        };
        let per_token = self.kv.full.saturating_mul(n).max(1);
        let hint = room / per_token / block * block;
        largest(self.limit, hint, &|c| self.fits(c, n))
    }
}

/// Largest `x` in `1..=limit` with `pred(x)`, for a `pred` that is true up to some point and
/// false after it; 0 when `pred(1)` is false. `hint` is a guess tried first: most answers are
/// found in two probes.
pub(super) fn largest(limit: u64, hint: u64, pred: &dyn Fn(u64) -> bool) -> u64 {
    if limit == 0 || !pred(1) {
        return 0;
    }
    if pred(limit) {
        return limit;
    }
    // Invariant: pred(lo), !pred(hi).
    let (mut lo, mut hi) = (1u64, limit);
    if hint > lo && hint < hi {
        if pred(hint) {
            lo = hint;
            if !pred(hint + 1) {
                return hint;
            }
        } else {
            hi = hint;
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::largest;

    #[test]
    fn largest_finds_the_edge_with_or_without_a_good_hint() {
        for edge in [1u64, 2, 15, 16, 17, 1000, 131_071] {
            for hint in [0, 1, edge, edge + 1, edge / 2, 131_072] {
                assert_eq!(
                    largest(131_072, hint, &|x| x <= edge),
                    edge,
                    "{edge} {hint}"
                );
            }
        }
        assert_eq!(largest(100, 5, &|_| false), 0);
        assert_eq!(largest(100, 5, &|_| true), 100);
        assert_eq!(largest(0, 0, &|_| true), 0);
    }
}

//! Cost: dollars per GPU-hour (each with its source and date, editable by the user) and, per
//! model, the cheapest GPU configuration that fits the chosen context and concurrency.
//!
//! A configuration is `count × GPU type` with tensor parallelism `count` (1, 2, 4 or 8: the
//! sizes of the servers these GPUs are rented in, and the TP sizes vLLM and SGLang shard
//! evenly). Its price is `count × price per GPU-hour`; memory is checked per GPU by the same
//! plan as every grid cell, so the TP rules (heads must divide, KV heads replicated, NCCL
//! reserves) apply unchanged.

use crate::catalog::price::UsdPerHour;
use crate::catalog::Gpu;
use crate::model::config::ModelConfig;
use crate::model::weights::WeightFormat;
use crate::plan::{plan_prepared, prepare, Plan, Prepared, Unsupported, Workload};

/// GPU counts a configuration may use (tensor parallel sizes).
pub const GPU_COUNTS: [u64; 4] = crate::plan::ranges::TP_CHOICES;

/// The smallest number of GPUs of one type that runs a model, and the per-GPU plan there.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// GPUs (= tensor-parallel size).
    pub count: u64,
    /// The per-GPU plan at that size.
    pub plan: Plan,
}

/// A model in one format priced once per GPU count in [`GPU_COUNTS`] (weights and KV split
/// by TP): answers [`Counts::smallest_fit`] for any number of GPU types without pricing the
/// model again.
pub struct Counts<'a> {
    cfg: &'a ModelConfig,
    /// (count, workload at that TP, priced model); counts that do not divide the attention
    /// heads cannot shard them and are left out. Count 1 always comes first.
    prepared: Vec<(u64, Workload, Prepared)>,
}

impl<'a> Counts<'a> {
    /// Prices `cfg` as `format` under `w` (its `tensor_parallel` replaced by each count).
    /// `Err`: the engine cannot load the format at all.
    pub fn new(
        cfg: &'a ModelConfig,
        format: WeightFormat,
        w: &Workload,
    ) -> Result<Counts<'a>, Unsupported> {
        let at = |count: u64| Workload {
            tensor_parallel: count,
            ..w.clone()
        };
        // One GPU divides every head count, so only an unloadable format fails here.
        let one = prepare(cfg, format, &at(1))?;
        let mut prepared = vec![(1, at(1), one)];
        for &count in &GPU_COUNTS[1..] {
            if let Ok(p) = prepare(cfg, format, &at(count)) {
                prepared.push((count, at(count), p));
            }
        }
        Ok(Counts { cfg, prepared })
    }

    /// Whether the engine runs this format and cache on `gpu` at all.
    pub fn runs_on(&self, gpu: &Gpu) -> Result<(), Unsupported> {
        let (_, w, p) = &self.prepared[0];
        p.runs_on(gpu, w)
    }

    /// The smallest count whose per-GPU plan fits `gpu`; `None`: not even 8 suffice, or the
    /// engine cannot run the format on that GPU ([`Counts::runs_on`]).
    pub fn smallest_fit(&self, gpu: &Gpu) -> Option<Fit> {
        self.runs_on(gpu).ok()?;
        self.prepared.iter().find_map(|(count, w, p)| {
            let plan = plan_prepared(self.cfg, p, gpu, w, false);
            plan.fits.then_some(Fit {
                count: *count,
                plan,
            })
        })
    }

    /// The plan on a single `gpu` (what a cost cell shows when no count fits).
    pub fn single(&self, gpu: &Gpu) -> Plan {
        let (_, w, p) = &self.prepared[0];
        plan_prepared(self.cfg, p, gpu, w, false)
    }
}

/// The smallest count in [`GPU_COUNTS`] at which `cfg` as `format` fits on `gpu` under `w`
/// (its `tensor_parallel` is replaced by the count). `Ok(None)`: not even 8 GPUs suffice.
/// `Err`: the engine cannot load the format at all.
pub fn smallest_fit(
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu: &Gpu,
    w: &Workload,
) -> Result<Option<Fit>, Unsupported> {
    Ok(Counts::new(cfg, format, w)?.smallest_fit(gpu))
}

/// The cheapest configuration for one model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cheapest {
    /// Weight format.
    pub format: WeightFormat,
    /// GPU id.
    pub gpu_id: String,
    /// GPUs (= tensor-parallel size).
    pub count: u64,
    /// `count × price`.
    pub per_hour: UsdPerHour,
}

/// The cheapest `(format, GPU type, count)` among `formats` × priced `gpus` that fits `w`.
/// Ties go to fewer GPUs, then to the earlier GPU and format in the given order.
pub fn cheapest(
    cfg: &ModelConfig,
    formats: &[WeightFormat],
    gpus: &[(&Gpu, UsdPerHour)],
    w: &Workload,
) -> Option<Cheapest> {
    let mut best: Option<Cheapest> = None;
    for &format in formats {
        let Ok(counts) = Counts::new(cfg, format, w) else {
            continue;
        };
        for &(gpu, price) in gpus {
            let Some(fit) = counts.smallest_fit(gpu) else {
                continue;
            };
            let c = Cheapest {
                format,
                gpu_id: gpu.id.clone(),
                count: fit.count,
                per_hour: price.times(fit.count),
            };
            if best
                .as_ref()
                .is_none_or(|b| (c.per_hour, c.count) < (b.per_hour, b.count))
            {
                best = Some(c);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::engines::Engine;

    fn w(context: u64, concurrency: u64) -> Workload {
        Workload {
            engine: Engine::Vllm,
            context,
            concurrency,
            ..Workload::default()
        }
    }

    #[test]
    fn a_70b_in_bf16_needs_several_80gb_gpus() {
        // Llama-3.1-70B: 70.6e9 parameters × 2 B = 131 GiB of weights → one 79 GiB H100 is
        // too small, two hold 65.7 GiB each plus KV at 0.9 utilisation.
        let c = catalog();
        let m = c.model("meta-llama/Llama-3.1-70B").unwrap();
        let h100 = c.gpu("h100-sxm-80gb").unwrap();
        let fit = smallest_fit(&m.config, WeightFormat::Bf16, h100, &w(8192, 1))
            .unwrap()
            .unwrap();
        assert_eq!(fit.count, 2);
        assert!(fit.plan.fits);
        // And the count is really the smallest: one GPU is refused.
        let one = crate::plan::plan(&m.config, WeightFormat::Bf16, h100, &w(8192, 1)).unwrap();
        assert!(!one.fits);
    }

    #[test]
    fn counts_that_do_not_divide_the_heads_are_skipped() {
        // Qwen2.5-0.5B has 14 attention heads: TP 4 and 8 are impossible, so a load that
        // needs more than 2 GPUs has no configuration.
        let c = catalog();
        let m = c.model("Qwen/Qwen2.5-0.5B").unwrap();
        assert_eq!(m.config.num_heads, 14);
        let t4 = c.gpu("t4-16gb").unwrap();
        let huge = w(32_768, 4096);
        assert_eq!(
            smallest_fit(&m.config, WeightFormat::Bf16, t4, &huge),
            Ok(None)
        );
    }

    #[test]
    fn engines_that_cannot_load_a_format_are_errors_not_misses() {
        let c = catalog();
        let m = c.model("meta-llama/Llama-2-7b-hf").unwrap();
        let gpu = c.gpu("rtx-4090-24gb").unwrap();
        let llama = Workload {
            engine: Engine::LlamaCpp,
            ..w(4096, 1)
        };
        assert!(smallest_fit(&m.config, WeightFormat::Awq, gpu, &llama).is_err());
    }

    #[test]
    fn cheapest_compares_count_times_price() {
        // Two GPU types: a 24 GB card at $0.50 and an 80 GB card at $2.00. Llama-2-13B in
        // fp16 (26 GB of weights) needs 2 × 24 GB ($1.00) or 1 × 80 GB ($2.00); AWQ fits one
        // 24 GB card ($0.50).
        let c = catalog();
        let m = c.model("meta-llama/Llama-2-13b-hf").unwrap();
        let small = c.gpu("rtx-4090-24gb").unwrap();
        let big = c.gpu("h100-sxm-80gb").unwrap();
        let gpus = [(small, UsdPerHour(5_000)), (big, UsdPerHour(20_000))];
        let fp16 = cheapest(&m.config, &[WeightFormat::Fp16], &gpus, &w(4096, 1)).unwrap();
        assert_eq!((fp16.gpu_id.as_str(), fp16.count), ("rtx-4090-24gb", 2));
        assert_eq!(fp16.per_hour, UsdPerHour(10_000));
        let both = cheapest(
            &m.config,
            &[WeightFormat::Fp16, WeightFormat::Awq],
            &gpus,
            &w(4096, 1),
        )
        .unwrap();
        assert_eq!(
            (both.format, both.gpu_id.as_str(), both.count, both.per_hour),
            (WeightFormat::Awq, "rtx-4090-24gb", 1, UsdPerHour(5_000))
        );
        // The expensive card wins once the cheap one is priced above half of it.
        let gpus = [(small, UsdPerHour(15_000)), (big, UsdPerHour(20_000))];
        let fp16 = cheapest(&m.config, &[WeightFormat::Fp16], &gpus, &w(4096, 1)).unwrap();
        assert_eq!((fp16.gpu_id.as_str(), fp16.count), ("h100-sxm-80gb", 1));
    }
}

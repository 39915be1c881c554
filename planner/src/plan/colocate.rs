//! Co-location: several models, each served by its own engine process, sharing one GPU
//! (seed 002: a 33B coder in AWQ beside a 7B model on 96 GB).
//!
//! Engines claim memory differently, so each member is priced by its own engine's rule and the
//! members are started in list order:
//! - **vLLM** pre-allocates `--gpu-memory-utilization × total` (a per-instance fraction of the
//!   *whole* GPU, `vllm/config/cache.py`: "two vLLM instances on the same GPU can each use
//!   0.5") and refuses to start when less than that is free (`vllm/v1/worker/utils.py`
//!   `request_memory`). Its CUDA context and CUDA graphs come on top.
//! - **SGLang** sizes its pool from the memory free *at its own start*:
//!   `pool = free_after_weights − free_at_start × (1 − mem_fraction_static)`
//!   (`model_runner.py` `profile_max_num_token`), so weights + pool = `fraction × free_at_start`
//!   and the rest stays free for its activations.
//! - **llama.cpp** and **transformers** take what the plan needs and no more.
//!
//! The set fits when every member fits its own budget and the sum of footprints fits the GPU.

use crate::catalog::Gpu;
use crate::engines::Engine;
use crate::model::config::ModelConfig;
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::plan::ranges::Field;
use crate::plan::{plan, Plan, Unsupported, Workload};
use crate::units::Bytes;

/// One model in the set.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Member {
    /// Model id (catalogue or custom).
    pub model_id: String,
    /// Weight format.
    pub format: WeightFormat,
    /// Engine, context, concurrency and KV dtype on one GPU (TP 1). Its
    /// `gpu_memory_utilization` is the member's memory fraction: vLLM's
    /// `--gpu-memory-utilization`, SGLang's `--mem-fraction-static`; unused by llama.cpp and
    /// transformers.
    pub workload: Workload,
}

impl Member {
    /// A member with the engine defaults (vLLM, 4,096 tokens, one sequence, 45 % of the GPU).
    pub fn new(model_id: impl Into<String>, format: WeightFormat) -> Member {
        Member {
            model_id: model_id.into(),
            format,
            workload: Workload {
                context: 4096,
                gpu_memory_utilization: 0.45,
                ..Workload::default()
            },
        }
    }

    /// The memory fraction as a number in [0, 1].
    pub fn fraction(&self) -> f64 {
        self.workload.gpu_memory_utilization.clamp(0.0, 1.0)
    }

    /// The memory fraction in whole percent, as the page and links show it.
    pub fn fraction_pct(&self) -> u64 {
        (self.fraction() * 100.0).round() as u64
    }

    /// Sets the memory fraction from whole percent.
    pub fn set_fraction_pct(&mut self, pct: u64) {
        self.workload.gpu_memory_utilization = pct.min(100) as f64 / 100.0;
    }

    /// Applies one edit from the page (`key`: model, format, engine, ctx, n, kv or frac); a
    /// value that does not parse or is out of its range ([`Field`]) changes nothing and says
    /// why.
    pub fn edit(&mut self, key: &str, value: &str) -> Result<(), String> {
        let bad = || format!("`{}` is not a valid {key}", crate::inert::echo(value, 40));
        let range = |f: Field| f.parse(value).map_err(|e| e.to_string());
        let w = &mut self.workload;
        match key {
            "model" => self.model_id = value.to_string(),
            "format" => self.format = WeightFormat::parse(value).ok_or_else(bad)?,
            "engine" => w.engine = Engine::parse(value).ok_or_else(bad)?,
            "kv" => w.kv_dtype = KvDtype::parse(value).ok_or_else(bad)?,
            "ctx" => w.context = range(Field::Context)?,
            "n" => w.concurrency = range(Field::Concurrency)?,
            "frac" => self.set_fraction_pct(range(Field::MemberFractionPct)?),
            _ => return Err(format!("unknown member field {key}")),
        }
        Ok(())
    }

    /// `self` with `edits` applied in order ([`Member::edit`]'s keys and values).
    pub fn with(mut self, edits: &[(&str, &str)]) -> Result<Member, String> {
        for (key, value) in edits {
            self.edit(key, value)?;
        }
        Ok(self)
    }

    /// Whether the engine takes a memory fraction at all.
    pub fn uses_fraction(&self) -> bool {
        matches!(self.workload.engine, Engine::Vllm | Engine::Sglang)
    }
}

/// One member's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberPlan {
    /// The plan of the member alone on the GPU (its own budget rule), or why it cannot run.
    pub plan: Result<Plan, Unsupported>,
    /// What the process holds on the GPU once started.
    pub footprint: Bytes,
    /// Free memory when it starts (after the members before it).
    pub free_at_start: Bytes,
    /// Whether it starts and serves its context × concurrency.
    pub fits: bool,
    /// Why not, in words.
    pub problem: Option<String>,
}

/// The whole set on one GPU.
#[derive(Clone, Debug, PartialEq)]
pub struct Colocation {
    /// Per member, in start order.
    pub members: Vec<MemberPlan>,
    /// Sum of footprints.
    pub used: Bytes,
    /// GPU memory as the engines see it.
    pub gpu: Bytes,
    /// Every member fits and the sum fits the GPU.
    pub fits: bool,
}

impl Colocation {
    /// Memory left free (zero when over).
    pub fn headroom(&self) -> Bytes {
        self.gpu.saturating_sub(self.used)
    }

    /// Memory missing (zero when it fits).
    pub fn overflow(&self) -> Bytes {
        self.used.saturating_sub(self.gpu)
    }
}

/// Plans `members` (with their configs, `None` for an unknown model) started in order on one
/// `gpu`.
pub fn colocate(members: &[(Option<&ModelConfig>, &Member)], gpu: &Gpu) -> Colocation {
    let total = gpu.memory();
    let mut used = Bytes::ZERO;
    let mut out = Vec::with_capacity(members.len());
    for &(cfg, m) in members {
        let free = total.saturating_sub(used);
        let Some(cfg) = cfg else {
            let reason = format!("unknown model `{}`", m.model_id);
            out.push(MemberPlan {
                problem: Some(reason.clone()),
                plan: Err(Unsupported { reason }),
                footprint: Bytes::ZERO,
                free_at_start: free,
                fits: false,
            });
            continue;
        };
        let fraction = m.fraction();
        let p = match plan(cfg, m.format, gpu, &m.workload) {
            Ok(p) => p,
            Err(u) => {
                out.push(MemberPlan {
                    problem: Some(u.reason.clone()),
                    plan: Err(u),
                    footprint: Bytes::ZERO,
                    free_at_start: free,
                    fits: false,
                });
                continue;
            }
        };
        let single = Workload {
            tensor_parallel: 1,
            pipeline_parallel: 1,
            ..m.workload.clone()
        };
        let r = crate::engines::rules::reserves(
            cfg,
            m.format.resolve(cfg).activation_bytes(cfg),
            gpu,
            &single,
        );
        // A context beyond the model's own maximum is refused by every engine.
        let too_long = (m.workload.context > cfg.max_position_embeddings).then(|| {
            format!(
                "context {} exceeds the model's maximum of {} tokens",
                m.workload.context, cfg.max_position_embeddings
            )
        });
        let (footprint, problem) = match m.workload.engine {
            Engine::Vllm => {
                let budget = Bytes(p.budget_bytes);
                let footprint = budget + r.outside_budget;
                let problem = if budget.0 + r.outside_budget.0 > free.0 {
                    Some(format!(
                        "vLLM refuses to start: it asks for {budget} ({}% of the GPU) but only {free} is free",
                        m.fraction_pct()
                    ))
                } else if !p.fits {
                    // The plan's own verdict, as every other view words it.
                    Some(p.reason_text())
                } else {
                    None
                };
                (footprint, problem)
            }
            Engine::Sglang => {
                // Weights + pool = fraction × (free at start, after its CUDA context).
                let at_start = free.saturating_sub(r.outside_budget);
                let stat = Bytes((at_start.0 as f64 * fraction) as u64);
                let pool = stat.saturating_sub(Bytes(p.weights_bytes));
                let footprint = r.outside_budget + stat + r.activation;
                let problem = if p.weights_bytes > stat.0 {
                    Some(format!(
                        "weights ({}) exceed {}% of the {at_start} free at start",
                        Bytes(p.weights_bytes),
                        m.fraction_pct()
                    ))
                } else if pool.0 < p.kv_cache_bytes {
                    Some(format!(
                        "its KV pool ({pool}) is smaller than the {} the workload needs",
                        Bytes(p.kv_cache_bytes)
                    ))
                } else if footprint > free {
                    Some(format!(
                        "its activations need {} beyond the free memory",
                        footprint.saturating_sub(free)
                    ))
                } else {
                    None
                };
                (footprint, problem)
            }
            Engine::LlamaCpp | Engine::Transformers => {
                let footprint = Bytes(p.total_bytes);
                let problem = if !p.fits {
                    Some(p.reason_text())
                } else if footprint > free {
                    Some(format!("needs {footprint} but only {free} is free"))
                } else {
                    None
                };
                (footprint, problem)
            }
        };
        let problem = too_long.or(problem);
        used += footprint;
        out.push(MemberPlan {
            plan: Ok(p),
            footprint,
            free_at_start: free,
            fits: problem.is_none(),
            problem,
        });
    }
    let fits = !out.is_empty() && out.iter().all(|m| m.fits) && used <= total;
    Colocation {
        members: out,
        used,
        gpu: total,
        fits,
    }
}

/// The launch commands of the set, one process per member on its own port (8000, 8001, …),
/// with each member's own memory fraction (`None` for members without a server command or
/// an unknown model).
pub fn launch_commands(
    members: &[(Option<&ModelConfig>, &Member)],
    gpu: &Gpu,
) -> Vec<Option<String>> {
    members
        .iter()
        .enumerate()
        .map(|(i, &(cfg, m))| {
            // SGLang's fraction is the member's own, not the default for a GPU to itself.
            let mut cmd = crate::engines::command::launch_command_with(
                &m.model_id,
                cfg?,
                m.format,
                gpu,
                &m.workload,
                Some(m.fraction()),
            )?;
            cmd.args.push(format!("--port {}", 8000 + i));
            Some(cmd.to_shell())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::units::GIB;

    fn gpu_gib(gib: u64) -> Gpu {
        Gpu {
            id: "test".into(),
            name: "test".into(),
            full_name: "test".into(),
            class: String::new(),
            vendor: String::new(),
            marketing_gb: gib,
            memory_bytes: gib * GIB,
            bandwidth_gbps: None,
            arch: String::new(),
            ..Gpu::default()
        }
    }

    fn run(members: &[Member], gpu: &Gpu) -> Colocation {
        let c = catalog();
        let cfgs: Vec<_> = members
            .iter()
            .map(|m| c.model(&m.model_id).ok().map(|x| &x.config))
            .collect();
        let pairs: Vec<_> = cfgs.iter().copied().zip(members.iter()).collect();
        colocate(&pairs, gpu)
    }

    #[test]
    fn two_vllm_instances_split_the_gpu_by_their_fractions() {
        // Seed 002's shape: a ~33B coder in AWQ and a 7B in AWQ on a 96 GiB card, vLLM at
        // 0.60 and 0.30. Each claims fraction × 96 GiB plus CUDA context (0.5 GiB) and CUDA
        // graphs (1 GiB): 57.6 + 1.5 and 28.8 + 1.5 GiB = 89.4 GiB, 6.6 GiB left.
        let gpu = gpu_gib(96);
        let mut coder = Member::new("Qwen/Qwen2.5-Coder-32B-Instruct", WeightFormat::Awq);
        coder.set_fraction_pct(60);
        let mut small = Member::new("mistralai/Mistral-7B-v0.1", WeightFormat::Awq);
        small.set_fraction_pct(30);
        let set = run(&[coder, small], &gpu);
        assert!(set.fits, "{:?}", set.members);
        let expect = |pct: u64| (96 * GIB) as f64 * pct as f64 / 100.0 + 1.5 * GIB as f64;
        let exp_used = expect(60) as u64 + expect(30) as u64;
        assert!(
            set.used.0.abs_diff(exp_used) < 2,
            "{} vs {exp_used}",
            set.used.0
        );
        assert_eq!(set.headroom(), Bytes(96 * GIB - set.used.0));
    }

    #[test]
    fn fractions_summing_past_the_gpu_refuse_the_second_instance() {
        let gpu = gpu_gib(96);
        let a = Member::new("mistralai/Mistral-7B-v0.1", WeightFormat::Awq)
            .with(&[("frac", "60")])
            .unwrap();
        let b = a.clone();
        let set = run(&[a, b], &gpu);
        assert!(!set.fits);
        assert!(set.members[0].fits);
        assert!(set.members[1]
            .problem
            .as_deref()
            .unwrap()
            .contains("refuses to start"));
        assert!(set.overflow() > Bytes::ZERO);
    }

    #[test]
    fn a_member_too_big_for_its_own_fraction_is_named() {
        // 33B in fp16 is ~61 GiB of weights: it cannot fit in 30% of 96 GiB.
        let gpu = gpu_gib(96);
        let m = Member::new("Qwen/Qwen2.5-Coder-32B-Instruct", WeightFormat::Fp16)
            .with(&[("frac", "30")])
            .unwrap();
        let set = run(&[m], &gpu);
        assert!(!set.fits);
        assert!(set.members[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("budget"));
    }

    #[test]
    fn llama_cpp_members_take_only_what_they_need() {
        let gpu = gpu_gib(24);
        let m = Member::new("meta-llama/Llama-2-7b-hf", WeightFormat::Q4KM)
            .with(&[("engine", "llama.cpp")])
            .unwrap();
        let set = run(&[m.clone(), m], &gpu);
        let one = set.members[0].plan.as_ref().unwrap().total_bytes;
        assert_eq!(set.members[0].footprint, Bytes(one));
        assert_eq!(set.used, Bytes(2 * one));
        assert!(set.fits);
    }

    #[test]
    fn sglang_takes_its_fraction_of_what_is_free_at_its_start() {
        // After a llama.cpp member, SGLang's static part is fraction × (free − context).
        let gpu = gpu_gib(80);
        let first = Member::new("meta-llama/Llama-2-7b-hf", WeightFormat::Q4KM)
            .with(&[("engine", "llama.cpp")])
            .unwrap();
        let second = Member::new("meta-llama/Llama-2-7b-hf", WeightFormat::Fp16)
            .with(&[("engine", "sglang"), ("frac", "80")])
            .unwrap();
        let set = run(&[first, second], &gpu);
        let free = set.members[1].free_at_start;
        assert_eq!(
            free,
            Bytes(80 * GIB).saturating_sub(set.members[0].footprint)
        );
        let at_start = free.0 - 512 * (1 << 20);
        let stat = (at_start as f64 * 0.8) as u64;
        let act = set.members[1].plan.as_ref().unwrap().activation_bytes;
        assert_eq!(
            set.members[1].footprint,
            Bytes(512 * (1 << 20) + stat + act)
        );
        assert!(set.fits, "{:?}", set.members[1].problem);
    }

    #[test]
    fn a_context_past_the_model_maximum_is_named_as_such() {
        // Llama-2 has max_position_embeddings 4096: 8,192 tokens is refused whatever the GPU.
        let gpu = gpu_gib(96);
        let m = Member::new("meta-llama/Llama-2-7b-hf", WeightFormat::Q4KM)
            .with(&[("engine", "llama.cpp"), ("ctx", "8192")])
            .unwrap();
        let set = run(&[m], &gpu);
        assert!(!set.fits);
        assert_eq!(
            set.members[0].problem.as_deref(),
            Some("context 8192 exceeds the model's maximum of 4096 tokens")
        );
    }

    #[test]
    fn each_member_gets_its_own_fraction_and_port() {
        let gpu = gpu_gib(96);
        let c = catalog();
        let a = Member::new("Qwen/Qwen2.5-Coder-32B-Instruct", WeightFormat::Awq)
            .with(&[("frac", "60")])
            .unwrap();
        let b = Member::new("mistralai/Mistral-7B-v0.1", WeightFormat::Fp16)
            .with(&[("engine", "sglang"), ("frac", "30")])
            .unwrap();
        let cfg = |m: &Member| c.model(&m.model_id).ok().map(|x| &x.config);
        let cmds = launch_commands(&[(cfg(&a), &a), (cfg(&b), &b)], &gpu);
        let one = |s: &Option<String>| s.as_deref().unwrap().replace(" \\\n  ", " ");
        assert!(
            one(&cmds[0]).contains("--gpu-memory-utilization 0.6 "),
            "{:?}",
            cmds[0]
        );
        assert!(one(&cmds[0]).ends_with("--port 8000"));
        assert!(
            one(&cmds[1]).contains("--mem-fraction-static 0.3 "),
            "{:?}",
            cmds[1]
        );
        assert!(one(&cmds[1]).ends_with("--port 8001"));
    }

    #[test]
    fn unknown_models_and_empty_sets_do_not_fit() {
        let gpu = gpu_gib(24);
        assert!(!run(&[], &gpu).fits);
        let set = run(&[Member::new("nobody/nothing", WeightFormat::Fp16)], &gpu);
        assert!(!set.fits);
        assert!(set.members[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("unknown"));
    }
}

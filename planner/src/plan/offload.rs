//! llama.cpp's `--fit` (on by default; `src/llama.cpp` `llama_params_fit_impl`, ggml-org/llama.cpp
//! 2025-12 and later): when the model does not fit the GPU with every layer on it and the user
//! set neither `-ngl` nor tensor overrides, llama.cpp keeps the dense part on the GPU and moves
//! the sparse MoE tensors to system RAM ("for a MoE model, same as dense model but with all MoE
//! tensors in system memory"), filling the GPU back to front; a dense model keeps its last
//! layers on the GPU. The planner finds the same largest GPU share in whole layers: for an MoE
//! model the fewest layers whose experts stay in RAM (`--n-cpu-moe`), then, if even that is
//! too much, the most layers on the GPU (`-ngl`) with every expert in RAM. It is planned only
//! when the user gives the system RAM, which the rest must fit.

use super::{plan_prepared, prepare, Plan, Reason, Workload};
use crate::catalog::gpu::Arch;
use crate::catalog::Gpu;
use crate::engines::Engine;
use crate::model::config::ModelConfig;
use crate::model::weights::WeightFormat;
use serde::Serialize;

/// What `--fit` moved to system RAM, as the flags that reproduce it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Offload {
    /// Repeating layers on the GPU (`-ngl`; `None`: all of them).
    pub gpu_layers: Option<u64>,
    /// Layers whose routed experts stay in system RAM (`--n-cpu-moe`).
    pub cpu_moe_layers: u64,
    /// The model's repeating layers.
    pub layers: u64,
    /// Chosen by `--fit` (else set by the user with `-ngl` / `--n-cpu-moe`).
    pub by_fit: bool,
}

impl Offload {
    /// The llama.cpp flags that pin this placement.
    pub fn flags(self) -> String {
        match self.gpu_layers {
            Some(n) if self.cpu_moe_layers > 0 => {
                format!("-ngl {n} --n-cpu-moe {}", self.cpu_moe_layers)
            }
            Some(n) => format!("-ngl {n}"),
            None => format!("--n-cpu-moe {}", self.cpu_moe_layers),
        }
    }

    /// The placement in words: "experts of 12 of 48 layers in system RAM".
    pub fn describe(self) -> String {
        let layers = self.layers;
        match self.gpu_layers {
            Some(n) if self.cpu_moe_layers > 0 => {
                format!("{n} of {layers} layers on the GPU, every layer's experts in system RAM")
            }
            Some(n) => format!("{n} of {layers} layers on the GPU, the rest in system RAM"),
            None => format!(
                "the experts of {} of {layers} layers in system RAM",
                self.cpu_moe_layers
            ),
        }
    }

    /// The workload with these flags set.
    pub fn apply(self, w: &Workload) -> Workload {
        Workload {
            gpu_layers: self.gpu_layers,
            cpu_moe_layers: self.cpu_moe_layers,
            ..w.clone()
        }
    }
}

/// Reasons that more room on the GPU would cure.
fn over_gpu(r: Reason) -> bool {
    matches!(
        r,
        Reason::WeightsExceedGpu
            | Reason::EngineRefuses
            | Reason::OverEngineBudget
            | Reason::OverGpuMemory
    )
}

/// `plan` as llama.cpp's `--fit` would start it: unchanged when it fits, when the engine is not
/// llama.cpp, on unified memory (Apple: RAM is the GPU's memory), when the user placed the
/// layers themselves or gave no system RAM; else the plan with the largest GPU share that fits
/// (or, when none fits the RAM too, the one that fits the GPU, which then says so).
pub fn fit(
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu: &Gpu,
    w: &Workload,
    with_notes: bool,
    plan: Plan,
) -> Plan {
    let layers = cfg.num_layers.max(1);
    let moe = cfg.moe.is_some() && cfg.moe_layer_count() > 0;
    let discrete = w.engine == Engine::LlamaCpp && gpu.arch() != Arch::Apple;
    // Layers or experts the user left in RAM (`-ngl` at most the layer count leaves at least
    // the output layer there): an offload too, shown as one, with the user's flags.
    if discrete && (w.gpu_layers.is_some_and(|g| g <= layers) || (moe && w.cpu_moe_layers > 0)) {
        let mut plan = plan;
        plan.offload = Some(Offload {
            gpu_layers: w.gpu_layers,
            cpu_moe_layers: if moe { w.cpu_moe_layers } else { 0 },
            layers,
            by_fit: false,
        });
        if plan.fits {
            plan.status = crate::plan::Band::Offload;
        }
        return plan;
    }
    let applies = discrete
        && w.gpu_layers.is_none()
        && w.cpu_moe_layers == 0
        && w.system_memory_bytes.is_some()
        && over_gpu(plan.reason);
    if !applies {
        return plan;
    }
    let at = |o: Offload, notes: bool| -> Option<Plan> {
        let w = o.apply(w);
        let p = prepare(cfg, format, &w).ok()?;
        Some(plan_prepared(cfg, &p, gpu, &w, notes))
    };
    let gpu_ok = |o: Offload| at(o, false).is_some_and(|p| !over_gpu(p.reason));
    let all_experts = Offload {
        gpu_layers: None,
        cpu_moe_layers: layers,
        layers,
        by_fit: true,
    };
    let chosen = if moe && gpu_ok(all_experts) {
        // Fewest layers with experts in RAM (more in RAM only ever frees the GPU).
        let n = smallest(1, layers, |n| {
            gpu_ok(Offload {
                cpu_moe_layers: n,
                ..all_experts
            })
        });
        Offload {
            cpu_moe_layers: n,
            ..all_experts
        }
    } else {
        let with = |n: u64| Offload {
            gpu_layers: Some(n),
            cpu_moe_layers: if moe { layers } else { 0 },
            layers,
            by_fit: true,
        };
        if !gpu_ok(with(0)) {
            return plan;
        }
        // Most layers on the GPU: the smallest count of layers left in RAM.
        let off = smallest(1, layers, |k| gpu_ok(with(layers - k)));
        with(layers - off)
    };
    match at(chosen, with_notes) {
        Some(mut p) => {
            p.offload = Some(chosen);
            if p.fits {
                p.status = crate::plan::Band::Offload;
            }
            if with_notes {
                p.notes.push(format!(
                    "llama.cpp's --fit (on by default) starts it with {} ({}), {} in system RAM",
                    chosen.describe(),
                    chosen.flags(),
                    crate::units::Bytes(p.host_bytes)
                ));
            }
            p
        }
        None => plan,
    }
}

/// The smallest `n` in `lo..=hi` for which `ok` holds, `ok` being monotone (false then true);
/// `hi` when none before it does.
fn smallest(lo: u64, hi: u64, ok: impl Fn(u64) -> bool) -> u64 {
    let (mut lo, mut hi) = (lo, hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::engines::command::launch_command;
    use crate::plan::{plan, Band, Thresholds};

    fn llama(ram_gib: Option<u64>) -> Workload {
        Workload {
            engine: Engine::LlamaCpp,
            context: 4096,
            system_memory_bytes: ram_gib.map(|g| g << 30),
            system_bandwidth_gbps: Some(90),
            ..Workload::default()
        }
    }

    fn at(model: &str, gpu: &str, w: &Workload) -> Plan {
        let c = catalog();
        plan(
            &c.model(model).unwrap().config,
            WeightFormat::Q4KM,
            c.gpu(gpu).unwrap(),
            w,
        )
        .unwrap()
    }

    #[test]
    fn an_moe_model_keeps_the_fewest_expert_layers_in_ram() {
        let (model, gpu) = ("Qwen/Qwen3-30B-A3B", "rtx-3060-12gb");
        // ~17 GiB of Q4_K_M weights on a 12 GB card: no fit on the GPU alone.
        assert!(!at(model, gpu, &llama(None)).fits);
        let p = at(model, gpu, &llama(Some(64)));
        let o = p.offload.expect("--fit moves experts");
        assert!(
            p.fits && o.gpu_layers.is_none() && o.cpu_moe_layers > 0,
            "{o:?}"
        );
        assert_eq!(Thresholds::default().band_of(&p), Band::Offload);
        assert!(p.host_bytes > 4 << 30 && p.host_bytes < 64 << 30);
        // The largest GPU share: one layer fewer in RAM no longer fits the GPU.
        let fewer = Workload {
            cpu_moe_layers: o.cpu_moe_layers - 1,
            ..llama(Some(64))
        };
        assert!(!at(model, gpu, &fewer).fits);
        // Set by hand, the same placement is an offload too, the user's own.
        let own = at(
            model,
            gpu,
            &Workload {
                cpu_moe_layers: o.cpu_moe_layers,
                ..llama(Some(64))
            },
        );
        assert_eq!(Thresholds::default().band_of(&own), Band::Offload);
        assert!(!own.offload.unwrap().by_fit);
        // It has a speed (RAM bandwidth given), slower than on a GPU that holds it all.
        let s = p.speed.unwrap();
        let whole = at(model, "rtx-3090-24gb", &llama(Some(64)));
        assert!(whole.offload.is_none());
        assert!(s.decode_tokens_per_s < whole.speed.unwrap().decode_tokens_per_s);
        // The detail's curve keeps this placement: at the asked count it says what the cell says.
        let c = catalog();
        let curve = crate::plan::speed::speed_curve(
            &c.model(model).unwrap().config,
            WeightFormat::Q4KM,
            c.gpu(gpu).unwrap(),
            &llama(Some(64)),
            &p,
        );
        let one = curve.iter().find(|x| x.0 == 1).unwrap();
        assert!(
            (one.1 - s.decode_tokens_per_s).abs() < 1e-9,
            "{curve:?} {s:?}"
        );
        // The command pins what --fit chose.
        let cmd = launch_command(
            model,
            &c.model(model).unwrap().config,
            WeightFormat::Q4KM,
            c.gpu(gpu).unwrap(),
            &llama(Some(64)),
        )
        .unwrap()
        .to_shell();
        assert!(
            cmd.contains(&format!("--n-cpu-moe {}", o.cpu_moe_layers)),
            "{cmd}"
        );
        assert!(!cmd.contains("does not fit"), "{cmd}");
    }

    #[test]
    fn a_dense_model_keeps_its_last_layers_on_the_gpu_and_the_rest_must_fit_the_ram() {
        let (model, gpu) = ("meta-llama/Meta-Llama-3-70B", "rtx-4090-24gb");
        let p = at(model, gpu, &llama(Some(64)));
        let o = p.offload.expect("--fit moves layers");
        let n = o.gpu_layers.unwrap();
        assert!(p.fits && n > 10 && n < 80, "{o:?}");
        let more = Workload {
            gpu_layers: Some(n + 1),
            ..llama(Some(64))
        };
        assert!(!at(model, gpu, &more).fits);
        // ~40 GiB of weights do not go into 16 GiB of RAM beside a 24 GB card.
        let small = at(model, gpu, &llama(Some(16)));
        assert_eq!(small.reason, Reason::OverSystemMemory);
        assert!(small.reason_text().contains("over system RAM"));
        // Without the RAM bandwidth no speed is claimed for the part in RAM.
        let unknown = Workload {
            system_bandwidth_gbps: None,
            ..llama(Some(64))
        };
        let p = at(model, gpu, &unknown);
        assert!(p.speed.is_none());
        assert_eq!(p.no_speed, Some(super::super::NoSpeed::RamBandwidthUnknown));
        let on_gpu = at(model, "h100-sxm-80gb", &unknown);
        assert!(on_gpu.speed.is_some() && on_gpu.no_speed.is_none());
    }
}

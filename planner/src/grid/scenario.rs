//! The scenario of a grid in one line — engine, context × sequences, KV cache, parallelism,
//! the engine's budget, what the cells show and in which unit — written once here and shown
//! wherever the grid goes: above the page's grid (it opens the controls), in CSV, Markdown,
//! print, the embed and the SVG image, so a copy can always be read on its own.

use super::config::{GridConfig, Mode};
use crate::engines::Engine;
use crate::units::{fixed, group_digits};

impl GridConfig {
    /// Switches the engine; a KV-cache type the new engine does not offer goes back to its
    /// default (`auto`) rather than leaving every cell unsupported.
    pub fn set_engine(&mut self, engine: Engine) {
        self.workload.engine = engine;
        if !crate::engines::support::offers_kv(engine, self.workload.kv_dtype) {
            self.workload.kv_dtype = crate::model::kv_cache::KvDtype::Auto;
        }
    }

    /// "vLLM V1 (0.19) · 2,048 tokens × 1 · KV auto · TP 1 · 90 % budget · % of each GPU's
    /// memory used (GiB)".
    pub fn scenario_line(&self) -> String {
        let w = &self.workload;
        let mut parts = vec![
            w.engine.label().to_string(),
            format!(
                "{} tokens × {}",
                group_digits(w.context),
                group_digits(w.concurrency)
            ),
            format!("KV {}", w.kv_dtype.id()),
        ];
        let gpus = w.gpus();
        parts.push(match (w.engine, w.pipeline_parallel > 1) {
            // The cost mode tries 1, 2, 4 and 8 of each GPU itself.
            _ if self.view.mode == Mode::Cost => "TP as needed".into(),
            // llama.cpp splits layers across every GPU it is given.
            (Engine::LlamaCpp, _) if gpus > 1 => format!("{gpus} GPUs (layer split)"),
            (_, true) => format!("TP {} × PP {}", w.tensor_parallel, w.pipeline_parallel),
            _ => format!("TP {}", w.tensor_parallel),
        });
        match w.engine {
            Engine::Vllm => {
                parts.push(format!(
                    "{} % budget",
                    fixed(w.gpu_memory_utilization * 100.0, 0)
                ));
                if w.vllm_release != crate::engines::VllmRelease::Current {
                    parts.push(format!("vLLM {} sampler", w.vllm_release.label()));
                }
            }
            Engine::Sglang => parts.push(match w.mem_fraction_static {
                Some(f) => format!("mem_fraction_static {}", fixed(f, 3)),
                None => "default mem_fraction_static".into(),
            }),
            Engine::LlamaCpp => {
                parts.push(
                    if w.flash_attention {
                        "flash attention"
                    } else {
                        "no flash attention"
                    }
                    .into(),
                );
                if let Some(ram) = w.system_memory_bytes {
                    parts.push(format!("{} GiB RAM", ram >> 30));
                }
            }
            Engine::Transformers => {}
        }
        let unit = self.view.unit.symbol();
        parts.push(match self.view.mode {
            Mode::Utilization => format!("% of each GPU's memory used ({unit})"),
            Mode::MaxContext => "longest context that fits".into(),
            Mode::MaxConcurrency => "sequences that fit".into(),
            Mode::Cost => "fewest GPUs and $/h".into(),
            Mode::Speed => format!(
                "decode tokens/s per user, target {}",
                self.view.thresholds.speed
            ),
        });
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use crate::grid::{GridConfig, Mode};
    use crate::Engine;

    #[test]
    fn the_scenario_names_what_every_number_depends_on() {
        let mut c = GridConfig::default();
        assert_eq!(
            c.scenario_line(),
            "vLLM V1 (0.19) · 2,048 tokens × 1 · KV auto · TP 1 · 90 % budget · % of each GPU's memory used (GiB)"
        );
        c.workload.engine = Engine::LlamaCpp;
        c.workload.tensor_parallel = 2;
        c.workload.system_memory_bytes = Some(64 << 30);
        c.view.mode = Mode::Speed;
        let line = c.scenario_line();
        assert!(line.contains("2 GPUs (layer split)"), "{line}");
        assert!(line.contains("flash attention · 64 GiB RAM"), "{line}");
        assert!(
            line.ends_with("decode tokens/s per user, target 20"),
            "{line}"
        );
        c.workload.engine = Engine::Sglang;
        c.workload.mem_fraction_static = Some(0.85);
        assert!(c
            .scenario_line()
            .contains("TP 2 · mem_fraction_static 0.850"));
        c.view.mode = Mode::Cost;
        assert!(c.scenario_line().contains("TP as needed"));
        // An engine switch drops a KV type the new engine does not offer.
        c.workload.kv_dtype = crate::model::kv_cache::KvDtype::Q8_0;
        c.set_engine(Engine::Vllm);
        assert_eq!(c.workload.kv_dtype, crate::model::kv_cache::KvDtype::Auto);
    }
}

//! What the page shows for one selected cell, and the price of a configuration: computed here
//! so the page only draws it.

use super::{GridConfig, Mode};
use crate::catalog::price::UsdPerHour;
use crate::catalog::Catalog;
use crate::catalog::Gpu;
use crate::engines::command::launch_command;
use crate::plan::cost::smallest_fit;
use crate::plan::to_fit::{to_fit, Overrides, Suggestion};
use crate::plan::{memory_curve, plan, Plan};

/// Points on the detail chart's memory curve.
const CURVE_POINTS: u64 = 48;

/// A GPU's price as the page shows it: the dollars in effect, whether they are the user's,
/// and where the catalogue's came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceInfo {
    /// The price in effect, if any.
    pub per_hour: Option<UsdPerHour>,
    /// The user set it (it overrides the catalogue's).
    pub edited: bool,
    /// The catalogue's provider, when its price is in effect.
    pub provider: Option<String>,
    /// ", offering (as of date)" after the provider.
    pub offering: String,
    /// The page the catalogue's price was read on.
    pub source: Option<String>,
    /// "your price", "no published price found; enter yours", or empty.
    pub note: &'static str,
}

/// "2 × $2.49/h = $4.98/h · Provider, offering (as of …)" with its source page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceLine {
    /// The line.
    pub text: String,
    /// The catalogue's source page, when its price is used.
    pub source: Option<String>,
}

/// `(context, total bytes, fits)` at points from one block to the chart's last context.
pub type Curve = Vec<(u64, u64, bool)>;

/// Everything the detail panel draws.
#[derive(Clone, Debug, PartialEq)]
pub struct CellDetail {
    /// "Model · format · 2 × GPU".
    pub title: String,
    /// The plan, with its notes.
    pub plan: Plan,
    /// The memory curve from one block to `x_max`.
    pub curve: Curve,
    /// The chart's last context.
    pub x_max: u64,
    /// The chosen format's label.
    pub format_label: String,
    /// The same curve for every other format of the grid that the engine runs for this model
    /// on this GPU, with its label: the choice of format, seen on one chart.
    pub other_formats: Vec<(String, Curve)>,
    /// The launch command as shell text (`None`: no server, transformers).
    pub command: Option<String>,
    /// The price of the configuration, if known.
    pub price: Option<PriceLine>,
    /// The smallest changes that make it fit (or leave the critical band).
    pub suggestions: Vec<Suggestion>,
    /// How fast it runs, in one sentence (or why there is no figure).
    pub speed_line: String,
    /// `(sequences, tokens/s per sequence, in total, fits)` for the speed chart (empty: no
    /// speed figure).
    pub speed_curve: Vec<(u64, f64, f64, bool)>,
    /// In the max-context and max-concurrency modes, what the cell shows, in words.
    pub mode_line: Option<String>,
}

/// A cell the engine cannot run: why, and what it runs instead.
#[derive(Clone, Debug, PartialEq)]
pub struct Unrunnable {
    /// "Model · format · GPU: the reason".
    pub text: String,
    /// Changes that make it run and fit (the format the engine loads instead, …).
    pub suggestions: Vec<Suggestion>,
}

impl GridConfig {
    /// The price of a GPU as the price list shows it.
    pub fn price_info(&self, gpu_id: &str, catalog: &Catalog) -> PriceInfo {
        let price = self.price(gpu_id, catalog);
        let edited = price.is_some_and(|p| p.1);
        let published = catalog.price(gpu_id).filter(|_| !edited);
        PriceInfo {
            per_hour: price.map(|p| p.0),
            edited,
            provider: published.map(|s| s.provider.clone()),
            offering: published
                .map_or_else(String::new, |s| format!(", {} ({})", s.offering, s.dated())),
            source: published.map(|s| s.source.clone()),
            note: match (edited, published) {
                (true, _) => "your price",
                (false, None) => "no published price found; enter yours",
                _ => "",
            },
        }
    }

    /// The price of `count` GPUs of one type, or `None` without a price.
    pub fn price_line(&self, gpu_id: &str, count: u64, catalog: &Catalog) -> Option<PriceLine> {
        let info = self.price_info(gpu_id, catalog);
        let p = info.per_hour?;
        let total = if count > 1 {
            format!("{count} × {p} = {}", p.times(count))
        } else {
            p.to_string()
        };
        Some(match info.provider {
            Some(provider) => PriceLine {
                text: format!("{total} · {provider}{}", info.offering),
                source: info.source,
            },
            None => PriceLine {
                text: format!("{total} · your price"),
                source: None,
            },
        })
    }

    /// The detail of the selected cell: `None` when nothing (or nothing on the grid) is
    /// selected, `Err` with the reason when the engine cannot run it. In cost mode it details
    /// the configuration the cell shows (the fewest GPUs that fit).
    pub fn detail(&self, catalog: &Catalog) -> Option<Result<CellDetail, Unrunnable>> {
        let (model_id, format, gpu_id) = self.view.selected.as_ref()?;
        // A cell no longer on the grid (its model, format or GPU was unticked) has no detail.
        if !(self.models.contains(model_id)
            && self.formats.contains(format)
            && self.gpus.contains(gpu_id))
        {
            return None;
        }
        let model = self.find_model(model_id, catalog)?;
        let gpu = self.find_gpu(gpu_id, catalog)?;
        let mut w = self.workload.clone();
        if self.view.mode == Mode::Cost {
            if let Ok(Some(fit)) = smallest_fit(&model.config, *format, gpu, &w) {
                w.tensor_parallel = fit.count;
            }
        }
        let gpus = if w.tensor_parallel > 1 {
            format!("{} × {}", w.tensor_parallel, gpu.name)
        } else {
            gpu.name.clone()
        };
        let format_label = format.label_for(&model.config);
        let title = format!("{} · {format_label} · {gpus}", model.name);
        let candidates: Vec<Gpu> = catalog
            .gpus
            .iter()
            .chain(&self.custom_gpus)
            .cloned()
            .collect();
        let suggestions = to_fit(
            &model.config,
            *format,
            gpu,
            &w,
            self.view.thresholds,
            &candidates,
        );
        let p = match plan(&model.config, *format, gpu, &w) {
            Ok(p) => p,
            Err(u) => {
                return Some(Err(Unrunnable {
                    text: format!("{title}: {}", u.reason),
                    suggestions,
                }))
            }
        };
        // The chart runs past both the chosen context and where the model stops fitting.
        let x_max = (2 * self.workload.context)
            .max(p.max_context + p.max_context / 4)
            .max(4096)
            .min(model.config.max_position_embeddings);
        let curve = |f| memory_curve(&model.config, f, gpu, &w, x_max, CURVE_POINTS);
        let other_formats = self
            .formats
            .iter()
            .filter(|&&f| f != *format)
            .map(|&f| (f.label_for(&model.config), curve(f)))
            .filter(|(_, c)| !c.is_empty())
            .collect();
        Some(Ok(CellDetail {
            title,
            curve: curve(*format),
            x_max,
            format_label,
            other_formats,
            command: launch_command(model.served_id(), &model.config, *format, gpu, &w)
                .map(|cmd| cmd.to_shell()),
            price: self.price_line(&gpu.id, w.tensor_parallel, catalog),
            // The speed mode's line is the speed line, which the detail states anyway.
            mode_line: (self.view.mode != Mode::Speed)
                .then(|| super::words::mode_line(&p, self.view.mode))
                .flatten(),
            speed_line: super::words::speed_line(&p),
            speed_curve: crate::plan::speed::speed_curve(&model.config, *format, gpu, &w, &p),
            plan: p,
            suggestions,
        }))
    }

    /// Applies a suggestion for the selected cell: the workload changes, a new format or GPU
    /// joins the grid, and the selection moves to the cell the suggestion describes.
    pub fn apply(&mut self, o: &Overrides) {
        self.workload = o.workload(&self.workload);
        let Some((model, mut format, mut gpu)) = self.view.selected.clone() else {
            return;
        };
        if let Some(f) = o.weights {
            if !self.formats.contains(&f) {
                self.formats.push(f);
            }
            format = f;
        }
        if let Some(g) = &o.gpu {
            if !self.gpus.contains(g) {
                self.gpus.push(g.clone());
            }
            gpu = g.clone();
        }
        self.view.selected = Some((model, format, gpu));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::model::weights::WeightFormat;

    #[test]
    fn cost_mode_details_the_configuration_the_cell_shows() {
        let c = GridConfig {
            workload: crate::plan::Workload {
                context: 4096,
                ..Default::default()
            },
            view: crate::grid::ViewSettings {
                mode: Mode::Cost,
                selected: Some((
                    "meta-llama/Llama-2-13b-hf".into(),
                    WeightFormat::Fp16,
                    "rtx-4090-24gb".into(),
                )),
                ..Default::default()
            },
            ..GridConfig::default()
        };
        let d = c.detail(catalog()).unwrap().unwrap();
        assert!(d.title.ends_with("· 2 × RTX 4090"), "{}", d.title);
        assert!(d.command.unwrap().contains("--tensor-parallel-size 2"));
        assert!(d.curve.len() > 10 && d.x_max >= 4096);
        let info = c.price_info("rtx-4090-24gb", catalog());
        let line = c.price_line("rtx-4090-24gb", 2, catalog()).unwrap();
        assert!(
            line.text
                .starts_with(&format!("2 × {}", info.per_hour.unwrap())),
            "{}",
            line.text
        );
        assert_eq!(line.source, info.source);
    }

    #[test]
    fn the_chart_has_a_curve_for_every_other_format_of_the_grid() {
        let mut c = GridConfig::default();
        let fp16 = WeightFormat::Fp16;
        assert!(c.formats.len() >= 3 && c.formats.contains(&fp16));
        c.models = vec!["meta-llama/Llama-2-7b-hf".into()];
        c.gpus = vec!["a100-sxm4-80gb".into()];
        c.view.selected = Some((c.models[0].clone(), fp16, c.gpus[0].clone()));
        let d = c.detail(catalog()).unwrap().unwrap();
        assert_eq!(d.other_formats.len(), c.formats.len() - 1);
        for (label, curve) in &d.other_formats {
            assert!(!label.is_empty() && !d.title.contains(&format!("· {label} ·")));
            // Same contexts as the chosen format's curve; FP32 stores more bytes of weights
            // than FP16 and every quantized format fewer, at each context.
            assert_eq!(curve.len(), d.curve.len(), "{label}");
            for (o, f) in curve.iter().zip(&d.curve) {
                assert_eq!(o.0, f.0);
                assert_eq!(
                    o.1 > f.1,
                    label == "FP32",
                    "{label} at {}: {} vs {}",
                    o.0,
                    o.1,
                    f.1
                );
            }
        }
    }

    #[test]
    fn a_cell_taken_off_the_grid_has_no_detail() {
        let mut c = GridConfig::default();
        c.view.selected = Some((
            "meta-llama/Llama-2-7b-hf".into(),
            crate::model::weights::WeightFormat::Fp16,
            "l40-48gb".into(),
        ));
        assert!(c.detail(catalog()).is_some());
        c.gpus.retain(|g| g != "l40-48gb");
        assert!(c.detail(catalog()).is_none());
    }
}

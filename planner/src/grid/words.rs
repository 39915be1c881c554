//! The sentences the page shows about a cell or a row, written once here so the tooltip, the
//! detail and the CLI say the same thing, under the user's bands.

use super::{Grid, GridConfig, Mode};
use crate::catalog::Catalog;
use crate::model::weights::WeightFormat;
use crate::plan::verdict::sequences;
use crate::plan::{LimitedBy, Plan, Thresholds};
use crate::units::{group_digits, rate};
use crate::units::{Bytes, Unit};

/// The numbers behind a plan, in one sentence.
pub fn describe(p: &Plan, unit: Unit) -> String {
    let b = |n: u64| Bytes(n).display(unit);
    format!(
        "{} of {} ({}%). Weights {}{}, KV cache {}, activations {}, overhead {}{}. KV capacity {} tokens; {} at this context; max context {} at this concurrency{}.",
        b(p.total_bytes),
        b(p.gpu_memory_bytes),
        p.utilization_percent(),
        b(p.weights_bytes),
        if p.vision_bytes > 0 {
            format!(" (vision encoder {})", b(p.vision_bytes))
        } else {
            String::new()
        },
        b(p.kv_cache_bytes),
        b(p.activation_bytes),
        b(p.overhead_bytes),
        if p.host_bytes > 0 {
            format!("; {} more in system RAM", b(p.host_bytes))
        } else {
            String::new()
        },
        group_digits(p.kv_capacity_tokens),
        sequences(p.max_concurrency, "fit", "fits"),
        group_digits(p.max_context),
        if p.max_context_limited_by() == LimitedBy::Model {
            " (the model's limit)"
        } else {
            ""
        },
    )
}

/// The share of the GPU a plan uses, as the grid shows it (whole percent, rounded up, which is
/// also what its band is read from) and, where that differs, to a tenth: "75%, from 74.2%
/// rounded up".
pub fn utilization_words(p: &Plan) -> String {
    let shown = p.utilization_percent();
    let tenth = crate::units::fixed(p.utilization_permille as f64 / 10.0, 1);
    if p.utilization_permille == shown * 10 {
        format!("{shown}%")
    } else {
        format!("{shown}%, from {tenth}% rounded up")
    }
}

/// What a cell shows in the max-context and max-concurrency modes, in words: the number, where
/// it comes from and the utilisation there (the band the cell shows is that one's).
pub fn mode_line(p: &Plan, mode: Mode) -> Option<String> {
    match mode {
        Mode::MaxContext if p.max_context > 0 => Some(format!(
            "the longest context that fits at {} is {} tokens{}, {}% of the GPU",
            sequences(p.concurrency, "", "").trim_end(),
            group_digits(p.max_context),
            if p.max_context_limited_by() == LimitedBy::Model {
                " (the model's limit)"
            } else {
                ""
            },
            p.max_context_permille.div_ceil(10)
        )),
        Mode::MaxContext => Some("not even one block of context fits".into()),
        Mode::MaxConcurrency if p.max_concurrency > 0 => Some(format!(
            "{} of {} tokens, {}% of the GPU",
            sequences(p.max_concurrency, "fit", "fits"),
            group_digits(p.context),
            p.max_concurrency_permille.div_ceil(10)
        )),
        Mode::MaxConcurrency => Some(format!(
            "no sequence of {} tokens fits",
            group_digits(p.context)
        )),
        Mode::Speed => Some(speed_line(p)),
        _ => None,
    }
}

/// A plan's speed in one sentence: decode per user and in total with every sequence at the
/// asked context, prefill and time to first token of one such prompt, or why there is none.
pub fn speed_line(p: &Plan) -> String {
    if !p.fits {
        return "no speed: it does not start as asked".into();
    }
    let Some(s) = p.speed else {
        return match p.no_speed {
            Some(why) => format!("no speed figure: {why}"),
            None => "no speed figure".into(),
        };
    };
    let mut line = format!(
        "decode {} tokens/s per sequence at {} tokens deep",
        rate(s.decode_tokens_per_s),
        group_digits(p.context)
    );
    if p.concurrency > 1 {
        line.push_str(&format!(
            ", {} in total for {}",
            rate(s.decode_tokens_per_s_total),
            sequences(p.concurrency, "", "").trim_end()
        ));
    }
    match (s.prefill_tokens_per_s, s.ttft_ms) {
        (Some(pf), Some(t)) => line.push_str(&format!(
            "; prefill {} tokens/s, first token after {} of a {}-token prompt",
            rate(pf),
            duration_ms(t),
            group_digits(p.context)
        )),
        _ => line.push_str("; no prefill figure (no measured prefill efficiency here)"),
    }
    line
}

/// Milliseconds below ten seconds, seconds above.
fn duration_ms(ms: f64) -> String {
    if ms < 10_000.0 {
        format!("{} ms", group_digits(ms.round() as u64))
    } else {
        format!("{} s", crate::units::fixed(ms / 1000.0, 1))
    }
}

impl Grid {
    /// The tooltip of cell (model, format, GPU): what it is, the word its cell shows in `mode`
    /// under `thresholds`, why it does not fit when it does not, and its numbers; `None` when
    /// the cell is not on the grid.
    pub fn tooltip(
        &self,
        model_id: &str,
        format: WeightFormat,
        gpu_id: &str,
        (mode, thresholds): (Mode, Thresholds),
        unit: Unit,
    ) -> Option<String> {
        let r = *self.row_index.get(&(model_id.to_string(), format))?;
        let c = *self.column_index.get(gpu_id)?;
        let row = self.rows.get(r)?;
        let gpu = &self.columns.get(c)?.name;
        let (name, label) = (&row.model_name, &row.format_label);
        let what = match row.counts.get(c) {
            Some(0) => format!("{name} {label} does not fit on up to 8 × {gpu}; on one"),
            Some(n) => format!("{name} {label} on {n} × {gpu} (per GPU)"),
            None => format!("{name} {label} on {gpu}"),
        };
        let word = self.text(r, c, mode, thresholds).label;
        Some(match row.cells.get(c)? {
            Ok(p) => {
                // In the max-context and max-concurrency modes the word is the band of the
                // number shown; the asked scenario's verdict follows.
                let shown = mode_line(p, mode)
                    .map(|l| {
                        format!(
                            "{l}. As asked ({} × {} tokens): ",
                            p.concurrency,
                            group_digits(p.context)
                        )
                    })
                    .unwrap_or_default();
                let verdict = if p.fits {
                    "fits".to_string()
                } else {
                    format!("does not fit: {}", p.reason_text())
                };
                format!("{what}: {word} — {shown}{verdict}. {}", describe(p, unit))
            }
            Err(u) => format!("{what}: unsupported — {}", u.reason),
        })
    }
}

impl GridConfig {
    /// The grid's caption: what the cells show in this mode.
    pub fn caption(&self) -> String {
        // The first empty list (one at a time is what a user clears).
        let empty = if self.models.is_empty() {
            "models"
        } else if self.gpus.is_empty() {
            "GPUs"
        } else if self.formats.is_empty() {
            "formats"
        } else {
            ""
        };
        if !empty.is_empty() {
            return format!(
                "Nothing on the grid yet: no {empty} chosen (add with the search box or the lists above)"
            );
        }
        match self.view.mode {
            Mode::Utilization => "Per-GPU memory needed, as % of what the GPU really offers".into(),
            Mode::MaxContext => format!(
                "Longest context (tokens) that fits at {}",
                sequences(self.workload.concurrency, "at once", "at a time")
            ),
            Mode::MaxConcurrency => {
                format!("Concurrent sequences of {} tokens that fit", self.workload.context)
            }
            Mode::Speed => format!(
                "Decode tokens/s per user with {} of {} tokens (total after ·); » at least {} per user",
                sequences(self.workload.concurrency, "", "").trim_end(),
                group_digits(self.workload.context),
                self.view.thresholds.speed
            ),
            Mode::Cost => format!(
                "Fewest GPUs of each type (1, 2, 4 or 8, tensor parallel) that serve {} × {} tokens, and their price per hour",
                self.workload.concurrency,
                group_digits(self.workload.context)
            ),
        }
    }

    /// "cheapest of all priced GPUs: 2 × L40S · AWQ · $1.72/h" (shown or not) for a model in cost mode (the user's own GPUs can
    /// be the cheapest too, named as the grid names them).
    pub fn cheapest_line(&self, grid: &Grid, model_id: &str, catalog: &Catalog) -> String {
        match grid.cheapest.get(model_id) {
            Some(c) => {
                let gpu = self
                    .find_gpu(&c.gpu_id, catalog)
                    .map_or_else(|| c.gpu_id.clone(), |g| g.name.clone());
                format!(
                    "cheapest of all priced GPUs: {} × {gpu} · {} · {}",
                    c.count,
                    c.format.label(),
                    c.per_hour
                )
            }
            None => "cheapest of all priced GPUs: none fits".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::grid::evaluate;

    #[test]
    fn the_detail_states_the_cells_percent_and_the_tenth_it_was_rounded_from() {
        let grid = evaluate(&GridConfig::default(), catalog());
        let mut p = grid.rows[0].cells.iter().flatten().next().unwrap().clone();
        p.utilization_permille = 742;
        // The cell and the band read 75 %; the detail says so, and what it was rounded from.
        assert_eq!(p.utilization_percent(), 75);
        assert_eq!(utilization_words(&p), "75%, from 74.2% rounded up");
        p.utilization_permille = 750;
        assert_eq!(utilization_words(&p), "75%");
    }

    #[test]
    fn the_caption_of_an_empty_grid_names_the_empty_list() {
        let mut c = GridConfig::default();
        c.gpus.clear();
        assert_eq!(
            c.caption(),
            "Nothing on the grid yet: no GPUs chosen (add with the search box or the lists above)"
        );
        assert!(evaluate(&c, catalog()).columns.is_empty());
        c.formats.clear();
        assert!(evaluate(&c, catalog()).rows.is_empty());
    }

    #[test]
    fn the_tooltip_names_the_band_of_its_cell_under_custom_bands() {
        let config = GridConfig {
            view: crate::grid::ViewSettings {
                thresholds: Thresholds::new(30, 40, 50).unwrap(),
                ..Default::default()
            },
            ..GridConfig::default()
        };
        let grid = evaluate(&config, catalog());
        let mut moved = 0;
        for (r, row) in grid.rows.iter().enumerate() {
            for (c, col) in grid.columns.iter().enumerate() {
                let cell = grid.text(r, c, config.view.mode, config.view.thresholds);
                let tip = grid
                    .tooltip(
                        &row.model_id,
                        row.format,
                        &col.id,
                        (config.view.mode, config.view.thresholds),
                        Unit::GiB,
                    )
                    .unwrap();
                if cell.fit != "unsupported" {
                    assert!(
                        tip.contains(&format!(": {} — ", cell.label)),
                        "{cell:?} {tip}"
                    );
                }
                if let Ok(p) = &row.cells[c] {
                    moved +=
                        usize::from(cell.label == "critical" && p.status.label() != "critical");
                }
            }
        }
        // Cells whose band the custom thresholds changed: the tooltip followed them.
        assert!(moved > 0);
    }
}

//! The feasibility grid: models × weight formats (rows) × GPUs (columns).

use crate::catalog::price::UsdPerHour;
use crate::catalog::{Catalog, Gpu};
use crate::engines::support::Unsupported;
use crate::model::weights::WeightFormat;
use crate::plan::cost::{Cheapest, Counts};
use crate::plan::speed;
use crate::plan::{offload, plan_prepared, prepare, Band, Plan, Thresholds, Workload};

pub mod cell;
pub mod colo;
pub mod config;
pub mod detail;
pub mod embed;
pub mod export;
pub mod find;
pub mod image;
pub mod presets;
pub mod scenario;
pub mod words;

pub use cell::{group_digits, CellText};
pub use config::{GridConfig, Mode, Sort, Theme, ViewSettings, ALL_MODES, MAX_CELLS};

/// One row: a model at one weight format.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Model id (stable key).
    pub model_id: String,
    /// Model display name.
    pub model_name: String,
    /// Weight format of this row.
    pub format: WeightFormat,
    /// Its label for this model ("native (BF16)").
    pub format_label: String,
    /// One cell per GPU column.
    pub cells: Vec<Result<Plan, Unsupported>>,
    /// In [`Mode::Cost`]: per cell, the GPU count whose plan the cell holds (0: none up to
    /// 8 fits). Empty in other modes.
    pub counts: Vec<u64>,
}

/// A GPU column header.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Column {
    /// GPU id (stable key).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Usable memory in bytes.
    pub memory_bytes: u64,
    /// $/GPU-hour in effect (user's or catalogue's).
    pub price: Option<UsdPerHour>,
}

impl Column {
    /// The header's name: "2 × RTX 4090" when each model runs on `gpus` of them (the memory
    /// beside it stays per GPU).
    pub fn title(&self, gpus: u64) -> String {
        if gpus > 1 {
            format!("{gpus} × {}", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// The evaluated grid.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Grid {
    /// The rows and columns whose cells were evaluated ([`evaluate_part`]).
    pub span: Span,
    /// GPU columns.
    pub columns: Vec<Column>,
    /// Rows grouped by model, formats in config order.
    pub rows: Vec<Row>,
    /// Row index by (model id, format), for O(1) cell lookups by stable keys.
    pub row_index: crate::FastMap<(String, WeightFormat), usize>,
    /// Column index by GPU id.
    pub column_index: crate::FastMap<String, usize>,
    /// In [`Mode::Cost`]: per model id, the cheapest configuration over every priced GPU
    /// (catalogue and custom, shown or not) and the chosen formats.
    pub cheapest: crate::FastMap<String, Cheapest>,
    /// Models of the configuration left off this grid to keep it within [`MAX_CELLS`].
    pub left_out_models: usize,
}

impl Grid {
    /// The cell at (model id, format, GPU id), if that row and column are on the grid.
    pub fn cell(
        &self,
        model_id: &str,
        format: WeightFormat,
        gpu_id: &str,
    ) -> Option<&Result<Plan, Unsupported>> {
        let r = *self.row_index.get(&(model_id.to_string(), format))?;
        let c = *self.column_index.get(gpu_id)?;
        self.rows.get(r)?.cells.get(c)
    }

    /// The text of cell (`r`, `c`) in `mode`: what the page and the exports show.
    pub fn text(&self, r: usize, c: usize, mode: Mode, thresholds: Thresholds) -> CellText {
        let row = &self.rows[r];
        let cost = (mode == Mode::Cost).then(|| {
            (
                row.counts.get(c).copied().unwrap_or(0),
                self.columns.get(c).and_then(|col| col.price),
            )
        });
        CellText::of(&row.cells[c], mode, thresholds, cost)
    }
}

/// The part of a grid a page has on screen, in display order: rows `rows.0..rows.1` and GPU
/// columns `cols.0..cols.1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// First row and one past the last.
    pub rows: (usize, usize),
    /// First GPU column and one past the last.
    pub cols: (usize, usize),
}

/// Evaluates every cell. Unknown ids are skipped (the URL decoder already reported them).
pub fn evaluate(config: &GridConfig, catalog: &Catalog) -> Grid {
    evaluate_part(config, catalog, &|rows, cols| Span {
        rows: (0, rows),
        cols: (0, cols),
    })
}

/// Evaluates the cells in the span `part` picks for a grid of (rows, GPU columns); the other
/// cells hold [`Unsupported::NOT_EVALUATED`]. A page shows a few hundred cells of a catalogue's
/// tens of thousands, and planning them all on each change cost most of a repaint's time.
/// Sorting by fit needs every cell, so that order evaluates them all. Weights and KV layout are
/// priced once per model × format and reused across GPUs.
pub fn evaluate_part(
    config: &GridConfig,
    catalog: &Catalog,
    part: &dyn Fn(usize, usize) -> Span,
) -> Grid {
    let gpus: Vec<_> = config
        .gpus
        .iter()
        .filter_map(|id| config.find_gpu(id, catalog))
        .collect();
    let cap = config.models_within_cap(catalog);
    let models: Vec<_> = config
        .models
        .iter()
        .take(cap)
        .filter_map(|id| config.find_model(id, catalog))
        .collect();
    let workload = &config.workload;
    let cost = config.view.mode == Mode::Cost;
    let speed_mode = config.view.mode == Mode::Speed;
    let nf = config.formats.len();
    // The order of rows and columns, where it does not depend on the cells.
    let (mut model_order, mut gpu_order) = match config.view.sort {
        Sort::Chosen | Sort::Fit => ((0..models.len()).collect(), (0..gpus.len()).collect()),
        Sort::Size => (
            crate::units::order_by(models.iter().map(|m| m.config.param_count()).collect()),
            crate::units::order_by(gpus.iter().map(|g| g.memory_bytes).collect()),
        ),
    };
    let span = if config.view.sort == Sort::Fit {
        Span {
            rows: (0, models.len() * nf),
            cols: (0, gpus.len()),
        }
    } else {
        part(models.len() * nf, gpus.len())
    };
    // Which (model, format) rows and which GPUs the span holds.
    let mut wanted = vec![false; models.len() * nf];
    for r in span.rows.0..span.rows.1.min(wanted.len()) {
        wanted[model_order[r / nf] * nf + r % nf] = true;
    }
    let columns_wanted: Vec<usize> = gpu_order
        .get(span.cols.0..span.cols.1.min(gpus.len()))
        .unwrap_or_default()
        .to_vec();
    let shown: Vec<&Gpu> = columns_wanted.iter().map(|&g| gpus[g]).collect();
    // Per shown GPU, its cell; every other cell is left unevaluated.
    let spread = |part: Vec<Result<Plan, Unsupported>>, counts: Vec<u64>| {
        let mut row = vec![Err(Unsupported::NOT_EVALUATED); gpus.len()];
        let mut n = vec![0; if cost { gpus.len() } else { 0 }];
        for (i, (cell, &g)) in part.into_iter().zip(&columns_wanted).enumerate() {
            row[g] = cell;
            if cost {
                n[g] = counts[i];
            }
        }
        (row, n)
    };
    // cells[m][f][g] and, in cost mode, counts[m][f][g], in the chosen order.
    let mut counts: Vec<Vec<Vec<u64>>> = Vec::new();
    let mut cells: Vec<Vec<Vec<Result<Plan, Unsupported>>>> = Vec::new();
    for (mi, m) in models.iter().enumerate() {
        let mut m_cells = Vec::new();
        let mut m_counts = Vec::new();
        for (fi, &f) in config.formats.iter().enumerate() {
            let (c, n) = if !wanted[mi * nf + fi] {
                spread(Vec::new(), Vec::new())
            } else if cost {
                let (c, n) = cost_row(&m.config, f, &shown, workload);
                spread(c, n)
            } else {
                // What a decode step reads is the same on every GPU of the row.
                let reads = speed_mode.then(|| speed::reads(&m.config, f, workload));
                let c = match prepare(&m.config, f, workload) {
                    Ok(p) => shown
                        .iter()
                        .map(|g| {
                            p.runs_on(g, workload)?;
                            let plan = plan_prepared(&m.config, &p, g, workload, false);
                            let mut plan = offload::fit(&m.config, f, g, workload, false, plan);
                            let s = match (&reads, plan.offload) {
                                (None, _) => None,
                                (Some(r), None) => {
                                    Some(speed::speed_with(r, &m.config, g, workload, &plan))
                                }
                                // An offloaded plan's own workload places its layers.
                                (Some(_), Some(o)) => {
                                    Some(speed::speed(&m.config, f, g, &o.apply(workload), &plan))
                                }
                            };
                            if let Some(s) = s {
                                plan.set_speed(s);
                            }
                            Ok(plan)
                        })
                        .collect(),
                    Err(u) => vec![Err(u); shown.len()],
                };
                spread(c, Vec::new())
            };
            m_cells.push(c);
            m_counts.push(n);
        }
        cells.push(m_cells);
        counts.push(m_counts);
    }
    let cheapest = if cost {
        // Every priced GPU, shown or not: the answer should not depend on the columns picked.
        let priced: Vec<(&Gpu, UsdPerHour)> = catalog
            .gpus
            .iter()
            .chain(config.custom_gpus.iter())
            .filter_map(|g| config.price(&g.id, catalog).map(|(p, _)| (g, p)))
            .collect();
        models
            .iter()
            .enumerate()
            .filter(|(mi, _)| wanted[mi * nf..(mi + 1) * nf].contains(&true))
            .filter_map(|(_, m)| {
                crate::plan::cost::cheapest(&m.config, &config.formats, &priced, workload)
                    .map(|c| (m.id.clone(), c))
            })
            .collect()
    } else {
        Default::default()
    };
    if config.view.sort == Sort::Fit {
        let fits = |c: &Result<Plan, Unsupported>| {
            c.as_ref()
                .map(|p| config.view.thresholds.band_of(p) != Band::DoesNotFit)
                .unwrap_or(false)
        };
        // Most fitting first: sort by the complement of the score.
        let model_score = cells
            .iter()
            .map(|fs| u64::MAX - fs.iter().flatten().filter(|c| fits(c)).count() as u64)
            .collect();
        let gpu_score = (0..gpus.len())
            .map(|g| u64::MAX - cells.iter().flatten().filter(|row| fits(&row[g])).count() as u64)
            .collect();
        (model_order, gpu_order) = (
            crate::units::order_by(model_score),
            crate::units::order_by(gpu_score),
        );
    }
    let columns = gpu_order
        .iter()
        .map(|&g| Column {
            id: gpus[g].id.clone(),
            name: gpus[g].name.clone(),
            memory_bytes: gpus[g].memory_bytes,
            price: config.price(&gpus[g].id, catalog).map(|(p, _)| p),
        })
        .collect();
    let mut rows = Vec::with_capacity(models.len() * config.formats.len());
    for &m in &model_order {
        for (fi, &format) in config.formats.iter().enumerate() {
            let row = std::mem::take(&mut cells[m][fi]);
            let n = std::mem::take(&mut counts[m][fi]);
            let mut row: Vec<Option<Result<Plan, Unsupported>>> =
                row.into_iter().map(Some).collect();
            rows.push(Row {
                model_id: models[m].id.clone(),
                model_name: models[m].name.clone(),
                format,
                format_label: format.label_for(&models[m].config),
                // `gpu_order` is a permutation, so every cell is taken exactly once.
                cells: gpu_order.iter().filter_map(|&g| row[g].take()).collect(),
                counts: if n.is_empty() {
                    n
                } else {
                    gpu_order.iter().map(|&g| n[g]).collect()
                },
            });
        }
    }
    let row_index = rows
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.model_id.clone(), r.format), i))
        .collect();
    let column_index = gpu_order
        .iter()
        .enumerate()
        .map(|(i, &g)| (gpus[g].id.clone(), i))
        .collect();
    Grid {
        span,
        columns,
        rows,
        row_index,
        column_index,
        cheapest,
        left_out_models: config.models.len().saturating_sub(cap),
    }
}

/// One cost-mode row: per GPU, the plan at the smallest count in [`GPU_COUNTS`] that fits
/// (or at one GPU when none does, count 0). Weights and KV are priced once per count.
fn cost_row(
    cfg: &crate::model::config::ModelConfig,
    format: WeightFormat,
    gpus: &[&Gpu],
    w: &Workload,
) -> (Vec<Result<Plan, Unsupported>>, Vec<u64>) {
    let counts = match Counts::new(cfg, format, w) {
        Ok(c) => c,
        Err(u) => return (vec![Err(u); gpus.len()], vec![0; gpus.len()]),
    };
    gpus.iter()
        .map(|g| match (counts.runs_on(g), counts.smallest_fit(g)) {
            (Err(u), _) => (Err(u), 0),
            (Ok(()), Some(fit)) => (Ok(fit.plan), fit.count),
            (Ok(()), None) => (Ok(counts.single(g)), 0),
        })
        .unzip()
}

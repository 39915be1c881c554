//! The feasibility grid: models × weight formats (rows) × GPUs (columns).

use crate::catalog::custom::CustomModel;
use crate::catalog::price::UsdPerHour;
use crate::catalog::{Catalog, Gpu, Model};
use crate::engines::support::Unsupported;
use crate::engines::Engine;
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::plan::colocate::Member;
use crate::plan::cost::{Cheapest, Counts, GPU_COUNTS};
use crate::plan::{plan_prepared, prepare, Band, Plan, Thresholds, Workload};
use crate::units::Unit;

/// Most cells one grid evaluates and renders. The whole catalogue at every format is 53,040
/// cells (repainted within 50 ms, README "Performance"); a link or selection asking for more
/// (millions of cells would stall the page for seconds or exhaust its memory) keeps its first
/// models up to this many cells and says so.
pub const MAX_CELLS: usize = 60_000;

/// Everything the grid view depends on; this is what the URL carries.
#[derive(Clone, Debug, PartialEq)]
pub struct GridConfig {
    /// Model ids, in row order.
    pub models: Vec<String>,
    /// GPU ids, in column order.
    pub gpus: Vec<String>,
    /// Weight formats, one sub-row each.
    pub formats: Vec<WeightFormat>,
    /// Engine budget rule.
    pub engine: Engine,
    /// Context length per sequence.
    pub context: u64,
    /// Concurrent sequences.
    pub concurrency: u64,
    /// KV cache dtype.
    pub kv_dtype: KvDtype,
    /// Tensor-parallel GPUs per model (cells are per GPU).
    pub tensor_parallel: u64,
    /// vLLM `--gpu-memory-utilization`, in percent.
    pub gpu_util_pct: u64,
    /// Band thresholds.
    pub thresholds: Thresholds,
    /// What each cell shows.
    pub mode: Mode,
    /// Row and column order.
    pub sort: Sort,
    /// GiB or GB in figures.
    pub unit: Unit,
    /// Colour scheme.
    pub theme: Theme,
    /// Compact view for iframes: no controls.
    pub embed: bool,
    /// The cell whose detail is open: (model id, format, GPU id).
    pub selected: Option<(String, WeightFormat, String)>,
    /// Models the user brought (pasted, uploaded or fetched config.json).
    pub custom_models: Vec<CustomModel>,
    /// GPUs the user described.
    pub custom_gpus: Vec<Gpu>,
    /// $/GPU-hour the user set, overriding the catalogue's (GPU id, price).
    pub prices: Vec<(String, UsdPerHour)>,
    /// GPU the co-located set shares.
    pub colo_gpu: String,
    /// Models co-located on `colo_gpu`, in start order (empty: no co-location planned).
    pub colo: Vec<Member>,
}

/// What a cell shows.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Per-GPU memory as % of the GPU (default).
    #[default]
    Utilization,
    /// The longest context that fits at the chosen concurrency.
    MaxContext,
    /// How many sequences of the chosen context fit.
    MaxConcurrency,
    /// The smallest count of this GPU (1, 2, 4, 8 with tensor parallelism) that fits, and
    /// its price per hour.
    Cost,
}

/// All modes in UI order.
pub const ALL_MODES: [Mode; 4] = [
    Mode::Utilization,
    Mode::MaxContext,
    Mode::MaxConcurrency,
    Mode::Cost,
];

impl Mode {
    /// URL id.
    pub fn id(self) -> &'static str {
        match self {
            Mode::Utilization => "util",
            Mode::MaxContext => "ctx",
            Mode::MaxConcurrency => "conc",
            Mode::Cost => "cost",
        }
    }
    /// Parses a URL id.
    pub fn parse(s: &str) -> Option<Self> {
        ALL_MODES.into_iter().find(|m| m.id() == s)
    }
    /// UI label.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Utilization => "Memory used",
            Mode::MaxContext => "Max context",
            Mode::MaxConcurrency => "Max concurrency",
            Mode::Cost => "Cheapest GPUs ($/h)",
        }
    }
}

/// Row/column order.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    /// As chosen (catalogue order).
    #[default]
    Chosen,
    /// Smallest model / GPU first.
    Size,
    /// Models that fit on most GPUs first; GPUs that fit most rows first.
    Fit,
}

impl Sort {
    /// URL id.
    pub fn id(self) -> &'static str {
        match self {
            Sort::Chosen => "chosen",
            Sort::Size => "size",
            Sort::Fit => "fit",
        }
    }
    /// Parses a URL id.
    pub fn parse(s: &str) -> Option<Self> {
        [Sort::Chosen, Sort::Size, Sort::Fit]
            .into_iter()
            .find(|m| m.id() == s)
    }
}

/// Colour scheme.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    #[default]
    Auto,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    /// URL id.
    pub fn id(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    /// Parses a URL id.
    pub fn parse(s: &str) -> Option<Self> {
        [Theme::Auto, Theme::Light, Theme::Dark]
            .into_iter()
            .find(|m| m.id() == s)
    }
}

/// What one cell displays, shared by the page and the exports so they always agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellText {
    /// `data-fit` token: a band, or `unsupported`.
    pub fit: &'static str,
    /// The symbol (never colour alone).
    pub symbol: &'static str,
    /// The number: `58%`, `32,768`, `12`, or `—`.
    pub value: String,
    /// The band in words.
    pub label: &'static str,
}

/// Thousands separators for token counts.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl CellText {
    /// The text of a cell in `mode` under `thresholds`; in [`Mode::Cost`] `cost` is the GPU
    /// count that fits (0: none up to 8) and the price per GPU-hour, if known.
    pub fn of(
        cell: &Result<Plan, Unsupported>,
        mode: Mode,
        thresholds: Thresholds,
        cost: Option<(u64, Option<UsdPerHour>)>,
    ) -> CellText {
        if let (Mode::Cost, Ok(p), Some((count, price))) = (mode, cell, cost) {
            if count == 0 {
                return CellText {
                    fit: Band::DoesNotFit.as_str(),
                    symbol: Band::DoesNotFit.symbol(),
                    value: format!(">{} GPUs", GPU_COUNTS[GPU_COUNTS.len() - 1]),
                    label: Band::DoesNotFit.label(),
                };
            }
            let band = thresholds.band_of(p);
            let times = if count > 1 {
                format!("{count}× ")
            } else {
                String::new()
            };
            let value = match price {
                Some(pr) => format!("{times}{}", pr.times(count)),
                None => format!("{count}× · no price"),
            };
            return CellText {
                fit: band.as_str(),
                symbol: band.symbol(),
                value,
                label: band.label(),
            };
        }
        match cell {
            Err(_) => CellText {
                fit: "unsupported",
                symbol: "—",
                value: "—".into(),
                label: "unsupported",
            },
            Ok(p) => {
                let band = thresholds.band_of(p);
                let value = match mode {
                    Mode::Utilization => format!("{}%", (p.utilization * 100.0).round() as u64),
                    Mode::MaxContext => group_digits(p.max_context),
                    Mode::MaxConcurrency | Mode::Cost => group_digits(p.max_concurrency),
                };
                CellText {
                    fit: band.as_str(),
                    symbol: band.symbol(),
                    value,
                    label: band.label(),
                }
            }
        }
    }
}

impl Default for GridConfig {
    /// The seed study (shared/seeds/000): Qwen2.5-0.5B, Llama-2 7B and 13B × RTX 3090, RTX 4090,
    /// A100 40GB, L40, H100 80GB × FP32, FP16, INT8, INT4 at 2,048 tokens, one sequence. The
    /// context is the study's `seq_len=2048`, deliberately not any model's maximum.
    fn default() -> Self {
        GridConfig {
            models: vec![
                "Qwen/Qwen2.5-0.5B".into(),
                "meta-llama/Llama-2-7b-hf".into(),
                "meta-llama/Llama-2-13b-hf".into(),
            ],
            gpus: vec![
                "rtx-3090-24gb".into(),
                "rtx-4090-24gb".into(),
                "a100-sxm4-40gb".into(),
                "l40-48gb".into(),
                "h100-sxm-80gb".into(),
            ],
            formats: vec![
                WeightFormat::Fp32,
                WeightFormat::Fp16,
                WeightFormat::Int8,
                WeightFormat::Awq,
            ],
            engine: Engine::Vllm,
            context: 2048,
            concurrency: 1,
            kv_dtype: KvDtype::Auto,
            tensor_parallel: 1,
            gpu_util_pct: 90,
            thresholds: Thresholds::default(),
            mode: Mode::Utilization,
            sort: Sort::Chosen,
            unit: Unit::GiB,
            theme: Theme::Auto,
            embed: false,
            selected: None,
            custom_models: Vec::new(),
            custom_gpus: Vec::new(),
            prices: Vec::new(),
            colo_gpu: "h100-nvl-94gb".into(),
            colo: Vec::new(),
        }
    }
}

impl GridConfig {
    /// How many of the leading models fit on one grid within [`MAX_CELLS`] (at least one).
    pub fn models_within_cap(&self, catalog: &Catalog) -> usize {
        let gpus = self
            .gpus
            .iter()
            .filter(|id| self.find_gpu(id, catalog).is_some())
            .count();
        (MAX_CELLS / (self.formats.len() * gpus).max(1)).max(1)
    }

    /// Adds (or replaces, by id) one of the user's own models and puts it on the grid; refused
    /// past [`crate::share::MAX_CUSTOM_MODELS`], what one link carries.
    pub fn add_custom_model(&mut self, m: CustomModel) -> Result<(), String> {
        let id = m.model.id.clone();
        let max = crate::share::MAX_CUSTOM_MODELS;
        if self.custom_models.len() >= max && !self.custom_models.iter().any(|x| x.model.id == id) {
            return Err(format!(
                "a link carries at most {max} of your own models; remove one first"
            ));
        }
        self.custom_models.retain(|x| x.model.id != id);
        self.custom_models.push(m);
        if !self.models.contains(&id) {
            self.models.push(id);
        }
        Ok(())
    }

    /// Adds (or replaces, by id) one of the user's own GPUs and puts it on the grid; refused
    /// past [`crate::share::MAX_CUSTOM_GPUS`].
    pub fn add_custom_gpu(&mut self, g: Gpu) -> Result<(), String> {
        let max = crate::share::MAX_CUSTOM_GPUS;
        if self.custom_gpus.len() >= max && !self.custom_gpus.iter().any(|x| x.id == g.id) {
            return Err(format!(
                "a link carries at most {max} of your own GPUs; remove one first"
            ));
        }
        self.custom_gpus.retain(|x| x.id != g.id);
        if !self.gpus.contains(&g.id) {
            self.gpus.push(g.id.clone());
        }
        self.custom_gpus.push(g);
        Ok(())
    }

    /// A model by id: the user's own first, then the catalogue.
    pub fn find_model<'a>(&'a self, id: &str, catalog: &'a Catalog) -> Option<&'a Model> {
        self.custom_models
            .iter()
            .map(|c| &c.model)
            .find(|m| m.id == id)
            .or_else(|| catalog.model(id).ok())
    }

    /// A GPU by id: the user's own first, then the catalogue.
    pub fn find_gpu<'a>(&'a self, id: &str, catalog: &'a Catalog) -> Option<&'a Gpu> {
        self.custom_gpus
            .iter()
            .find(|g| g.id == id)
            .or_else(|| catalog.gpu(id).ok())
    }

    /// The $/GPU-hour in effect for a GPU: the user's, else the catalogue's. `true` when the
    /// user set it.
    pub fn price(&self, gpu_id: &str, catalog: &Catalog) -> Option<(UsdPerHour, bool)> {
        self.prices
            .iter()
            .find(|(g, _)| g == gpu_id)
            .map(|&(_, p)| (p, true))
            .or_else(|| catalog.price(gpu_id).map(|p| (p.per_hour, false)))
    }

    /// The workload part of the configuration.
    pub fn workload(&self) -> Workload {
        Workload {
            engine: self.engine,
            context: self.context,
            concurrency: self.concurrency,
            kv_dtype: self.kv_dtype,
            tensor_parallel: self.tensor_parallel,
            gpu_memory_utilization: self.gpu_util_pct as f64 / 100.0,
            ..Workload::default()
        }
    }
}

/// One row: a model at one weight format.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Model id (stable key).
    pub model_id: String,
    /// Model display name.
    pub model_name: String,
    /// Weight format of this row.
    pub format: WeightFormat,
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

/// The evaluated grid.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Grid {
    /// GPU columns.
    pub columns: Vec<Column>,
    /// Rows grouped by model, formats in config order.
    pub rows: Vec<Row>,
    /// Row index by (model id, format), for O(1) cell lookups by stable keys.
    pub row_index: std::collections::HashMap<(String, WeightFormat), usize>,
    /// Column index by GPU id.
    pub column_index: std::collections::HashMap<String, usize>,
    /// In [`Mode::Cost`]: per model id, the cheapest configuration over every priced GPU
    /// (catalogue and custom, shown or not) and the chosen formats.
    pub cheapest: std::collections::HashMap<String, Cheapest>,
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

/// Evaluates every cell. Unknown ids are skipped (the URL decoder already reported them).
/// Weights and KV layout are priced once per model × format and reused across GPUs.
pub fn evaluate(config: &GridConfig, catalog: &Catalog) -> Grid {
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
    let workload = config.workload();
    let cost = config.mode == Mode::Cost;
    // cells[m][f][g] and, in cost mode, counts[m][f][g], in the chosen order.
    let mut counts: Vec<Vec<Vec<u64>>> = Vec::new();
    let mut cells: Vec<Vec<Vec<Result<Plan, Unsupported>>>> = Vec::new();
    for m in &models {
        let mut m_cells = Vec::new();
        let mut m_counts = Vec::new();
        for &f in &config.formats {
            if cost {
                let (c, n) = cost_row(&m.config, f, &gpus, &workload);
                m_cells.push(c);
                m_counts.push(n);
            } else {
                m_cells.push(match prepare(&m.config, f, &workload) {
                    Ok(p) => gpus
                        .iter()
                        .map(|g| Ok(plan_prepared(&m.config, &p, g, &workload, false)))
                        .collect(),
                    Err(u) => vec![Err(u); gpus.len()],
                });
                m_counts.push(Vec::new());
            }
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
            .filter_map(|m| {
                crate::plan::cost::cheapest(&m.config, &config.formats, &priced, &workload)
                    .map(|c| (m.id.clone(), c))
            })
            .collect()
    } else {
        Default::default()
    };
    let fits = |c: &Result<Plan, Unsupported>| {
        c.as_ref()
            .map(|p| config.thresholds.band_of(p) != Band::DoesNotFit)
            .unwrap_or(false)
    };
    let (model_order, gpu_order): (Vec<usize>, Vec<usize>) = match config.sort {
        Sort::Chosen => ((0..models.len()).collect(), (0..gpus.len()).collect()),
        Sort::Size => (
            order_by(models.iter().map(|m| m.config.param_count()).collect()),
            order_by(gpus.iter().map(|g| g.memory_bytes).collect()),
        ),
        Sort::Fit => {
            // Most fitting first: sort by the complement of the score.
            let model_score = cells
                .iter()
                .map(|fs| u64::MAX - fs.iter().flatten().filter(|c| fits(c)).count() as u64)
                .collect();
            let gpu_score = (0..gpus.len())
                .map(|g| {
                    u64::MAX - cells.iter().flatten().filter(|row| fits(&row[g])).count() as u64
                })
                .collect();
            (order_by(model_score), order_by(gpu_score))
        }
    };
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
        columns,
        rows,
        row_index,
        column_index,
        cheapest,
        left_out_models: config.models.len().saturating_sub(cap),
    }
}

/// Indices ordered by ascending key; a stable sort, so ties keep the chosen order. One
/// function for every ordering keeps a single sort in the wasm.
fn order_by(keys: Vec<u64>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| keys[i]);
    order
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
        .map(|g| match counts.smallest_fit(g) {
            Some(fit) => (Ok(fit.plan), fit.count),
            None => (Ok(counts.single(g)), 0),
        })
        .unzip()
}

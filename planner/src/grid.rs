//! The feasibility grid: models × weight formats (rows) × GPUs (columns).

use crate::catalog::{Catalog, Gpu, Model};
use crate::custom::CustomModel;
use crate::engine::Engine;
use crate::kv_cache::KvDtype;
use crate::plan::{plan_prepared, prepare, Band, Plan, Thresholds, Unsupported, Workload};
use crate::units::Unit;
use crate::weights::WeightFormat;

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
}

impl Mode {
    /// URL id.
    pub fn id(self) -> &'static str {
        match self {
            Mode::Utilization => "util",
            Mode::MaxContext => "ctx",
            Mode::MaxConcurrency => "conc",
        }
    }
    /// Parses a URL id.
    pub fn parse(s: &str) -> Option<Self> {
        [Mode::Utilization, Mode::MaxContext, Mode::MaxConcurrency]
            .into_iter()
            .find(|m| m.id() == s)
    }
    /// UI label.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Utilization => "Memory used",
            Mode::MaxContext => "Max context",
            Mode::MaxConcurrency => "Max concurrency",
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
    /// The text of a cell in `mode` under `thresholds`.
    pub fn of(cell: &Result<Plan, Unsupported>, mode: Mode, thresholds: Thresholds) -> CellText {
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
                    Mode::MaxConcurrency => group_digits(p.max_concurrency),
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
        }
    }
}

impl GridConfig {
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
}

/// A GPU column header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// GPU id (stable key).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Usable memory in bytes.
    pub memory_bytes: u64,
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
}

/// Evaluates every cell. Unknown ids are skipped (the URL decoder already reported them).
/// Weights and KV layout are priced once per model × format and reused across GPUs.
pub fn evaluate(config: &GridConfig, catalog: &Catalog) -> Grid {
    let gpus: Vec<_> = config
        .gpus
        .iter()
        .filter_map(|id| config.find_gpu(id, catalog))
        .collect();
    let models: Vec<_> = config
        .models
        .iter()
        .filter_map(|id| config.find_model(id, catalog))
        .collect();
    let workload = config.workload();
    // cells[m][f][g], in the chosen order.
    let mut cells: Vec<Vec<Vec<Result<Plan, Unsupported>>>> = models
        .iter()
        .map(|m| {
            config
                .formats
                .iter()
                .map(|&f| match prepare(&m.config, f, &workload) {
                    Ok(p) => gpus
                        .iter()
                        .map(|g| Ok(plan_prepared(&m.config, &p, g, &workload, false)))
                        .collect(),
                    Err(u) => vec![Err(u); gpus.len()],
                })
                .collect()
        })
        .collect();
    let fits = |c: &Result<Plan, Unsupported>| {
        c.as_ref()
            .map(|p| config.thresholds.band_of(p) != Band::DoesNotFit)
            .unwrap_or(false)
    };
    let (model_order, gpu_order): (Vec<usize>, Vec<usize>) = match config.sort {
        Sort::Chosen => ((0..models.len()).collect(), (0..gpus.len()).collect()),
        Sort::Size => {
            let mut mo: Vec<usize> = (0..models.len()).collect();
            mo.sort_by_key(|&i| models[i].config.param_count());
            let mut go: Vec<usize> = (0..gpus.len()).collect();
            go.sort_by_key(|&i| gpus[i].memory_bytes);
            (mo, go)
        }
        Sort::Fit => {
            // Stable sorts: ties keep the chosen order.
            let model_score: Vec<usize> = cells
                .iter()
                .map(|fs| fs.iter().flatten().filter(|c| fits(c)).count())
                .collect();
            let gpu_score: Vec<usize> = (0..gpus.len())
                .map(|g| cells.iter().flatten().filter(|row| fits(&row[g])).count())
                .collect();
            let mut mo: Vec<usize> = (0..models.len()).collect();
            mo.sort_by_key(|&i| std::cmp::Reverse(model_score[i]));
            let mut go: Vec<usize> = (0..gpus.len()).collect();
            go.sort_by_key(|&i| std::cmp::Reverse(gpu_score[i]));
            (mo, go)
        }
    };
    let columns = gpu_order
        .iter()
        .map(|&g| Column {
            id: gpus[g].id.clone(),
            name: gpus[g].name.clone(),
            memory_bytes: gpus[g].memory_bytes,
        })
        .collect();
    let mut rows = Vec::with_capacity(models.len() * config.formats.len());
    for &m in &model_order {
        for (fi, &format) in config.formats.iter().enumerate() {
            let row = std::mem::take(&mut cells[m][fi]);
            let mut row: Vec<Option<Result<Plan, Unsupported>>> =
                row.into_iter().map(Some).collect();
            rows.push(Row {
                model_id: models[m].id.clone(),
                model_name: models[m].name.clone(),
                format,
                // `gpu_order` is a permutation, so every cell is taken exactly once.
                cells: gpu_order.iter().filter_map(|&g| row[g].take()).collect(),
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
    }
}

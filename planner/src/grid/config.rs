//! What the grid shows: the models, GPUs and formats, the workload, and how it is presented.
//! This is what the URL carries (`share`).

use crate::catalog::custom::CustomModel;
use crate::catalog::price::UsdPerHour;
use crate::catalog::{Catalog, Gpu, Model};
use crate::model::format::stored_format;
use crate::model::weights::WeightFormat;
use crate::plan::colocate::Member;
use crate::plan::{Thresholds, Workload};
use crate::units::Unit;

/// Most cells one grid evaluates and renders. The whole catalogue at every format is 59,280
/// cells (repainted within 50 ms, README "Performance"); a link or selection asking for more
/// (millions of cells would stall the page for seconds or exhaust its memory) keeps its first
/// models up to this many cells and says so.
pub const MAX_CELLS: usize = 60_000;

/// How the grid is presented. Changing these re-renders the page but never re-plans a cell
/// (except cost mode, a different computation, and sorting by fit, which reads the bands;
/// see [`GridConfig::compute_fingerprint`]).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ViewSettings {
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
}

/// Everything the grid depends on: what is planned (models, GPUs, formats, workload, the
/// user's own entries, prices, the co-located set) and how it is shown ([`ViewSettings`]).
/// This is what the URL carries.
#[derive(Clone, Debug, PartialEq)]
pub struct GridConfig {
    /// Model ids, in row order.
    pub models: Vec<String>,
    /// GPU ids, in column order.
    pub gpus: Vec<String>,
    /// Weight formats, one sub-row each.
    pub formats: Vec<WeightFormat>,
    /// What runs on every cell: engine, context, concurrency, KV dtype, TP and the vLLM
    /// budget (the same type a co-located member and the CLI's scenario use).
    pub workload: Workload,
    /// How the grid is presented: nothing here changes a plan.
    pub view: ViewSettings,
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
    /// Decode tokens/s per user at the chosen context and concurrency (and in total), against
    /// the user's target.
    Speed,
}

/// All modes in UI order.
pub const ALL_MODES: [Mode; 5] = [
    Mode::Utilization,
    Mode::MaxContext,
    Mode::MaxConcurrency,
    Mode::Speed,
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
            Mode::Speed => "speed",
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
            Mode::Speed => "Speed (tokens/s per user)",
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

impl Default for GridConfig {
    /// The seed study (docs/decisions.md#d9): Qwen2.5-0.5B, Llama-2 7B and 13B × RTX 3090, RTX 4090,
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
            // The seed study's 2,048 tokens, one sequence, vLLM's default 90 % budget.
            workload: Workload {
                context: 2048,
                ..Workload::default()
            },
            view: ViewSettings::default(),
            custom_models: Vec::new(),
            custom_gpus: Vec::new(),
            prices: Vec::new(),
            colo_gpu: "h100-nvl-94gb".into(),
            colo: Vec::new(),
        }
    }
}

impl GridConfig {
    /// A fingerprint of everything [`crate::grid::evaluate`] reads: what is planned, cost
    /// mode (a different computation), speed mode (speeds are computed only there) and, when
    /// sorting by fit, the bands that define the
    /// order. Theme, units, embedding, the selected cell, the other modes, and the bands under
    /// another sort leave it unchanged, so the page re-plans nothing when only they change.
    pub fn compute_fingerprint(&self) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = rustc_hash::FxBuildHasher.build_hasher();
        (&self.models, &self.gpus, &self.formats).hash(&mut h);
        // The whole workload: every engine setting changes what is computed.
        self.workload.hash(&mut h);
        self.prices.hash(&mut h);
        for m in &self.custom_models {
            (&m.model.id, &m.model.name, &m.reduced_json).hash(&mut h);
        }
        for g in &self.custom_gpus {
            (
                &g.id,
                &g.name,
                g.memory_bytes,
                g.bandwidth_gbps,
                g.fp16_gflops,
            )
                .hash(&mut h);
        }
        (self.view.mode == Mode::Cost, self.view.sort).hash(&mut h);
        (self.view.mode == Mode::Speed).hash(&mut h);
        if self.view.sort == Sort::Fit {
            self.view.thresholds.hash(&mut h);
        }
        h.finish()
    }

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
    /// past [`crate::catalog::custom::MAX_CUSTOM_MODELS`], what one link carries.
    pub fn add_custom_model(&mut self, m: CustomModel) -> Result<(), String> {
        let id = m.model.id.clone();
        let max = crate::catalog::custom::MAX_CUSTOM_MODELS;
        if self.custom_models.len() >= max && !self.custom_models.iter().any(|x| x.model.id == id) {
            return Err(format!(
                "a link carries at most {max} of your own models; remove one first"
            ));
        }
        // Exact weights show on the row of the format they are stored in: that row goes on
        // the grid (as "native" when that is what the model's native format is).
        let cfg = &m.model.config;
        if let Some(stored) = cfg
            .exact_weights
            .as_deref()
            .and_then(|x| stored_format(x, cfg))
        {
            let shown = self.formats.iter().any(|f| f.resolve(cfg) == stored);
            if !shown {
                let native = WeightFormat::Native;
                self.formats.push(if native.resolve(cfg) == stored {
                    native
                } else {
                    stored
                });
            }
        }
        self.custom_models.retain(|x| x.model.id != id);
        self.custom_models.push(m);
        if !self.models.contains(&id) {
            self.models.push(id);
        }
        Ok(())
    }

    /// Adds (or replaces, by id) one of the user's own GPUs and puts it on the grid; refused
    /// past [`crate::catalog::custom::MAX_CUSTOM_GPUS`].
    pub fn add_custom_gpu(&mut self, g: Gpu) -> Result<(), String> {
        let max = crate::catalog::custom::MAX_CUSTOM_GPUS;
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

    /// Removes one of the user's own models or GPUs (by id) from the grid and the link; an
    /// axis left empty falls back to the default view's.
    pub fn remove_custom(&mut self, id: &str) {
        self.custom_models.retain(|x| x.model.id != id);
        self.custom_gpus.retain(|x| x.id != id);
        self.models.retain(|x| x != id);
        self.gpus.retain(|x| x != id);
        if self.models.is_empty() {
            self.models = GridConfig::default().models;
        }
        if self.gpus.is_empty() {
            self.gpus = GridConfig::default().gpus;
        }
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

    /// vLLM's `--gpu-memory-utilization` in whole percent, as the page and links show it.
    pub fn util_pct(&self) -> u64 {
        (self.workload.gpu_memory_utilization * 100.0).round() as u64
    }

    /// Sets the budget from whole percent.
    pub fn set_util_pct(&mut self, pct: u64) {
        self.workload.gpu_memory_utilization = pct as f64 / 100.0;
    }

    /// SGLang's `--mem-fraction-static` in whole percent; `None`: SGLang's default.
    pub fn mfs_pct(&self) -> Option<u64> {
        self.workload
            .mem_fraction_static
            .map(|f| (f * 100.0).round() as u64)
    }

    /// Sets SGLang's fraction from whole percent (`None`: SGLang's default).
    pub fn set_mfs_pct(&mut self, pct: Option<u64>) {
        self.workload.mem_fraction_static = pct.map(|p| p as f64 / 100.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_setting_changes_what_is_computed() {
        let base = GridConfig::default();
        let edits: [fn(&mut GridConfig); 8] = [
            |c| c.workload.context += 1,
            |c| c.set_util_pct(80),
            |c| c.set_mfs_pct(Some(80)),
            |c| c.workload.flash_attention = false,
            |c| c.workload.gpu_layers = Some(3),
            |c| c.workload.cpu_moe_layers = 2,
            |c| c.workload.vllm_release = crate::engines::VllmRelease::SortSampler,
            |c| c.workload.engine = crate::engines::Engine::Sglang,
        ];
        for (i, edit) in edits.iter().enumerate() {
            let mut c = base.clone();
            edit(&mut c);
            assert_ne!(
                c.compute_fingerprint(),
                base.compute_fingerprint(),
                "edit {i}"
            );
        }
    }

    #[test]
    fn view_changes_do_not_change_what_is_computed() {
        let base = GridConfig::default();
        let fp = base.compute_fingerprint();
        let mut v = base.clone();
        v.view.theme = Theme::Dark;
        v.view.unit = Unit::GB;
        v.view.embed = true;
        v.view.mode = Mode::MaxContext;
        v.view.thresholds = Thresholds::new(10, 20, 30).unwrap();
        v.view.selected = Some((
            base.models[0].clone(),
            base.formats[0],
            base.gpus[0].clone(),
        ));
        assert_eq!(v.compute_fingerprint(), fp);
        for change in [
            |c: &mut GridConfig| c.workload.context += 1,
            |c: &mut GridConfig| c.view.mode = Mode::Cost,
            |c: &mut GridConfig| c.view.sort = Sort::Size,
            |c: &mut GridConfig| c.models.pop().map(drop).unwrap_or(()),
        ] {
            let mut c = base.clone();
            change(&mut c);
            assert_ne!(c.compute_fingerprint(), fp);
        }
        // Under the fit sort the bands decide the order.
        let mut fit = base.clone();
        fit.view.sort = Sort::Fit;
        let before = fit.compute_fingerprint();
        fit.view.thresholds = Thresholds::new(10, 20, 30).unwrap();
        assert_ne!(fit.compute_fingerprint(), before);
    }
}

//! The feasibility grid: models × weight formats (rows) × GPUs (columns).

use crate::catalog::Catalog;
use crate::engine::Engine;
use crate::kv_cache::KvDtype;
use crate::plan::{plan, Plan, Unsupported, Workload};
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
        }
    }
}

impl GridConfig {
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
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// GPU columns.
    pub columns: Vec<Column>,
    /// Rows grouped by model, formats in config order.
    pub rows: Vec<Row>,
}

/// Evaluates every cell. Unknown ids are skipped (the URL decoder already reported them).
pub fn evaluate(config: &GridConfig, catalog: &Catalog) -> Grid {
    let gpus: Vec<_> = config
        .gpus
        .iter()
        .filter_map(|id| catalog.gpu(id).ok())
        .collect();
    let workload = config.workload();
    let columns = gpus
        .iter()
        .map(|g| Column {
            id: g.id.clone(),
            name: g.name.clone(),
            memory_bytes: g.memory_bytes,
        })
        .collect();
    let mut rows = Vec::new();
    for model in config.models.iter().filter_map(|id| catalog.model(id).ok()) {
        for &format in &config.formats {
            rows.push(Row {
                model_id: model.id.clone(),
                model_name: model.name.clone(),
                format,
                cells: gpus
                    .iter()
                    .map(|g| plan(&model.config, format, g, &workload))
                    .collect(),
            });
        }
    }
    Grid { columns, rows }
}

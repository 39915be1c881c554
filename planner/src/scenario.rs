//! The `fitgrid plan` input: one scenario as JSON, validated field by field.

use crate::catalog::custom::{CustomError, CustomModel};
use crate::catalog::{Catalog, Gpu};
use crate::engines::Engine;
use crate::error::ScenarioError;
use crate::model::config::ModelConfig;
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::plan::{plan, Plan, Workload};
use serde_json::{Map, Value};

/// A parsed scenario, ready to plan.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The model's Hugging Face repo id (the catalogue id, or `_name_or_path` of an inline
    /// config; `MODEL` when it has none): the argument of the launch command.
    pub model_id: String,
    /// The model architecture.
    pub model: ModelConfig,
    /// Weight format.
    pub weights: WeightFormat,
    /// The GPU.
    pub gpu: Gpu,
    /// Engine and workload.
    pub workload: Workload,
}

const FIELDS: [&str; 10] = [
    "model",
    "weights",
    "gpu",
    "tensor_parallel",
    "pipeline_parallel",
    "engine",
    "max_context",
    "concurrency",
    "kv_cache_dtype",
    "gpu_memory_utilization",
];

fn invalid(field: &'static str, problem: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid {
        field,
        problem: problem.into(),
    }
}

fn count(
    obj: &Map<String, Value>,
    field: &'static str,
    default: Option<u64>,
    max: u64,
) -> Result<u64, ScenarioError> {
    match obj.get(field) {
        None | Some(Value::Null) => default.ok_or(ScenarioError::Missing(field)),
        Some(v) => match v.as_u64() {
            Some(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(invalid(
                field,
                format!("must be a whole number from 1 to {max}, got {v}"),
            )),
        },
    }
}

fn text<'a>(
    obj: &'a Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'a str>, ScenarioError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(invalid(field, format!("must be a string, got {v}"))),
    }
}

impl Scenario {
    /// Parses scenario text against the catalogue.
    pub fn from_json_str(input: &str, catalog: &Catalog) -> Result<Self, ScenarioError> {
        let value: Value =
            serde_json::from_str(input).map_err(|e| ScenarioError::NotJson(e.to_string()))?;
        let obj = value
            .as_object()
            .ok_or_else(|| ScenarioError::NotJson("the top level must be an object".into()))?;
        if let Some(unknown) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(ScenarioError::Invalid {
                field: "scenario",
                problem: format!(
                    "has an unknown field `{unknown}` (known: {})",
                    FIELDS.join(", ")
                ),
            });
        }
        let (model_id, model) = match obj.get("model") {
            None | Some(Value::Null) => return Err(ScenarioError::Missing("model")),
            Some(Value::String(id)) => {
                let m = catalog
                    .model(id)
                    .map_err(|e| invalid("model", e.to_string()))?;
                (m.id.clone(), m.config.clone())
            }
            Some(Value::Object(m)) => match m.get("hf_config") {
                // The same path as a config.json pasted or fetched in the page.
                Some(cfg) => match CustomModel::from_config_value(cfg, None, None) {
                    Ok(c) => (
                        cfg.get("_name_or_path")
                            .and_then(Value::as_str)
                            .filter(|s| !s.trim().is_empty())
                            .unwrap_or("MODEL")
                            .to_string(),
                        c.model.config,
                    ),
                    Err(CustomError::Config(e)) => return Err(ScenarioError::Config(e)),
                    Err(e) => return Err(invalid("model", e.to_string())),
                },
                None => {
                    return Err(invalid(
                        "model",
                        "must be a catalogue id or {\"hf_config\": {…}}",
                    ))
                }
            },
            Some(v) => {
                return Err(invalid(
                    "model",
                    format!("must be a catalogue id or {{\"hf_config\": …}}, got {v}"),
                ))
            }
        };
        let weights = match text(obj, "weights")? {
            None => WeightFormat::Native,
            Some(s) => WeightFormat::parse(s)
                .ok_or_else(|| invalid("weights", format!("`{s}` is not a known format")))?,
        };
        let gpu = match obj.get("gpu") {
            None | Some(Value::Null) => return Err(ScenarioError::Missing("gpu")),
            Some(Value::String(id)) => catalog
                .gpu(id)
                .map_err(|e| invalid("gpu", e.to_string()))?
                .clone(),
            Some(Value::Object(g)) => {
                let memory = g
                    .get("memory_bytes")
                    .and_then(Value::as_u64)
                    .filter(|&n| n >= 1 << 20)
                    .ok_or_else(|| {
                        invalid(
                            "gpu",
                            "needs `memory_bytes`, a whole number of bytes ≥ 1 MiB",
                        )
                    })?;
                let name = g
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("custom GPU");
                Gpu {
                    id: "custom".into(),
                    name: name.into(),
                    full_name: name.into(),
                    class: String::new(),
                    vendor: String::new(),
                    marketing_gb: memory.div_ceil(1_000_000_000),
                    memory_bytes: memory,
                    bandwidth_gbps: None,
                }
            }
            Some(v) => {
                return Err(invalid(
                    "gpu",
                    format!("must be a catalogue id or {{\"memory_bytes\": N}}, got {v}"),
                ))
            }
        };
        let tensor_parallel = count(obj, "tensor_parallel", Some(1), 1024)?;
        if model.num_heads % tensor_parallel != 0 {
            return Err(invalid(
                "tensor_parallel",
                format!(
                    "({tensor_parallel}) must divide num_attention_heads ({})",
                    model.num_heads
                ),
            ));
        }
        let pipeline_parallel = count(obj, "pipeline_parallel", Some(1), model.num_layers)?;
        let engine = match text(obj, "engine")? {
            None => Engine::Vllm,
            Some(s) => Engine::parse(s).ok_or_else(|| {
                invalid(
                    "engine",
                    format!("`{s}` is not one of vllm, sglang, llama.cpp, transformers"),
                )
            })?,
        };
        let context = count(obj, "max_context", None, 100_000_000)?;
        let concurrency = count(obj, "concurrency", Some(1), 1_000_000)?;
        let kv_dtype = match text(obj, "kv_cache_dtype")? {
            None => KvDtype::Auto,
            Some(s) => KvDtype::parse(s).ok_or_else(|| {
                invalid(
                    "kv_cache_dtype",
                    format!("`{s}` is not a known KV-cache dtype"),
                )
            })?,
        };
        let gpu_memory_utilization = match obj.get("gpu_memory_utilization") {
            None | Some(Value::Null) => 0.9,
            Some(v) => match v.as_f64() {
                Some(f) if f > 0.0 && f <= 1.0 => f,
                _ => {
                    return Err(invalid(
                        "gpu_memory_utilization",
                        format!("must be a number in (0, 1], got {v}"),
                    ))
                }
            },
        };
        Ok(Scenario {
            model_id,
            model,
            weights,
            gpu,
            workload: Workload {
                engine,
                context,
                concurrency,
                kv_dtype,
                tensor_parallel,
                pipeline_parallel,
                gpu_memory_utilization,
            },
        })
    }

    /// The command that starts the engine as planned (`None` for transformers).
    pub fn launch_command(&self) -> Option<crate::engines::shell::LaunchCommand> {
        crate::engines::command::launch_command(
            &self.model_id,
            &self.model,
            self.weights,
            &self.gpu,
            &self.workload,
        )
    }

    /// Plans the scenario; an unsupported engine/format pair is an error naming `weights`.
    pub fn plan(&self) -> Result<Plan, ScenarioError> {
        plan(&self.model, self.weights, &self.gpu, &self.workload)
            .map_err(|u| invalid("weights", u.reason))
    }
}

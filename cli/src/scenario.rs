//! The `fitgrid plan` input: one scenario as JSON, read with serde (`deny_unknown_fields`, so
//! a typo is refused) and checked against the planner's ranges. Every error names its field.

use planner::catalog::custom::{CustomError, CustomModel};
use planner::catalog::{Catalog, Gpu};
use planner::engines::command::launch_command;
use planner::engines::shell::LaunchCommand;
use planner::error::ConfigError;
use planner::inert;
use planner::model::config::ModelConfig;
use planner::plan::ranges::{Field, RangeError};
use planner::plan::to_fit::{to_fit, Suggestion};
use planner::plan::{plan, Plan, Reason, Thresholds, Workload};
use planner::Unsupported;
use planner::{Engine, KvDtype, WeightFormat};
use serde::Deserialize;
use serde_json::Value;
use thiserror::Error;

/// A scenario that cannot be planned.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ScenarioError {
    /// The text is not JSON.
    #[error("scenario is not valid JSON: {0}")]
    NotJson(String),
    /// A required field is missing.
    #[error("scenario field `{0}` is required")]
    Missing(&'static str),
    /// A field has a wrong value.
    #[error("scenario field `{field}` {problem}")]
    Invalid {
        /// The JSON path, e.g. `gpu.memory_bytes`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The embedded model config is unusable.
    #[error("scenario field `model.hf_config`: {0}")]
    Config(#[from] ConfigError),
}

fn invalid(field: &str, problem: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// `model`: a catalogue id or an inline config.json.
#[derive(Deserialize)]
#[serde(untagged)]
enum ModelSpec {
    Id(String),
    Inline { hf_config: Value },
}

/// `gpu`: a catalogue id or a size.
#[derive(Deserialize)]
#[serde(untagged)]
enum GpuSpec {
    Id(String),
    Custom {
        memory_bytes: u64,
        #[serde(default)]
        name: Option<String>,
        /// `sm_XY` (NVIDIA compute capability), `gfxNNN` (AMD) or `apple`; unknown if absent.
        #[serde(default)]
        arch: Option<String>,
        /// Memory bandwidth, GB/s (for speed).
        #[serde(default)]
        bandwidth_gb_s: Option<f64>,
        /// Dense FP16/BF16 tensor throughput, TFLOPS (for speed).
        #[serde(default)]
        fp16_tflops: Option<f64>,
    },
}

/// The JSON as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    model: Option<ModelSpec>,
    weights: Option<String>,
    gpu: Option<GpuSpec>,
    tensor_parallel: Option<u64>,
    pipeline_parallel: Option<u64>,
    engine: Option<String>,
    max_context: Option<u64>,
    concurrency: Option<u64>,
    kv_cache_dtype: Option<String>,
    gpu_memory_utilization: Option<f64>,
    mem_fraction_static: Option<f64>,
    flash_attention: Option<bool>,
    gpu_layers: Option<u64>,
    /// `--n-cpu-moe`; `experts_on_cpu` is the same field under the name the docs use.
    #[serde(alias = "experts_on_cpu")]
    cpu_moe_layers: Option<u64>,
    vllm_version: Option<String>,
    system_memory_bytes: Option<u64>,
    system_bandwidth_gb_s: Option<f64>,
}

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

/// A number checked against the planner's range table, named by its scenario field.
fn ranged(
    field: &'static str,
    value: Option<u64>,
    default: Option<u64>,
    range: Field,
) -> Result<u64, ScenarioError> {
    let n = value.or(default).ok_or(ScenarioError::Missing(field))?;
    range.check(n).map_err(|RangeError { min, max, .. }| {
        invalid(
            field,
            format!("must be a whole number from {min} to {max}, got {n}"),
        )
    })
}

impl Scenario {
    /// Parses scenario text against the catalogue.
    pub fn from_json_str(text: &str, catalog: &Catalog) -> Result<Self, ScenarioError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let input: Input = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.classify() != serde_json::error::Category::Data {
                return ScenarioError::NotJson(inner.to_string());
            }
            match path.as_str() {
                "." if inner.to_string().starts_with("unknown field") => {
                    invalid("scenario", format!("has an {inner}"))
                }
                "." => ScenarioError::NotJson("the top level must be an object".into()),
                "model" => invalid("model", "must be a catalogue id or {\"hf_config\": {…}}"),
                "gpu" => invalid(
                    "gpu",
                    "must be a catalogue id or {\"memory_bytes\": N, \"name\": \"…\"}",
                ),
                _ => invalid(&path, format!("is invalid: {inner}")),
            }
        })?;
        let (model_id, model) = match input.model.ok_or(ScenarioError::Missing("model"))? {
            ModelSpec::Id(id) => {
                // An alias keeps its own id: the launch command serves what was asked for.
                let (m, as_catalogued) = catalog
                    .resolve(&id)
                    .map_err(|e| invalid("model", e.to_string()))?;
                (as_catalogued.to_string(), m.config.clone())
            }
            // The same path as a config.json pasted or fetched in the page.
            ModelSpec::Inline { hf_config } => {
                match CustomModel::from_config_value(&hf_config, None, None) {
                    Ok(c) => (
                        hf_config
                            .get("_name_or_path")
                            .and_then(Value::as_str)
                            .map(|s| inert::clip(s, 200))
                            .filter(|s| !s.trim().is_empty())
                            .unwrap_or_else(|| "MODEL".into()),
                        c.model.config,
                    ),
                    Err(CustomError::Config(e)) => return Err(ScenarioError::Config(e)),
                    Err(e) => return Err(invalid("model", e.to_string())),
                }
            }
        };
        let weights = match input.weights {
            None => WeightFormat::Native,
            Some(s) => WeightFormat::parse(&s)
                .ok_or_else(|| invalid("weights", format!("`{s}` is not a known format")))?,
        };
        let gpu = match input.gpu.ok_or(ScenarioError::Missing("gpu"))? {
            GpuSpec::Id(id) => catalog
                .gpu(&id)
                .map_err(|e| invalid("gpu", e.to_string()))?
                .clone(),
            GpuSpec::Custom {
                memory_bytes,
                name,
                arch,
                bandwidth_gb_s,
                fp16_tflops,
            } => {
                // Positive and below any device's (100 TB/s, 100 PFLOPS), else refused by name.
                let positive = |field: &str, v: Option<f64>, max: f64| match v {
                    Some(x) if !(x.is_finite() && x > 0.0 && x <= max) => Err(invalid(
                        field,
                        format!("must be a positive number up to {max}, got {x}"),
                    )),
                    _ => Ok(v),
                };
                let bandwidth = positive("gpu.bandwidth_gb_s", bandwidth_gb_s, 100_000.0)?;
                let tflops = positive("gpu.fp16_tflops", fp16_tflops, 100_000.0)?;
                if memory_bytes < 1 << 20 {
                    return Err(invalid(
                        "gpu",
                        "needs `memory_bytes`, a whole number of bytes ≥ 1 MiB",
                    ));
                }
                let arch = arch.unwrap_or_default();
                let probe = Gpu {
                    arch: arch.clone(),
                    ..Gpu::default()
                };
                if !arch.is_empty() && probe.arch() == planner::catalog::gpu::Arch::Unknown {
                    return Err(invalid(
                        "gpu.arch",
                        "must be sm_XY (an NVIDIA compute capability, e.g. sm_89), gfxNNN (AMD) or apple",
                    ));
                }
                let name = inert::clean_name(name.as_deref().unwrap_or("custom GPU"), 60);
                Gpu {
                    id: "custom".into(),
                    name: name.clone(),
                    full_name: name,
                    class: "custom".into(),
                    vendor: String::new(),
                    marketing_gb: memory_bytes.div_ceil(1_000_000_000),
                    memory_bytes,
                    bandwidth_gbps: bandwidth.map(|b| b.round() as u64),
                    fp16_gflops: tflops.map(|t| (t * 1000.0).round() as u64),
                    arch,
                    ..Gpu::default()
                }
            }
        };
        let tensor_parallel = ranged(
            "tensor_parallel",
            input.tensor_parallel,
            Some(1),
            Field::TensorParallel,
        )?;
        if model.num_heads % tensor_parallel != 0 {
            return Err(invalid(
                "tensor_parallel",
                format!(
                    "({tensor_parallel}) must divide num_attention_heads ({})",
                    model.num_heads
                ),
            ));
        }
        let pipeline_parallel = ranged(
            "pipeline_parallel",
            input.pipeline_parallel,
            Some(1),
            Field::PipelineParallel,
        )?;
        if pipeline_parallel > model.num_layers {
            return Err(invalid(
                "pipeline_parallel",
                format!(
                    "({pipeline_parallel}) must be at most num_hidden_layers ({})",
                    model.num_layers
                ),
            ));
        }
        let engine = match input.engine {
            None => Engine::Vllm,
            Some(s) => Engine::parse(&s).ok_or_else(|| {
                invalid(
                    "engine",
                    format!("`{s}` is not one of vllm, sglang, llama.cpp, transformers"),
                )
            })?,
        };
        let context = ranged("max_context", input.max_context, None, Field::Context)?;
        let concurrency = ranged(
            "concurrency",
            input.concurrency,
            Some(1),
            Field::Concurrency,
        )?;
        let kv_dtype = match input.kv_cache_dtype {
            None => KvDtype::Auto,
            Some(s) => KvDtype::parse(&s).ok_or_else(|| {
                invalid(
                    "kv_cache_dtype",
                    format!("`{s}` is not a known KV-cache dtype"),
                )
            })?,
        };
        let gpu_memory_utilization = match input.gpu_memory_utilization {
            None => 0.9,
            Some(f) if f > 0.0 && f <= 1.0 => f,
            Some(f) => {
                return Err(invalid(
                    "gpu_memory_utilization",
                    format!("must be a number in (0, 1], got {f}"),
                ))
            }
        };
        let layers = |field: &'static str, v: Option<u64>| match v {
            Some(n) if n > model.num_layers => Err(invalid(
                field,
                format!(
                    "must be at most the model's {} layers, got {n}",
                    model.num_layers
                ),
            )),
            v => Ok(v),
        };
        let gpu_layers = layers("gpu_layers", input.gpu_layers)?;
        let cpu_moe_layers = layers("cpu_moe_layers", input.cpu_moe_layers)?.unwrap_or(0);
        // The vLLM release whose profile run applies ("0.11.0", "0.19"); absent: current.
        let vllm_release = match input.vllm_version.as_deref() {
            None => planner::engines::VllmRelease::default(),
            Some(v) => planner::engines::VllmRelease::parse(v).ok_or_else(|| {
                invalid(
                    "vllm_version",
                    format!("`{}` is not a version like 0.19.0", inert::clip(v, 40)),
                )
            })?,
        };
        // System RAM for llama.cpp's offload: its size and bandwidth (GB/s, rounded to whole).
        let system_memory_bytes = match input.system_memory_bytes {
            Some(0) => {
                return Err(invalid(
                    "system_memory_bytes",
                    "must be above 0".to_string(),
                ))
            }
            v => v,
        };
        let system_bandwidth_gbps = match input.system_bandwidth_gb_s {
            None => None,
            Some(b) if b.is_finite() && (1.0..=100_000.0).contains(&b) => Some(b.round() as u64),
            Some(b) => {
                return Err(invalid(
                    "system_bandwidth_gb_s",
                    format!("must be a number from 1 to 100000, got {b}"),
                ))
            }
        };
        // SGLang's `--mem-fraction-static`; absent: SGLang's own default for the GPU.
        let mem_fraction_static = match input.mem_fraction_static {
            None => None,
            Some(f) if f > 0.0 && f < 1.0 => Some(f),
            Some(f) => {
                return Err(invalid(
                    "mem_fraction_static",
                    format!("must be a number in (0, 1), got {f}"),
                ))
            }
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
                mem_fraction_static,
                // llama.cpp `-fa`; on unless the scenario says otherwise.
                flash_attention: input.flash_attention.unwrap_or(true),
                // llama.cpp `-ngl` (absent: every layer) and `--n-cpu-moe`.
                gpu_layers,
                cpu_moe_layers,
                vllm_release,
                system_memory_bytes,
                system_bandwidth_gbps,
            },
        })
    }

    /// The command that starts the engine as planned (`None` for transformers).
    pub fn launch_command(&self) -> Option<LaunchCommand> {
        launch_command(
            &self.model_id,
            &self.model,
            self.weights,
            &self.gpu,
            &self.workload,
        )
    }

    /// Plans the scenario; an unsupported engine/format pair is an error naming `weights`.
    pub fn plan(&self) -> Result<Plan, Unsupported> {
        plan(&self.model, self.weights, &self.gpu, &self.workload)
    }

    /// The smallest changes that make it fit (or leave the critical band), each verified.
    pub fn to_fit(&self, gpus: &[Gpu]) -> Vec<Suggestion> {
        to_fit(
            &self.model,
            self.weights,
            &self.gpu,
            &self.workload,
            Thresholds::default(),
            gpus,
        )
    }

    /// The plan as the CLI prints it: the plan's fields, the verdict (`fits`, `status`,
    /// `reason`, `reason_text`, `max_context_limited_by`), `to_fit` and `command`. A format,
    /// cache or GPU the engine cannot run is a plan too: `status` and `reason` `unsupported`.
    pub fn plan_json(&self, gpus: &[Gpu]) -> Result<Value, String> {
        let mut value = match self.plan() {
            Ok(p) => {
                let mut v = serde_json::to_value(&p).map_err(|e| e.to_string())?;
                if let Some(o) = v.as_object_mut() {
                    o.insert("reason_text".into(), p.reason_text().into());
                    o.insert(
                        "max_context_limited_by".into(),
                        serde_json::to_value(p.max_context_limited_by())
                            .map_err(|e| e.to_string())?,
                    );
                    // How fast (null where no measured efficiency or GPU figure backs a number),
                    // flat beside the plan's own `speed` object.
                    let s = p.speed;
                    o.insert(
                        "decode_tokens_per_s".into(),
                        s.map(|s| s.decode_tokens_per_s).into(),
                    );
                    o.insert(
                        "decode_tokens_per_s_total".into(),
                        s.map(|s| s.decode_tokens_per_s_total).into(),
                    );
                    o.insert(
                        "prefill_tokens_per_s".into(),
                        s.and_then(|s| s.prefill_tokens_per_s).into(),
                    );
                    o.insert("ttft_ms".into(), s.and_then(|s| s.ttft_ms).into());
                    // Where the bytes are: on each GPU, and (llama.cpp) in system RAM.
                    o.insert("gpu_bytes".into(), p.total_bytes.into());
                    o.insert("cpu_bytes".into(), p.host_bytes.into());
                }
                v
            }
            Err(u) => serde_json::json!({
                "fits": false,
                "status": "unsupported",
                "reason": Reason::Unsupported,
                "reason_text": u.reason,
            }),
        };
        if let Some(o) = value.as_object_mut() {
            o.insert(
                "to_fit".into(),
                serde_json::to_value(self.to_fit(gpus)).map_err(|e| e.to_string())?,
            );
            o.insert(
                "command".into(),
                self.launch_command()
                    .map_or(Value::Null, |c| c.to_shell().into()),
            );
        }
        Ok(value)
    }
}

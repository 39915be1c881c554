//! Launch commands that realise a plan: the engine flags that set exactly the budget, context,
//! parallelism and cache types the plan priced.
//!
//! Flags (engine docs and CLI sources):
//! - vLLM `vllm serve` (`vllm/engine/arg_utils.py`): `--max-model-len`, `--gpu-memory-utilization`,
//!   `--tensor-parallel-size`, `--pipeline-parallel-size`, `--kv-cache-dtype`, `--dtype`,
//!   `--quantization` (only where vLLM quantizes at load time: `fp8`, `bitsandbytes`; AWQ/GPTQ/
//!   compressed-tensors/MXFP4/NVFP4 are read from the checkpoint's `quantization_config`, and
//!   forcing `--quantization awq` would skip the faster Marlin kernels).
//! - llama.cpp `llama-server` (`common/arg.cpp`): `-m`, `-c` (one cache shared by all slots),
//!   `-ngl`, `--parallel`, `-ctk`/`-ctv` (a quantized V cache needs `-fa on`).
//! - SGLang `python -m sglang.launch_server` (`server_args.py`): `--model-path`,
//!   `--context-length`, `--mem-fraction-static`, `--tp`, `--kv-cache-dtype`, `--dtype`,
//!   `--quantization`.
//!
//! The model argument is the catalogue's Hugging Face repo id; a format that needs a
//! pre-quantized checkpoint (AWQ, GPTQ, GGUF, …) gets a comment line saying which one to use
//! instead of an invented repository name.

use crate::catalog::Gpu;
use crate::engine::{self, Engine};
use crate::inert;
use crate::model::config::ModelConfig;
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::plan::Workload;

/// A shell command with the comment lines that explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchCommand {
    /// The engine it starts.
    pub engine: Engine,
    /// `# …` lines: what to substitute, what the engine cannot do.
    pub comments: Vec<String>,
    /// Program and arguments, one flag (with its value) per entry.
    pub args: Vec<String>,
}

impl LaunchCommand {
    /// The command as copyable shell text: comments first, then one flag per line joined with
    /// `\` continuations. Comments carry names from config.json files and links, so each is
    /// written through [`inert::escape`]: a line break in a name cannot end the comment and
    /// start a command, and a trailing backslash cannot continue it.
    pub fn to_shell(&self) -> String {
        let mut out = String::new();
        for c in &self.comments {
            out.push_str("# ");
            out.push_str(&inert::escape(c));
            out.push('\n');
        }
        out.push_str(&self.args.join(" \\\n  "));
        out
    }

    /// The command on one line (no comments), for tests and logs.
    pub fn one_line(&self) -> String {
        self.args.join(" ")
    }
}

/// Quotes a shell word when it holds anything but `[A-Za-z0-9._/:=@+-]`. Control characters
/// are escaped first ([`inert::escape`]): inside quotes they would be harmless to the shell
/// but not to the terminal that shows the command.
fn shell_word(s: &str) -> String {
    let s = &inert::escape(s);
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/:=@+-".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The GGUF file type name llama-quantize uses for a format.
fn gguf_type(format: WeightFormat) -> &'static str {
    match format {
        WeightFormat::Q8_0 => "Q8_0",
        WeightFormat::Q6K => "Q6_K",
        WeightFormat::Q5KM => "Q5_K_M",
        WeightFormat::Q4KM => "Q4_K_M",
        WeightFormat::Q4_0 => "Q4_0",
        WeightFormat::Fp32 => "F32",
        WeightFormat::Bf16 => "BF16",
        _ => "F16",
    }
}

/// A file-name-safe stem for GGUF files: the repo's last path segment.
fn gguf_file(model_id: &str, format: WeightFormat) -> String {
    let stem = model_id.rsplit('/').next().unwrap_or(model_id);
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("./{stem}-{}.gguf", gguf_type(format))
}

/// The torch dtype name for `--dtype` when the format fixes the compute type.
fn torch_dtype(format: WeightFormat) -> Option<&'static str> {
    match format {
        WeightFormat::Fp32 => Some("float32"),
        WeightFormat::Fp16 => Some("float16"),
        WeightFormat::Bf16 => Some("bfloat16"),
        _ => None,
    }
}

/// For formats that need a pre-quantized checkpoint: what to load instead of the repo.
fn checkpoint_comment(format: WeightFormat, model_id: &str) -> Option<String> {
    let kind = match format {
        WeightFormat::Int8 => "an INT8 (compressed-tensors W8A8/W8A16)",
        WeightFormat::Awq => "an AWQ",
        WeightFormat::W4a16 => "a compressed-tensors W4A16",
        WeightFormat::Gptq => "a GPTQ",
        WeightFormat::Mxfp4 => "an MXFP4",
        WeightFormat::Nvfp4 => "an NVFP4 (ModelOpt)",
        _ => return None,
    };
    Some(format!(
        "replace {model_id} with {kind} checkpoint of it: the engine reads its quantization_config"
    ))
}

/// The launch command for `workload` with `model_id` stored as `format` on `gpu`, or `None`
/// for engines without a server (transformers).
pub fn launch_command(
    model_id: &str,
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu: &Gpu,
    w: &Workload,
) -> Option<LaunchCommand> {
    launch_command_with(model_id, cfg, format, gpu, w, None)
}

/// [`launch_command`] with SGLang's `--mem-fraction-static` set by the caller (a co-located
/// member's own share) instead of SGLang's default for a GPU to itself.
pub fn launch_command_with(
    model_id: &str,
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu: &Gpu,
    w: &Workload,
    sglang_fraction: Option<f64>,
) -> Option<LaunchCommand> {
    // `--dtype` only when the user chose a float type; the checkpoint's own stays `auto`.
    let dtype = torch_dtype(format);
    let format = format.resolve(cfg);
    let tp = w.tensor_parallel.max(1);
    let pp = w.pipeline_parallel.max(1);
    let ctx = w.context.max(1);
    let n = w.concurrency.max(1);
    let model = shell_word(model_id);
    let mut comments = Vec::new();
    let mut args: Vec<String>;
    match w.engine {
        Engine::Vllm => {
            if format.is_gguf() {
                comments.push(format!(
                    "a {} GGUF file of {model_id}; vLLM takes the tokenizer from the repo",
                    gguf_type(format)
                ));
                args = vec![
                    format!("vllm serve {}", gguf_file(model_id, format)),
                    format!("--tokenizer {model}"),
                ];
            } else {
                comments.extend(checkpoint_comment(format, model_id));
                args = vec![format!("vllm serve {model}")];
            }
            args.push(format!("--max-model-len {ctx}"));
            let util = if w.gpu_memory_utilization.is_finite() {
                w.gpu_memory_utilization.clamp(0.0, 1.0)
            } else {
                0.9
            };
            args.push(format!("--gpu-memory-utilization {}", trim_fraction(util)));
            if tp > 1 {
                args.push(format!("--tensor-parallel-size {tp}"));
            }
            if pp > 1 {
                args.push(format!("--pipeline-parallel-size {pp}"));
            }
            if let Some(d) = dtype {
                args.push(format!("--dtype {d}"));
            }
            match format {
                WeightFormat::Fp8 => args.push("--quantization fp8".into()),
                WeightFormat::Nf4 => args.push("--quantization bitsandbytes".into()),
                _ => {}
            }
            match w.kv_dtype {
                KvDtype::Fp8 => args.push("--kv-cache-dtype fp8".into()),
                KvDtype::Q8_0 | KvDtype::Q4_0 => comments.push(format!(
                    "vLLM has no {} KV cache; it keeps the model dtype",
                    w.kv_dtype.id()
                )),
                _ => {}
            }
            if n > 1 {
                comments.push(format!(
                    "planned for {n} concurrent sequences of {ctx} tokens; vLLM admits more while the KV cache has room"
                ));
            }
        }
        Engine::Sglang => {
            comments.extend(checkpoint_comment(format, model_id));
            args = vec![
                format!("python -m sglang.launch_server --model-path {model}"),
                format!("--context-length {ctx}"),
            ];
            let frac = sglang_fraction.unwrap_or_else(|| {
                let reserve = engine::reserves(
                    Engine::Sglang,
                    cfg,
                    format.activation_bytes(cfg),
                    gpu,
                    tp,
                    pp,
                )
                .activation;
                engine::sglang_mem_fraction_static(gpu.memory(), reserve)
            });
            args.push(format!("--mem-fraction-static {frac:.2}"));
            if tp > 1 {
                args.push(format!("--tp {tp}"));
            }
            if pp > 1 {
                args.push(format!("--pp-size {pp}"));
            }
            if let Some(d) = dtype {
                args.push(format!("--dtype {d}"));
            }
            if format == WeightFormat::Fp8 {
                args.push("--quantization fp8".into());
            }
            if format == WeightFormat::Nf4 {
                comments.push(format!(
                    "replace {model_id} with a bitsandbytes NF4 checkpoint of it"
                ));
            }
            match w.kv_dtype {
                KvDtype::Fp8 => args.push("--kv-cache-dtype fp8_e5m2".into()),
                KvDtype::Q8_0 | KvDtype::Q4_0 => comments.push(format!(
                    "SGLang has no {} KV cache; it keeps the model dtype",
                    w.kv_dtype.id()
                )),
                _ => {}
            }
            if n > 1 {
                args.push(format!("--max-running-requests {n}"));
            }
        }
        Engine::LlamaCpp => {
            comments.push(format!(
                "a {} GGUF file of {model_id} (convert_hf_to_gguf.py, then llama-quantize)",
                gguf_type(format)
            ));
            // One cache of n·ctx cells shared by n slots (see plan.rs `workload_kv`).
            args = vec![
                format!("llama-server -m {}", gguf_file(model_id, format)),
                format!("-c {}", ctx.saturating_mul(n)),
                "-ngl 999".into(),
            ];
            if n > 1 {
                args.push(format!("--parallel {n}"));
            }
            let cache = match w.kv_dtype {
                KvDtype::Q8_0 => Some("q8_0"),
                KvDtype::Q4_0 => Some("q4_0"),
                KvDtype::Fp32 => Some("f32"),
                KvDtype::Bf16 => Some("bf16"),
                KvDtype::Fp8 => {
                    comments.push("llama.cpp has no fp8 KV cache; it keeps f16".into());
                    None
                }
                KvDtype::Auto | KvDtype::Fp16 => None,
            };
            if let Some(t) = cache {
                args.push(format!("-ctk {t} -ctv {t}"));
                if matches!(t, "q8_0" | "q4_0") {
                    // A quantized V cache requires flash attention.
                    args.push("-fa on".into());
                }
            }
            if tp > 1 || pp > 1 {
                comments.push(format!(
                    "spread over {} GPUs: llama.cpp splits layers across all visible devices",
                    tp * pp
                ));
            }
        }
        Engine::Transformers => return None,
    }
    Some(LaunchCommand {
        engine: w.engine,
        comments,
        args,
    })
}

/// `0.9` not `0.90`, `0.85` stays: the shortest form of a two-decimal fraction.
fn trim_fraction(f: f64) -> String {
    let s = format!("{:.2}", f);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    fn cmd(model: &str, format: WeightFormat, gpu: &str, w: Workload) -> LaunchCommand {
        let c = catalog();
        let m = c.model(model).unwrap();
        launch_command(&m.id, &m.config, format, c.gpu(gpu).unwrap(), &w).unwrap()
    }

    #[test]
    fn vllm_command_carries_the_planned_flags() {
        let w = Workload {
            context: 8192,
            tensor_parallel: 2,
            gpu_memory_utilization: 0.85,
            kv_dtype: KvDtype::Fp8,
            ..Workload::default()
        };
        let c = cmd(
            "meta-llama/Llama-2-13b-hf",
            WeightFormat::Fp8,
            "l40s-48gb",
            w,
        );
        assert_eq!(
            c.one_line(),
            "vllm serve meta-llama/Llama-2-13b-hf --max-model-len 8192 --gpu-memory-utilization 0.85 \
             --tensor-parallel-size 2 --quantization fp8 --kv-cache-dtype fp8"
        );
        assert!(c.comments.is_empty());
    }

    #[test]
    fn prequantized_formats_name_the_checkpoint_instead_of_forcing_a_kernel() {
        let c = cmd(
            "meta-llama/Llama-2-7b-hf",
            WeightFormat::Awq,
            "rtx-4090-24gb",
            Workload::default(),
        );
        assert!(!c.one_line().contains("--quantization"));
        assert_eq!(
            c.comments[0],
            "replace meta-llama/Llama-2-7b-hf with an AWQ checkpoint of it: the engine reads its quantization_config"
        );
        let c = cmd(
            "meta-llama/Llama-2-7b-hf",
            WeightFormat::Nf4,
            "rtx-4090-24gb",
            Workload::default(),
        );
        assert!(c.one_line().contains("--quantization bitsandbytes"));
        let c = cmd(
            "meta-llama/Llama-2-7b-hf",
            WeightFormat::Fp16,
            "rtx-4090-24gb",
            Workload::default(),
        );
        assert!(c
            .one_line()
            .ends_with("--gpu-memory-utilization 0.9 --dtype float16"));
    }

    #[test]
    fn llama_server_shares_one_cache_between_slots() {
        let w = Workload {
            engine: Engine::LlamaCpp,
            context: 4096,
            concurrency: 4,
            kv_dtype: KvDtype::Q8_0,
            ..Workload::default()
        };
        let c = cmd(
            "meta-llama/Llama-2-7b-hf",
            WeightFormat::Q4KM,
            "rtx-3090-24gb",
            w,
        );
        assert_eq!(
            c.one_line(),
            "llama-server -m ./Llama-2-7b-hf-Q4_K_M.gguf -c 16384 -ngl 999 --parallel 4 \
             -ctk q8_0 -ctv q8_0 -fa on"
        );
    }

    #[test]
    fn sglang_command_uses_the_planned_static_fraction() {
        let c = catalog();
        let m = c.model("meta-llama/Llama-2-7b-hf").unwrap();
        let gpu = c.gpu("h100-sxm-80gb").unwrap();
        let w = Workload {
            engine: Engine::Sglang,
            context: 4096,
            concurrency: 8,
            ..Workload::default()
        };
        let cmd = launch_command(&m.id, &m.config, WeightFormat::Native, gpu, &w).unwrap();
        // SGLang reserve with defaults: 512 + 8192·1.5 + 160·2 + 128 MiB = 13,248 MiB of
        // 79.19 GiB (81,089 MiB) → 1 − 13,248/81,089 = 0.84.
        assert_eq!(gpu.memory_bytes / (1 << 20), 81_089);
        assert_eq!(
            cmd.one_line(),
            "python -m sglang.launch_server --model-path meta-llama/Llama-2-7b-hf \
             --context-length 4096 --mem-fraction-static 0.84 --max-running-requests 8"
        );
    }

    #[test]
    fn transformers_has_no_server_and_odd_ids_are_quoted() {
        let c = catalog();
        let m = c.model("Qwen/Qwen2.5-0.5B").unwrap();
        let gpu = c.gpu("l4-24gb").unwrap();
        let w = Workload {
            engine: Engine::Transformers,
            ..Workload::default()
        };
        assert!(launch_command(&m.id, &m.config, WeightFormat::Native, gpu, &w).is_none());
        let w = Workload::default();
        let c = launch_command(
            "my model'; rm -rf /",
            &m.config,
            WeightFormat::Native,
            gpu,
            &w,
        )
        .unwrap();
        assert!(c
            .one_line()
            .starts_with(r"vllm serve 'my model'\''; rm -rf /'"));
    }
}

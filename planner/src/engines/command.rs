//! Launch commands that realise a plan: the engine flags that set exactly the budget, context,
//! parallelism and cache types the plan priced. Each engine's flags are in its own file; the
//! model argument is the catalogue's Hugging Face repo id, and a format that needs a
//! pre-quantized checkpoint (AWQ, GPTQ, GGUF, …) gets a comment line saying which one to use
//! instead of an invented repository name.

use super::shell::{shell_word, torch_dtype, CommandInput, LaunchCommand};
use super::{llama_cpp, sglang, vllm, Engine};
use crate::catalog::Gpu;
use crate::model::config::ModelConfig;
use crate::model::weights::WeightFormat;
use crate::plan::workload::Workload;

/// The launch command for `workload` with `model_id` stored as `format` on `gpu`, or `None`
/// for engines without a server (transformers) and for a configuration the engine cannot run
/// (its plan says why): a command must never start what the plan refused.
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
    let resolved = crate::plan::engine_format(format.resolve(cfg), w.engine);
    super::support::check(cfg, resolved, w).ok()?;
    let native = format == WeightFormat::Native;
    super::support::check_gpu(w.engine, resolved, native, w.kv_dtype, gpu).ok()?;
    let mut comments = Vec::new();
    // A command for a plan that does not fit says so first: the engine would refuse it.
    let planned = Workload {
        mem_fraction_static: sglang_fraction.or(w.mem_fraction_static),
        ..w.clone()
    };
    let plan = crate::plan::plan_with(cfg, format, gpu, &planned, false).ok();
    if let Some(p) = plan.as_ref().filter(|p| !p.fits) {
        comments.push(format!(
            "does not fit: {} will refuse it or run out of memory. {}",
            w.engine.name(),
            p.reason_text()
        ));
    }
    // A plan that fits only with layers in system RAM pins the placement `--fit` chose, so
    // the command starts what was planned whatever the build's defaults.
    let placed = plan.and_then(|p| p.offload).filter(|o| o.by_fit).map(|o| {
        comments.push(format!(
            "{}: what llama.cpp's --fit picks itself",
            o.describe()
        ));
        o.apply(w)
    });
    let w = placed.as_ref().unwrap_or(w);
    let input = CommandInput {
        model_id,
        model: shell_word(model_id),
        format: resolved,
        // `--dtype` only when the user chose a float type; the checkpoint's own stays `auto`.
        dtype: torch_dtype(format),
        tp: w.tensor_parallel.max(1),
        pp: w.pipeline_parallel.max(1),
        ctx: w.context.max(1),
        n: w.concurrency.max(1),
        w,
        native: native || format.resolve(cfg) == WeightFormat::Native.resolve(cfg),
        moe: cfg.moe.is_some(),
    };
    let args = match w.engine {
        Engine::Vllm => vllm::command(&input, &mut comments),
        Engine::Sglang => {
            // Written out even when it is SGLang's default, so that another SGLang version
            // starts with the fraction this plan priced.
            let fraction = sglang_fraction.unwrap_or_else(|| sglang::fraction(w, gpu, cfg));
            sglang::command(&input, fraction, &mut comments)
        }
        Engine::LlamaCpp => llama_cpp::command(&input, &mut comments),
        Engine::Transformers => return None,
    };
    Some(LaunchCommand {
        engine: w.engine,
        comments,
        args,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::model::kv_cache::KvDtype;

    fn cmd(model: &str, format: WeightFormat, gpu: &str, w: Workload) -> LaunchCommand {
        let c = catalog();
        let m = c.model(model).unwrap();
        launch_command(&m.id, &m.config, format, c.gpu(gpu).unwrap(), &w).unwrap()
    }

    #[test]
    fn vllm_command_carries_the_planned_flags() {
        let w = Workload {
            context: 4096,
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
            "vllm serve meta-llama/Llama-2-13b-hf --max-model-len 4096 --gpu-memory-utilization 0.85 \
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
        // SGLang 0.5.23 on 81,089 MiB at TP 1: 512 + 8192·1.5 + 1024/8 + 256·2 = 13,440 MiB
        // (above the 10 GiB floor) → round((81,089 − 13,440) / 81,089, 3) = 0.834.
        assert_eq!(gpu.memory_bytes / (1 << 20), 81_089);
        assert_eq!(
            cmd.one_line(),
            "python -m sglang.launch_server --model-path meta-llama/Llama-2-7b-hf \
             --context-length 4096 --mem-fraction-static 0.834 --max-running-requests 8"
        );
    }

    #[test]
    fn a_command_that_does_not_fit_starts_with_why() {
        // Llama-2-13B in FP16 (24.2 GiB of weights) on a 23.6 GiB RTX 4090.
        let c = cmd(
            "meta-llama/Llama-2-13b-hf",
            WeightFormat::Fp16,
            "rtx-4090-24gb",
            Workload::default(),
        );
        assert!(
            c.comments[0].starts_with(
                "does not fit: vLLM will refuse it or run out of memory. the weights alone"
            ),
            "{:?}",
            c.comments
        );
        assert!(c.to_shell().starts_with("# does not fit: vLLM"));
        let fits = cmd(
            "meta-llama/Llama-2-7b-hf",
            WeightFormat::Fp16,
            "rtx-4090-24gb",
            Workload::default(),
        );
        assert!(fits.comments.is_empty(), "{:?}", fits.comments);
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

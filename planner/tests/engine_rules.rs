//! Each engine rule pinned against its cited source: what an engine refuses and why, the
//! formats it loads, the sizes its kernels and files come to, and the defaults it derives.

mod common;

use common::{gpu, model, on};
use planner::engines::command::launch_command;
use planner::model::config::ModelConfig;
use planner::model::kv_cache::KvDtype;
use planner::plan::{plan, Workload};
use planner::units::GIB;
use planner::{Engine, WeightFormat};

fn reason(m: &str, f: WeightFormat, g: &str, w: &Workload) -> String {
    let m = model(m);
    assert!(
        launch_command(&m.id, &m.config, f, gpu(g), w).is_none(),
        "no command may start what the plan refuses"
    );
    plan(&m.config, f, gpu(g), w).unwrap_err().reason
}

#[test]
fn gpus_that_cannot_run_a_format_say_why() {
    let llama = "meta-llama/Llama-3.1-8B-Instruct";
    // vLLM docs, FP8 W8A8: weight-only FP8 Marlin from compute capability 7.5.
    let r = reason(llama, WeightFormat::Fp8, "v100-32gb", &on(Engine::Vllm));
    assert!(
        r.contains("compute capability 7.5") && r.contains("V100"),
        "{r}"
    );
    assert!(plan(
        &model(llama).config,
        WeightFormat::Fp8,
        gpu("a100-sxm4-80gb"),
        &on(Engine::Vllm)
    )
    .is_ok());
    // platforms/cuda.py: bfloat16 needs 8.0.
    let r = reason(llama, WeightFormat::Bf16, "t4-16gb", &on(Engine::Vllm));
    assert!(r.contains("8.0"), "{r}");
    // A bf16 checkpoint as published runs there in fp16 (`--dtype auto` resolves to float16).
    assert!(plan(
        &model(llama).config,
        WeightFormat::Native,
        gpu("t4-16gb"),
        &on(Engine::Vllm)
    )
    .is_ok());
    // vLLM needs 7.0; Pascal cannot run it at all, llama.cpp can.
    assert!(reason(
        llama,
        WeightFormat::Fp16,
        "tesla-p40-24gb",
        &on(Engine::Vllm)
    )
    .contains("7.0"));
    assert!(plan(
        &model(llama).config,
        WeightFormat::Q4KM,
        gpu("tesla-p40-24gb"),
        &on(Engine::LlamaCpp)
    )
    .is_ok());
    // No Metal backend in vLLM or SGLang; llama.cpp runs on Apple silicon.
    let r = reason(
        llama,
        WeightFormat::Bf16,
        "apple-m2-ultra-192gb",
        &on(Engine::Vllm),
    );
    assert!(r.contains("Metal"), "{r}");
    assert!(reason(
        llama,
        WeightFormat::Bf16,
        "apple-m2-ultra-192gb",
        &on(Engine::Sglang)
    )
    .contains("Metal"));
    assert!(plan(
        &model(llama).config,
        WeightFormat::Q4KM,
        gpu("apple-m2-ultra-192gb"),
        &on(Engine::LlamaCpp)
    )
    .is_ok());
    // ROCm: no AWQ kernels; FP8 only on MI300-class GPUs.
    assert!(reason(llama, WeightFormat::Awq, "mi300x-192gb", &on(Engine::Vllm)).contains("ROCm"));
    assert!(reason(
        llama,
        WeightFormat::Fp8,
        "mi250x-gcd-64gb",
        &on(Engine::Vllm)
    )
    .contains("MI300"));
    assert!(plan(
        &model(llama).config,
        WeightFormat::Fp8,
        gpu("mi300x-192gb"),
        &on(Engine::Vllm)
    )
    .is_ok());
}

#[test]
fn cache_types_an_engine_does_not_offer_are_refused_not_repriced() {
    let m = "Qwen/Qwen2.5-7B-Instruct";
    let kv = |engine, kv_dtype, flash_attention| Workload {
        engine,
        kv_dtype,
        flash_attention,
        ..Workload::default()
    };
    let r = reason(
        m,
        WeightFormat::Bf16,
        "h100-sxm-80gb",
        &kv(Engine::Vllm, KvDtype::Q8_0, true),
    );
    assert!(r.contains("q8_0"), "{r}");
    let r = reason(
        m,
        WeightFormat::Q4KM,
        "rtx-4090-24gb",
        &kv(Engine::LlamaCpp, KvDtype::Fp8, true),
    );
    assert!(r.contains("fp8"), "{r}");
    // llama-context.cpp: a quantized V cache requires flash attention.
    let r = reason(
        m,
        WeightFormat::Q4KM,
        "rtx-4090-24gb",
        &kv(Engine::LlamaCpp, KvDtype::Q8_0, false),
    );
    assert!(r.contains("-fa on"), "{r}");
    let r = reason(
        m,
        WeightFormat::Bf16,
        "h100-sxm-80gb",
        &kv(Engine::Transformers, KvDtype::Fp8, true),
    );
    assert!(r.contains("transformers"), "{r}");
    // FP8 KV on Turing: the FP8-cache attention backends are Ampere and newer.
    assert!(reason(
        m,
        WeightFormat::Fp16,
        "t4-16gb",
        &kv(Engine::Vllm, KvDtype::Fp8, true)
    )
    .contains("fp8"));
    // What is offered is written into the command.
    let cmd = launch_command(
        m,
        &model(m).config,
        WeightFormat::Bf16,
        gpu("h100-sxm-80gb"),
        &kv(Engine::Sglang, KvDtype::Bf16, true),
    )
    .unwrap();
    assert!(
        cmd.one_line().contains("--kv-cache-dtype bf16"),
        "{}",
        cmd.one_line()
    );
    let cmd = launch_command(
        m,
        &model(m).config,
        WeightFormat::Q4KM,
        gpu("rtx-4090-24gb"),
        &kv(Engine::LlamaCpp, KvDtype::Q8_0, true),
    )
    .unwrap();
    assert!(
        cmd.one_line().contains("-ctk q8_0 -ctv q8_0 -fa on"),
        "{}",
        cmd.one_line()
    );
}

/// Qwen/Qwen3-235B-A22B-FP8: `weight_block_size` [128, 128], `moe_intermediate_size` 1536.
/// At TP 8 each rank holds 192 rows of every expert, not whole 128-blocks: vLLM's
/// `Fp8MoEMethod.create_weights` refuses to load it ("… is not divisible by weight
/// quantization block_n").
#[test]
fn block_fp8_shards_must_hold_whole_blocks() {
    let mut json: serde_json::Value =
        serde_json::from_str(include_str!("data/qwen3_235b_fp8_config.json")).unwrap();
    let cfg = ModelConfig::from_json(&(&json).into()).unwrap();
    assert_eq!(cfg.fp8_block, Some((128, 128)));
    let at = |tp| Workload {
        tensor_parallel: tp,
        ..on(Engine::Vllm)
    };
    let r = plan(&cfg, WeightFormat::Native, gpu("h100-sxm-80gb"), &at(8))
        .unwrap_err()
        .reason;
    assert!(r.contains("192") && r.contains("128"), "{r}");
    assert!(plan(&cfg, WeightFormat::Native, gpu("h100-sxm-80gb"), &at(4)).is_ok());
    // Without block scales (per-tensor FP8) any TP that divides the heads loads.
    json["quantization_config"]["weight_block_size"] = serde_json::Value::Null;
    let plain = ModelConfig::from_json(&(&json).into()).unwrap();
    assert!(plan(&plain, WeightFormat::Native, gpu("h100-sxm-80gb"), &at(8)).is_ok());
}

/// vLLM's MXFP4 MoE padding by backend: "Model loading took 13.72 GiB" for gpt-oss-20b on an
/// A100 (Marlin; myoceane.fr, vLLM 0.19) and "64.38 GiB" for gpt-oss-120b on an H100
/// (Triton; vllm-project/vllm#33155, vLLM 0.14.1).
#[test]
fn vllm_mxfp4_weights_follow_the_gpu_generation() {
    let w = |m: &str, g: &str| {
        plan(
            &model(m).config,
            WeightFormat::Native,
            gpu(g),
            &on(Engine::Vllm),
        )
        .unwrap()
        .weights_bytes as f64
            / GIB as f64
    };
    for (m, g, measured) in [
        ("openai/gpt-oss-20b", "a100-sxm4-80gb", 13.72),
        ("openai/gpt-oss-120b", "h100-sxm-80gb", 64.38),
    ] {
        let got = w(m, g);
        assert!(
            (got - measured).abs() / measured < 0.02,
            "{m} on {g}: {got:.2} GiB"
        );
    }
    // The same checkpoint is larger on Blackwell (trtllm-gen pads to 256) than unpadded.
    assert!(w("openai/gpt-oss-120b", "b200-180gb") > w("openai/gpt-oss-120b", "h100-sxm-80gb"));
}

#[test]
fn sglang_defaults_follow_the_gpu_memory_bucket() {
    let small = Workload {
        concurrency: 4,
        ..on(Engine::Sglang)
    };
    // A 12 GB card: the < 20 GiB bucket reserves 512 + 2048·1.5 + 128 + 8·2 MiB.
    let p = plan(
        &model("Qwen/Qwen2.5-0.5B-Instruct").config,
        WeightFormat::Native,
        gpu("rtx-3060-12gb"),
        &small,
    )
    .unwrap();
    assert!(p.fits && p.kv_capacity_tokens > 100_000, "{p:?}");
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("mem_fraction_static for this GPU and TP: 0.6")),
        "{:?}",
        p.notes
    );
    // The user's fraction replaces the default and reaches the command.
    let set = Workload {
        mem_fraction_static: Some(0.5),
        ..on(Engine::Sglang)
    };
    let m = model("meta-llama/Llama-3.1-8B-Instruct");
    let a = plan(&m.config, WeightFormat::Bf16, gpu("h100-sxm-80gb"), &set).unwrap();
    let b = plan(
        &m.config,
        WeightFormat::Bf16,
        gpu("h100-sxm-80gb"),
        &on(Engine::Sglang),
    )
    .unwrap();
    assert!(a.kv_capacity_tokens < b.kv_capacity_tokens / 2);
    let cmd = launch_command(
        &m.id,
        &m.config,
        WeightFormat::Bf16,
        gpu("h100-sxm-80gb"),
        &set,
    )
    .unwrap();
    assert!(
        cmd.one_line().contains("--mem-fraction-static 0.5 "),
        "{}",
        cmd.one_line()
    );
}

#[test]
fn vision_towers_are_weights_where_the_engine_loads_them() {
    let m = model("google/gemma-3-4b-it");
    let v = m.config.vision.expect("Gemma 3 4B is multimodal");
    assert_eq!(v.params, 416_866_032 + 2_950_272);
    let vllm = plan(
        &m.config,
        WeightFormat::Bf16,
        gpu("l4-24gb"),
        &on(Engine::Vllm),
    )
    .unwrap();
    assert_eq!(vllm.vision_bytes, v.params * 2);
    assert!(
        vllm.notes
            .iter()
            .any(|n| n.contains("--limit-mm-per-prompt")),
        "{:?}",
        vllm.notes
    );
    let gguf = plan(
        &m.config,
        WeightFormat::Q4KM,
        gpu("l4-24gb"),
        &on(Engine::LlamaCpp),
    )
    .unwrap();
    assert_eq!(gguf.vision_bytes, 0);
    assert!(gguf.notes.iter().any(|n| n.contains("--mmproj")));
    // In INT4 the tower stays 16-bit, so its share of the weights grows.
    let awq = plan(
        &m.config,
        WeightFormat::Awq,
        gpu("l4-24gb"),
        &on(Engine::Vllm),
    )
    .unwrap();
    assert_eq!(awq.vision_bytes, v.params * 2);
}

/// Kimi-K2-Thinking / K2.5 style: compressed-tensors INT4, `group_size` 32 → one bf16 scale
/// per 32 weights (4.5 bits), not the group-128 W4A16 layout.
#[test]
fn int4_group_32_checkpoints_are_their_own_format() {
    let json = serde_json::json!({
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
        "intermediate_size": 14336, "num_attention_heads": 32, "num_key_value_heads": 8,
        "num_hidden_layers": 32, "vocab_size": 128256, "max_position_embeddings": 8192,
        "quantization_config": {"quant_method": "compressed-tensors",
            "config_groups": {"group_0": {"weights": {"num_bits": 4, "group_size": 32, "symmetric": true}}}}
    });
    let cfg = ModelConfig::from_json(&(&json).into()).unwrap();
    assert_eq!(WeightFormat::Native.resolve(&cfg), WeightFormat::W4a16G32);
    let g32 = plan(
        &cfg,
        WeightFormat::Native,
        gpu("h100-sxm-80gb"),
        &on(Engine::Vllm),
    )
    .unwrap();
    let g128 = plan(
        &cfg,
        WeightFormat::W4a16,
        gpu("h100-sxm-80gb"),
        &on(Engine::Vllm),
    )
    .unwrap();
    // 2 more bytes of scale per 32 weights than per 128: 4.5 vs 4.125 bits on the linears.
    let linears = 32u64 * (4096 * 4096 * 2 + 4096 * 1024 * 2 + 3 * 4096 * 14336);
    assert_eq!(
        g32.weights_bytes - g128.weights_bytes,
        linears / 32 * 2 - linears / 128 * 2
    );
}

#[test]
fn transformers_prefills_the_whole_prompt_at_once() {
    let m = model("meta-llama/Llama-3.1-8B-Instruct");
    let at = |context| {
        let w = Workload {
            context,
            ..on(Engine::Transformers)
        };
        plan(&m.config, WeightFormat::Bf16, gpu("h100-sxm-80gb"), &w)
            .unwrap()
            .activation_bytes
    };
    // generate() runs one forward pass over the prompt: the MLP intermediate of every token.
    assert!(at(131_072) > 60 * at(2048));
}

#[test]
fn the_reason_names_what_the_gpu_lacks_first_and_native_checkpoints_need_no_other() {
    let llama = "meta-llama/Llama-3.1-8B-Instruct";
    // FP8 weights on a V100 with an FP8 cache: the weights' kernels are the first refusal.
    let w = Workload {
        kv_dtype: KvDtype::Fp8,
        ..on(Engine::Vllm)
    };
    let r = reason(llama, WeightFormat::Fp8, "v100-32gb", &w);
    assert!(r.contains("FP8 kernels need compute capability 7.5"), "{r}");
    // MXFP4 is gpt-oss's expert layout: a dense model has nothing it applies to.
    let r = reason(
        llama,
        WeightFormat::Mxfp4,
        "h100-sxm-80gb",
        &on(Engine::Vllm),
    );
    assert!(r.contains("routed experts"), "{r}");
    // gpt-oss ships MXFP4: its own repo is the checkpoint, with or without naming the format.
    let g = model("openai/gpt-oss-120b");
    for f in [WeightFormat::Native, WeightFormat::Mxfp4] {
        let cmd =
            launch_command(&g.id, &g.config, f, gpu("h100-sxm-80gb"), &on(Engine::Vllm)).unwrap();
        assert!(!cmd.to_shell().contains("replace"), "{}", cmd.to_shell());
    }
    // --n-cpu-moe only where there are experts to keep on the CPU.
    let w = Workload {
        cpu_moe_layers: 4,
        ..on(Engine::LlamaCpp)
    };
    let m = model(llama);
    let cmd = launch_command(
        &m.id,
        &m.config,
        WeightFormat::Q4KM,
        gpu("rtx-4090-24gb"),
        &w,
    )
    .unwrap();
    assert!(
        !cmd.one_line().contains("--n-cpu-moe"),
        "{}",
        cmd.one_line()
    );
}

#[test]
fn sglang_budget_is_its_static_pool() {
    let m = model("meta-llama/Llama-3.1-8B-Instruct");
    let p = plan(
        &m.config,
        WeightFormat::Bf16,
        gpu("h100-sxm-80gb"),
        &on(Engine::Sglang),
    )
    .unwrap();
    // 0.834 × (79.19 − 0.5 GiB) = 65.6 GiB: weights and KV, nothing else.
    let pool = p.budget_bytes as f64 / GIB as f64;
    assert!((pool - 0.834 * (79.189 - 0.5)).abs() < 0.05, "{pool:.2}");
    assert!(p
        .notes
        .iter()
        .any(|n| n.contains("pre-allocates its static pool")));
    let tight = Workload {
        mem_fraction_static: Some(0.97),
        ..on(Engine::Sglang)
    };
    let p = plan(&m.config, WeightFormat::Bf16, gpu("rtx-4090-24gb"), &tight).unwrap();
    assert!(
        p.notes.iter().any(|n| n.contains("may run out of memory")),
        "{:?}",
        p.notes
    );
}

//! `fitgrid plan`: JSON in, JSON out; bad input exits 2 with one line naming the field; `--help`.

mod common;

fn run(input: &str) -> (i32, String, String) {
    run_args(&["plan", "-"], input)
}

fn run_args(args: &[&str], input: &str) -> (i32, String, String) {
    common::fitgrid(args, input.as_bytes())
}

#[test]
fn plans_a_catalogue_scenario_as_json() {
    let (code, out, err) = run(
        r#"{"model":"meta-llama/Llama-3.1-8B-Instruct","gpu":"h100-sxm-80gb",
        "engine":"vllm","max_context":8192,"gpu_memory_utilization":0.95}"#,
    );
    assert_eq!(code, 0, "{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    for field in [
        "weights_bytes",
        "kv_bytes_per_token",
        "kv_cache_bytes",
        "activation_bytes",
        "overhead_bytes",
        "total_bytes",
        "gpu_memory_bytes",
        "budget_bytes",
        "utilization",
        "status",
        "kv_capacity_tokens",
        "max_concurrency",
        "max_context",
        "notes",
    ] {
        assert!(plan.get(field).is_some(), "missing {field}");
    }
    // vLLM 0.19 printed "GPU KV cache size: 476,016 tokens" for this run (measured.csv).
    let tokens = plan["kv_capacity_tokens"].as_u64().unwrap() as f64;
    assert!((tokens - 476_016.0).abs() / 476_016.0 < 0.01, "{tokens}");
    assert_eq!(plan["kv_bytes_per_token"], 131_072);
    assert_eq!(
        plan["command"],
        "vllm serve meta-llama/Llama-3.1-8B-Instruct \\\n  --max-model-len 8192 \\\n  --gpu-memory-utilization 0.95"
    );
}

#[test]
fn prints_the_launch_command_alone() {
    let scenario = r#"{"model":"meta-llama/Llama-2-7b-hf","weights":"q4_k_m","gpu":"rtx-3090-24gb",
        "engine":"llama.cpp","max_context":4096,"concurrency":4,"kv_cache_dtype":"q8_0"}"#;
    let (code, out, err) = run_args(&["plan", "--command", "-"], scenario);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "# a Q4_K_M GGUF file of meta-llama/Llama-2-7b-hf (convert_hf_to_gguf.py, then llama-quantize)\n\
         llama-server -m ./Llama-2-7b-hf-Q4_K_M.gguf \\\n  -c 16384 \\\n  -ngl 999 \\\n  --parallel 4 \\\n  \
         -ctk q8_0 -ctv q8_0 \\\n  -fa on\n"
    );
    // transformers has no server: exit 2 with one line.
    let (code, out, err) = run_args(
        &["plan", "--command", "-"],
        r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"l4-24gb","engine":"transformers","max_context":1024}"#,
    );
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn plans_a_pasted_config_json() {
    let (code, out, err) = run(
        r#"{"model":{"hf_config":{"architectures":["Qwen2ForCausalLM"],
        "model_type":"qwen2","hidden_size":896,"intermediate_size":4864,"max_position_embeddings":32768,
        "num_attention_heads":14,"num_hidden_layers":24,"num_key_value_heads":2,"vocab_size":151936,
        "tie_word_embeddings":true,"torch_dtype":"bfloat16"}},
        "gpu":{"memory_bytes":25386352640},"engine":"sglang","max_context":4096,"concurrency":8}"#,
    );
    assert_eq!(code, 0, "{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["gpu_memory_bytes"], 25_386_352_640u64);
    // 24 layers × 2 KV heads × 64 × 2 (K, V) × 2 B.
    assert_eq!(plan["kv_bytes_per_token"], 12_288);
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_field() {
    let cases = [
        ("", "JSON"),
        ("[]", "object"),
        (r#"{"gpu":"h100-sxm-80gb","max_context":1}"#, "model"),
        (
            r#"{"model":"nope/nope","gpu":"h100-sxm-80gb","max_context":1}"#,
            "model",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"h999","max_context":1}"#,
            "gpu",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"l4-24gb"}"#,
            "max_context",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"l4-24gb","max_context":-5}"#,
            "max_context",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"l4-24gb","max_context":1e999}"#,
            "JSON",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"l4-24gb","max_context":8,"weights":"int3"}"#,
            "weights",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"l4-24gb","max_context":8,"engine":"tgi"}"#,
            "engine",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"l4-24gb","max_context":8,"tensor_parallel":4}"#,
            "tensor_parallel",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"l4-24gb","max_context":8,"gpu_memory_utilization":1.5}"#,
            "gpu_memory_utilization",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"l4-24gb","max_context":8,"kv_cache_dtype":"int2"}"#,
            "kv_cache_dtype",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"l4-24gb","max_context":8,"max_ctx":8}"#,
            "max_ctx",
        ),
        (
            r#"{"model":{"hf_config":{"hidden_size":"wide"}},"gpu":"l4-24gb","max_context":8}"#,
            "hf_config",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":{"memory_bytes":0},"max_context":8}"#,
            "gpu",
        ),
        (
            r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":{"memory_bytes":8000000000,"bandwidth_gb_s":-3},"max_context":8}"#,
            "gpu.bandwidth_gb_s",
        ),
    ];
    for (input, field) in cases {
        let (code, out, err) = run(input);
        assert_eq!(code, 2, "input {input}: {out}{err}");
        assert!(out.is_empty(), "no plan on stdout for {input}");
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "one line for {input}: {err}"
        );
        assert!(err.contains(field), "`{field}` named for {input}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn grid_prints_the_co_located_set_and_its_commands() {
    // Seed 002 on the H100 NVL (99,861,594,112 B = 93.00 GiB): vLLM at 0.6 and 0.3 each hold
    // fraction × total + 1.5 GiB (CUDA context and graphs): 57.30 + 29.40 = 86.70 GiB.
    let query = "m=Qwen/Qwen2.5-0.5B&g=h100-nvl-94gb&q=awq&cog=h100-nvl-94gb\
        &co=Qwen/Qwen2.5-Coder-32B-Instruct~awq~vllm~4096~1~auto~60\
        &co=mistralai/Mistral-7B-v0.1~awq~vllm~4096~1~auto~30";
    let (code, out, err) = run_args(&["grid", query], "");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("✓ Fits on H100 NVL: 86.70 GiB of 93.00 GiB held, 6.30 GiB headroom"),
        "{out}"
    );
    assert!(
        out.contains("--gpu-memory-utilization 0.3 \\\n  --port 8001"),
        "{out}"
    );
}

#[test]
fn help_names_both_commands_and_usage_errors_exit_2() {
    let (code, out, _) = run_args(&["--help"], "");
    assert_eq!(code, 0);
    assert!(out.contains("plan") && out.contains("grid"), "{out}");
    let (code, out, _) = run_args(&["plan", "--help"], "");
    assert_eq!(code, 0);
    assert!(out.contains("--command"), "{out}");
    let (code, _, err) = run_args(&["plan"], "");
    assert_eq!(code, 2);
    assert!(err.contains("FILE"), "{err}");
    let (code, _, _) = run_args(&["frobnicate"], "");
    assert_eq!(code, 2);
}

#[test]
fn a_scenario_without_max_context_is_refused_not_defaulted() {
    let (code, _, err) = run(r#"{"model":"Qwen/Qwen2.5-0.5B","gpu":"rtx-4090-24gb"}"#);
    assert_eq!(code, 2);
    assert!(err.contains("`max_context` is required"), "{err}");
}

#[test]
fn offload_and_speed_fields() {
    // Qwen3-30B-A3B Q4_K_M (~17 GiB) on a 12 GB card with 64 GiB of RAM at 90 GB/s: llama.cpp's
    // --fit keeps some layers' experts in RAM; the plan says which, where the bytes are and
    // how fast, and the command pins the flag.
    let scenario = |extra: &str| {
        format!(
            r#"{{"model":"Qwen/Qwen3-30B-A3B","weights":"q4_k_m","gpu":"rtx-3060-12gb",
            "engine":"llama.cpp","max_context":4096{extra}}}"#
        )
    };
    let (code, out, err) = run(&scenario(
        r#","system_memory_bytes":68719476736,"system_bandwidth_gb_s":90"#,
    ));
    assert_eq!(code, 0, "{err}");
    let p: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(p["fits"], true);
    assert_eq!(p["status"], "offload");
    let n = p["offload"]["cpu_moe_layers"].as_u64().unwrap();
    assert_eq!(p["offload"]["by_fit"], true);
    assert!((1..48).contains(&n), "{p}");
    assert!(p["cpu_bytes"].as_u64().unwrap() > 4 << 30);
    assert!(p["gpu_bytes"].as_u64().unwrap() <= p["gpu_memory_bytes"].as_u64().unwrap());
    let decode = p["decode_tokens_per_s"].as_f64().unwrap();
    assert!((5.0..200.0).contains(&decode), "{decode}");
    assert!(p["command"]
        .as_str()
        .unwrap()
        .contains(&format!("--n-cpu-moe {n}")));
    // `experts_on_cpu` is the same field; set by the user, --fit is not planned.
    let (code, out, _) = run(&scenario(
        r#","experts_on_cpu":40,"system_memory_bytes":68719476736"#,
    ));
    assert_eq!(code, 0);
    let p: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Set by the user: the user's placement, not one `--fit` chose.
    assert_eq!(p["offload"]["by_fit"], false);
    assert_eq!(p["offload"]["cpu_moe_layers"], 40);
    assert!(
        p["cpu_bytes"].as_u64().unwrap() > 8 << 30,
        "40 layers' experts in RAM"
    );
    assert!(
        p["decode_tokens_per_s"].is_null(),
        "no RAM bandwidth, no figure"
    );
    // Without RAM it does not fit; with too little it says so.
    let (_, out, _) = run(&scenario(""));
    let p: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(p["fits"], false);
    let (_, out, _) = run(&scenario(r#","system_memory_bytes":4294967296"#));
    let p: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(p["reason"], "over_system_memory");
    let (code, _, err) = run(&scenario(r#","system_bandwidth_gb_s":-3"#));
    assert_eq!(code, 2);
    assert!(err.contains("system_bandwidth_gb_s"), "{err}");
}

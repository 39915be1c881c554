//! The modelling traps other planners fell into (other published planners), one test each,
//! plus format checks against sizes that engines printed (planner/tests/data/measured.csv).

use planner::catalog::catalog;
use planner::model::kv_cache::{kv_per_token, KvDtype};
use planner::model::weights::weight_bytes;
use planner::plan::{plan, Band, Workload};
use planner::units::{GB, GIB, MIB};
use planner::{Engine, GridConfig, WeightFormat};

fn model(id: &str) -> &'static planner::Model {
    catalog().model(id).unwrap()
}

fn within(actual: u64, expected: f64, pct: f64) {
    let err = (actual as f64 - expected).abs() / expected * 100.0;
    assert!(
        err <= pct,
        "got {actual}, expected {expected:.0} (±{pct} %), off by {err:.2} %"
    );
}

#[test]
fn trap_kv_from_hidden_size_instead_of_kv_heads() {
    // Llama-3.1-70B: 80 layers, 8 KV heads × 128. llama.cpp printed "llama_kv_cache_unified:
    // size = 1280.00 MiB (4096 cells, 80 layers …), K (f16): 640.00 MiB" (measured.csv).
    // hidden_size (8192) would give 8× that.
    let c = &model("meta-llama/Llama-3.1-70B").config;
    let kv = kv_per_token(c, KvDtype::Fp16, 2, 1, 1);
    assert_eq!(kv.total() * 4096, 1280 * MIB);
}

#[test]
fn trap_head_dim_assumed_hidden_over_heads() {
    // Qwen3-8B states head_dim 128 (= 4096/32, coincidence); Qwen3-0.6B states 128 where
    // 1024/16 = 64. vLLM 0.19: Qwen3-8B KV 147,456 B/token (measured.csv, 57.5 GiB / 418,688).
    let small = &model("Qwen/Qwen3-0.6B").config;
    assert_eq!(small.head_dim, 128);
    assert_eq!(
        kv_per_token(small, KvDtype::Auto, 2, 1, 1).total(),
        28 * 2 * 8 * 128 * 2
    );
    let eight = &model("Qwen/Qwen3-8B").config;
    assert_eq!(kv_per_token(eight, KvDtype::Auto, 2, 1, 1).total(), 147_456);
}

#[test]
fn trap_sliding_window_layers_priced_at_full_context() {
    // gpt-oss-20b: 12 of 24 layers slide over 128 tokens; 8 KV heads × 64 × 2 B × 2 = 2,048 B
    // per token per layer. vLLM `SlidingWindowSpec` keeps min(window − 1 + max_num_batched_tokens,
    // max_model_len) tokens, rounded to blocks of 16 plus one block: (127 + 8192) → 521 blocks.
    let m = &model("openai/gpt-oss-20b").config;
    let h100 = catalog().gpu("h100-sxm-80gb").unwrap();
    let w = Workload {
        context: 131_072,
        ..Workload::default()
    };
    let p = plan(m, WeightFormat::Native, h100, &w).unwrap();
    let full = 12 * 2048 * 131_072u64;
    let sliding = 12 * 2048 * 521 * 16u64;
    assert_eq!(p.kv_cache_bytes, full + sliding);
    assert!(p.kv_cache_bytes < p.kv_bytes_per_token * 131_072 * 55 / 100);
}

#[test]
fn trap_mla_priced_as_mha_or_split_by_tp() {
    // DeepSeek-V2-Lite: 27 layers × (512 + 64) × 2 B = 31,104 B/token; vLLM 0.19 printed
    // 43.61 GiB for 1,505,552 tokens (31,102 B/token) on one H100 (measured.csv).
    let c = &model("deepseek-ai/DeepSeek-V2-Lite-Chat").config;
    assert_eq!(kv_per_token(c, KvDtype::Auto, 2, 1, 1).total(), 31_104);
    assert_eq!(kv_per_token(c, KvDtype::Auto, 2, 4, 1).total(), 31_104);
}

#[test]
fn trap_moe_sized_by_active_parameters() {
    // Mixtral-8x7B: 46,702,792,704 parameters (model page), ~12.9B active. vLLM 0.19 loaded
    // 43.51 GiB per GPU at TP 2 (measured.csv): memory follows the total.
    let c = &model("mistralai/Mixtral-8x7B-Instruct-v0.1").config;
    assert_eq!(c.param_count(), 46_702_792_704);
    within(
        weight_bytes(c, WeightFormat::Bf16, 2, 1).0,
        43.51 * GIB as f64,
        0.1,
    );
}

#[test]
fn trap_context_defaults_to_the_model_maximum() {
    // The default grid uses the seed study's 2,048 tokens, below every catalogued maximum,
    // and `fitgrid plan` refuses a scenario without max_context.
    let d = GridConfig::default();
    assert_eq!(d.workload.context, 2048);
    for m in &catalog().models {
        assert!(
            d.workload.context <= m.config.max_position_embeddings,
            "{}",
            m.id
        );
    }
    // (`fitgrid plan` refusing a scenario without max_context: cli/tests/cli.rs.)
}

#[test]
fn trap_summing_gpu_memory_without_a_parallelism_rule() {
    // Llama-3.3-70B in BF16 (~131 GiB) does not fit one H100; at TP 2 each GPU holds half
    // the weights and the plan is judged against one GPU's memory, never the sum.
    let c = &model("meta-llama/Llama-3.3-70B-Instruct").config;
    let h100 = catalog().gpu("h100-sxm-80gb").unwrap();
    let one = plan(c, WeightFormat::Bf16, h100, &Workload::default()).unwrap();
    assert_eq!(one.status, Band::DoesNotFit);
    let tp2 = Workload {
        tensor_parallel: 2,
        ..Workload::default()
    };
    let two = plan(c, WeightFormat::Bf16, h100, &tp2).unwrap();
    assert_eq!(two.gpu_memory_bytes, h100.memory_bytes);
    within(two.weights_bytes, one.weights_bytes as f64 / 2.0, 1.0);
    assert_ne!(two.status, Band::DoesNotFit);
}

#[test]
fn trap_marketing_gb_instead_of_usable_gib() {
    // H100 80GB: the CUDA runtime reports 85,028,896,768 B = 79.19 GiB (vLLM 0.19 logs), not
    // 80 GiB (85,899,345,920 B) nor 80 GB.
    let h100 = catalog().gpu("h100-sxm-80gb").unwrap();
    assert_eq!(h100.memory_bytes, 85_028_896_768);
    assert!(h100.memory_bytes < 80 * GIB && h100.memory_bytes > 79 * GB);
}

#[test]
fn gguf_q4_0_matches_llama_cpp_model_size() {
    // Llama-3.1-70B Q4_0: "model size = 37.22 GiB (4.53 BPW)" (Ollama/llama.cpp, measured.csv).
    let c = &model("meta-llama/Llama-3.1-70B").config;
    within(
        weight_bytes(c, WeightFormat::Q4_0, 1, 1).0,
        37.22 * GIB as f64,
        1.0,
    );
}

#[test]
fn gguf_q8_0_matches_llama_cpp_model_size() {
    // Meta-Llama-3-8B-Instruct Q8_0: "model size = 7.95 GiB (8.50 BPW)" (measured.csv).
    let c = &model("meta-llama/Meta-Llama-3-8B").config;
    within(
        weight_bytes(c, WeightFormat::Q8_0, 1, 1).0,
        7.95 * GIB as f64,
        0.5,
    );
}

#[test]
fn fp8_and_w4a16_match_vllm_model_loading() {
    let h100 = catalog().gpu("h100-sxm-80gb").unwrap();
    let w = Workload::default();
    // "Model loading took 8.49 GiB" for Llama-3.1-8B-Instruct with --quantization fp8.
    let llama = &model("meta-llama/Llama-3.1-8B-Instruct").config;
    within(
        plan(llama, WeightFormat::Fp8, h100, &w)
            .unwrap()
            .weights_bytes,
        8.49 * GIB as f64,
        1.0,
    );
    // "Model loading took 5.38 GiB" for RedHatAI/…-quantized.w4a16 (native W4A16, group 128).
    let w4 = &model("RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16").config;
    within(
        plan(w4, WeightFormat::Native, h100, &w)
            .unwrap()
            .weights_bytes,
        5.38 * GIB as f64,
        1.0,
    );
    // "Model loading took 29.98 GiB" in fp32.
    within(
        plan(llama, WeightFormat::Fp32, h100, &w)
            .unwrap()
            .weights_bytes,
        29.98 * GIB as f64,
        0.5,
    );
}

#[test]
fn four_bit_formats_rank_by_their_overheads() {
    // Same model: NF4 (4.13 bpw) < W4A16 (4.125 bpw + 16-bit embeddings) ≈ AWQ (+ zeros) <
    // GPTQ (+ g_idx) < NVFP4 (4.5 bpw) ; all far below FP8.
    let c = &model("meta-llama/Llama-3.1-8B-Instruct").config;
    let b = |f| weight_bytes(c, f, 1, 1).0;
    assert!(b(WeightFormat::W4a16) < b(WeightFormat::Awq));
    assert!(b(WeightFormat::Awq) < b(WeightFormat::Gptq));
    assert!(b(WeightFormat::Gptq) < b(WeightFormat::Nvfp4));
    assert!(b(WeightFormat::Nvfp4) < b(WeightFormat::Fp8));
    assert!(
        b(WeightFormat::Q4KM) > b(WeightFormat::Q4_0) * 103 / 100,
        "Q4_K_M mixes in Q6_K"
    );
}

#[test]
fn llama_cpp_pads_the_shared_context_to_256_cells() {
    // llama-server: one cache of n·c cells shared by n slots, padded to 256.
    let c = &model("meta-llama/Llama-3.1-8B-Instruct").config;
    let gpu = catalog().gpu("rtx-4090-24gb").unwrap();
    let w = Workload {
        engine: Engine::LlamaCpp,
        context: 1000,
        concurrency: 3,
        ..Workload::default()
    };
    let p = plan(c, WeightFormat::Q4KM, gpu, &w).unwrap();
    assert_eq!(p.kv_cache_bytes, 131_072 * 3072); // 3000 → 3072 cells, f16
}

#[test]
fn reverse_solves_agree_with_the_forward_plan() {
    let c = &model("Qwen/Qwen2.5-7B-Instruct").config;
    let gpu = catalog().gpu("l40s-48gb").unwrap();
    let base = Workload {
        context: 8192,
        concurrency: 4,
        ..Workload::default()
    };
    let p = plan(c, WeightFormat::Bf16, gpu, &base).unwrap();
    // max_context at this concurrency fits; one block more does not.
    let at = |ctx, n| {
        plan(
            c,
            WeightFormat::Bf16,
            gpu,
            &Workload {
                context: ctx,
                concurrency: n,
                ..base.clone()
            },
        )
        .unwrap()
    };
    assert_ne!(at(p.max_context, 4).status, Band::DoesNotFit);
    assert_eq!(at(p.max_context + 16, 4).status, Band::DoesNotFit);
    assert_ne!(at(8192, p.max_concurrency).status, Band::DoesNotFit);
    assert_eq!(at(8192, p.max_concurrency + 1).status, Band::DoesNotFit);
}

//! llama.cpp's rules pinned against its source and published files: the K-quant mix, the MXFP4
//! GGUF, the compute buffer and where tensors and caches are placed.

mod common;

use common::{gpu, model, on};
use planner::engines::command::launch_command;
use planner::plan::{plan, Workload};
use planner::units::{GIB, MIB};
use planner::{Engine, WeightFormat};

/// A GGUF's size as llama-bench prints it ("model size"), GiB.
fn gguf_gib(id: &str, f: WeightFormat) -> f64 {
    let p = plan(
        &model(id).config,
        f,
        gpu("b200-180gb"),
        &on(Engine::LlamaCpp),
    )
    .unwrap();
    // What llama.cpp puts on the GPU plus the token embedding it keeps in system RAM.
    (p.weights_bytes + p.host_bytes) as f64 / GIB as f64
}

/// llama-bench "deepseek2 671B Q4_K - Medium | 376.65 GiB | 671.03 B" for
/// unsloth/DeepSeek-R1-GGUF Q4_K_M (ikawrakow/ik_llama.cpp#259): ffn_down and ffn_down_exps
/// promoted to Q6_K by the block index over all 61 layers, the 3 dense layers included.
#[test]
fn k_quant_mix_of_an_moe_with_dense_first_layers_matches_the_published_file() {
    let gib = gguf_gib("deepseek-ai/DeepSeek-R1", WeightFormat::Q4KM);
    assert!((gib - 376.65).abs() / 376.65 < 0.001, "{gib:.2} GiB");
}

/// gpt-oss-20b MXFP4_MOE GGUF: "Metal model buffer size = 11536.18 MiB" with every layer on the
/// GPU (ontouchstart/rabbit-holes, docs/hello_c_in_memory/2.log), and llama-bench "gpt-oss 20B
/// MXFP4 MoE | 11.27 GiB" (ggml-org/llama.cpp#16991).
#[test]
fn llama_cpp_runs_gpt_oss_from_its_mxfp4_gguf() {
    let mib = gguf_gib("openai/gpt-oss-20b", WeightFormat::Native) * 1024.0;
    assert!((mib - 11536.18).abs() / 11536.18 < 0.001, "{mib:.2} MiB");
    // Apple's unified memory maps the whole file for the GPU (the log is a Metal run).
    let metal = plan(
        &model("openai/gpt-oss-20b").config,
        WeightFormat::Native,
        gpu("apple-m2-max-32gb"),
        &on(Engine::LlamaCpp),
    )
    .unwrap();
    assert_eq!(
        (metal.weights_bytes as f64 / MIB as f64 * 100.0).round() / 100.0,
        11536.18
    );
    assert_eq!(metal.host_bytes, 0);
    let big = plan(
        &model("openai/gpt-oss-120b").config,
        WeightFormat::Native,
        gpu("h200-141gb"),
        &on(Engine::LlamaCpp),
    );
    assert!(big.is_ok_and(|p| p.fits));
    let cmd = launch_command(
        "openai/gpt-oss-120b",
        &model("openai/gpt-oss-120b").config,
        WeightFormat::Native,
        gpu("h200-141gb"),
        &on(Engine::LlamaCpp),
    )
    .unwrap();
    assert!(
        cmd.one_line().contains("MXFP4_MOE.gguf"),
        "{}",
        cmd.one_line()
    );
}

#[test]
fn llama_cpp_compute_buffer_grows_with_context_only_without_flash_attention() {
    let m = model("mistralai/Mistral-7B-v0.1");
    let at = |context, flash_attention| {
        let w = Workload {
            context,
            flash_attention,
            ..on(Engine::LlamaCpp)
        };
        plan(&m.config, WeightFormat::Q4KM, gpu("rtx-4090-24gb"), &w)
            .unwrap()
            .activation_bytes
            / MIB
    };
    // fedora-copr/logdetective#106: 164 MiB at 2,048 and 2,144 MiB at 32,768 cells, FA off.
    assert_eq!((at(2048, false), at(32768, false)), (164, 2144));
    // With flash attention the scores are never stored: the logits dominate.
    assert!(at(32768, true) < 300);
    let cmd = launch_command(
        &m.id,
        &m.config,
        WeightFormat::Q4KM,
        gpu("rtx-4090-24gb"),
        &Workload {
            flash_attention: false,
            ..on(Engine::LlamaCpp)
        },
    )
    .unwrap();
    assert!(cmd.one_line().contains("-fa off"), "{}", cmd.one_line());
}

/// developer0hye/llama-3-korean-bllossom-8b-q4-docker (Llama-3-8B Q4_K_M, all 33 layers on an
/// RTX 3070): "CUDA0 buffer size = 4403.49 MiB" and "CPU buffer size = 281.81 MiB" — the token
/// embedding stays in system RAM (`llama-model.cpp`: the input layer is never offloaded).
#[test]
fn llama_cpp_keeps_the_token_embedding_and_cpu_layers_in_system_ram() {
    let m = model("meta-llama/Meta-Llama-3-8B");
    let w = Workload {
        context: 512,
        ..on(Engine::LlamaCpp)
    };
    let p = plan(&m.config, WeightFormat::Q4KM, gpu("rtx-3070-8gb"), &w).unwrap();
    let mib = |b: u64| (b as f64 / MIB as f64 * 100.0).round() / 100.0;
    assert_eq!((mib(p.weights_bytes), mib(p.host_bytes)), (4403.49, 281.81));
    // -ngl 16: the last 16 of 32 layers on the GPU, the output layer and half the cache not.
    let half = Workload {
        gpu_layers: Some(16),
        context: 8192,
        ..on(Engine::LlamaCpp)
    };
    let full = Workload {
        context: 8192,
        ..half.clone()
    };
    let full = plan(
        &m.config,
        WeightFormat::Q4KM,
        gpu("rtx-3070-8gb"),
        &Workload {
            gpu_layers: None,
            ..full
        },
    )
    .unwrap();
    let part = plan(&m.config, WeightFormat::Q4KM, gpu("rtx-3070-8gb"), &half).unwrap();
    assert_eq!(part.kv_cache_bytes * 2, full.kv_cache_bytes);
    assert_eq!(
        part.weights_bytes + part.host_bytes + part.kv_cache_bytes,
        full.weights_bytes + full.host_bytes + full.kv_cache_bytes
    );
    assert!(part.weights_bytes < full.weights_bytes / 2);
    let cmd = launch_command(
        &m.id,
        &m.config,
        WeightFormat::Q4KM,
        gpu("rtx-3070-8gb"),
        &half,
    )
    .unwrap();
    assert!(cmd.one_line().contains("-ngl 16"), "{}", cmd.one_line());
    // --n-cpu-moe 12: gpt-oss-20b's first 12 layers keep their experts in system RAM.
    let g = model("openai/gpt-oss-20b");
    let moe = Workload {
        cpu_moe_layers: 12,
        ..on(Engine::LlamaCpp)
    };
    let all = plan(
        &g.config,
        WeightFormat::Native,
        gpu("rtx-3070-8gb"),
        &on(Engine::LlamaCpp),
    )
    .unwrap();
    let some = plan(&g.config, WeightFormat::Native, gpu("rtx-3070-8gb"), &moe).unwrap();
    assert!(
        some.weights_bytes + 4 * GIB < all.weights_bytes,
        "{} {}",
        some.weights_bytes,
        all.weights_bytes
    );
    assert_eq!(
        some.weights_bytes + some.host_bytes,
        all.weights_bytes + all.host_bytes
    );
    let cmd = launch_command(
        &g.id,
        &g.config,
        WeightFormat::Native,
        gpu("rtx-3070-8gb"),
        &moe,
    )
    .unwrap();
    assert!(
        cmd.one_line().contains("--n-cpu-moe 12"),
        "{}",
        cmd.one_line()
    );
}

/// On Apple silicon the GGUF is mapped once into unified memory: a tied model's output layer is
/// the same bytes as its token embedding, not a second copy as on a CUDA GPU.
#[test]
fn unified_memory_maps_a_tied_embedding_once() {
    let m = model("google/gemma-3-4b-it");
    assert!(m.config.tie_word_embeddings);
    let cuda = plan(
        &m.config,
        WeightFormat::Q4KM,
        gpu("rtx-4090-24gb"),
        &on(Engine::LlamaCpp),
    )
    .unwrap();
    let metal = plan(
        &m.config,
        WeightFormat::Q4KM,
        gpu("apple-m2-max-96gb"),
        &on(Engine::LlamaCpp),
    )
    .unwrap();
    // CUDA: token_embd in system RAM and its duplicate as the GPU's output layer.
    assert_eq!(metal.weights_bytes, cuda.weights_bytes);
    assert_eq!(metal.host_bytes, 0);
    assert!(cuda.host_bytes > 0);
}

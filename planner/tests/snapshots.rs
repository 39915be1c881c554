//! Snapshot tests (insta): whole grids for a few scenarios, as the CLI and the exports show
//! them. A change to any number, word or symbol shows up as a reviewable diff in
//! `planner/tests/snapshots/`; accept an intended one with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test -p planner --test snapshots`).

use planner::grid::export::{to_csv, to_markdown};
use planner::{catalog, evaluate, GridConfig};

/// The grid of a link's query as Markdown (every cell's symbol, value and band) and CSV.
fn grid_of(query: &str) -> String {
    let (config, ignored) = GridConfig::from_query(query, catalog());
    assert!(ignored.is_empty(), "{ignored:?}");
    let grid = evaluate(&config, catalog());
    format!(
        "{}\n{}",
        to_markdown(&grid, &config, ""),
        to_csv(&grid, &config, "")
    )
}

#[test]
fn seed_study_grid() {
    insta::assert_snapshot!(grid_of(""));
}

#[test]
fn long_context_many_users_on_sglang_and_llama_cpp() {
    insta::assert_snapshot!(grid_of(
        "m=meta-llama/Llama-3.1-8B-Instruct,Qwen/Qwen2.5-7B-Instruct&g=rtx-4090-24gb,l40s-48gb,h100-sxm-80gb\
         &q=bf16,fp8,q4_k_m&ctx=32768&n=8&e=sglang"
    ));
    insta::assert_snapshot!(grid_of(
        "m=meta-llama/Llama-3.1-8B-Instruct&g=rtx-3090-24gb,rtx-4090-24gb&q=q8_0,q4_k_m&ctx=16384&n=4&kv=q8_0&e=llama.cpp"
    ));
}

#[test]
fn max_context_and_cost_modes() {
    insta::assert_snapshot!(grid_of(
        "m=meta-llama/Llama-3.3-70B-Instruct&g=h100-sxm-80gb,a100-sxm4-80gb,l40s-48gb&q=bf16,fp8,awq&ctx=8192&n=4&mode=cost"
    ));
    insta::assert_snapshot!(grid_of(
        "m=Qwen/Qwen2.5-0.5B,meta-llama/Llama-2-13b-hf&g=rtx-3090-24gb,h100-sxm-80gb&q=fp16,awq&n=16&mode=ctx&bands=50,70,85"
    ));
}

//! Replays published llama.cpp decode speeds with part of the model in system RAM
//! (`data/speed_offload.csv`: `-ngl` below the layer count, or `--n-cpu-moe`), each with its
//! page and quoted line. llama.cpp's GPU efficiency comes from the single-GPU llama-bench rows,
//! its CPU share of RAM bandwidth from a published rule (`engines::llama_cpp::HOST_MEMORY`), the
//! cost of a layer whose experts are in RAM from the one row of llmfit#755
//! (`HOST_ROUND_TRIP_S`); the error that counts is on the other rows. `--nocapture` prints them.

mod common;
use common::data_rows;
use planner::catalog::Gpu;
use planner::{catalog, plan, Engine, WeightFormat, Workload};

#[test]
fn offloaded_decode_replays_published_runs() {
    let mut errors = Vec::new();
    for r in data_rows("speed_offload.csv") {
        let value: f64 = r.num("value").unwrap();
        assert!(r["quote"].contains(&r["value"]), "{r:?}");
        let m = catalog().model(&r["catalog_model"]).unwrap();
        let format = match &r["weight_format"] {
            "MXFP4" => WeightFormat::Mxfp4,
            _ => WeightFormat::Q4KM,
        };
        // The source's GPU (not in the catalogue) by the bandwidth it states; memory large
        // enough that the plan is priced (the row says it ran).
        let gpu = Gpu {
            id: "row-gpu".into(),
            name: r["gpu"].into(),
            class: "consumer".into(),
            memory_bytes: 8 << 30,
            bandwidth_gbps: Some(r.num("gpu_bandwidth_gb_s").unwrap()),
            ..Gpu::default()
        };
        let w = Workload {
            engine: Engine::LlamaCpp,
            // llmfit's bench: ctx 4096, one slot, short prompts and generations.
            context: 512,
            concurrency: 1,
            gpu_layers: r.num("gpu_layers"),
            cpu_moe_layers: r.num("cpu_moe_layers").unwrap(),
            system_bandwidth_gbps: Some(r.num("ram_bandwidth_gb_s").unwrap()),
            ..Workload::default()
        };
        let p = plan(&m.config, format, &gpu, &w).unwrap();
        assert!(p.host_bytes > 0, "{} keeps part in RAM", m.id);
        let s = p.speed.expect("a speed with the RAM bandwidth given");
        let e = s.decode_tokens_per_s / value - 1.0;
        println!(
            "{} {}: measured {value:.1}, planned {:.1} ({:+.0} %)",
            m.id,
            r["notes"].rsplit(" | ").next().unwrap_or(""),
            s.decode_tokens_per_s,
            100.0 * e
        );
        if !r["source_url"].ends_with("/pull/755") {
            errors.push(e.abs());
        }
    }
    let mean = errors.iter().sum::<f64>() / errors.len() as f64;
    println!(
        "offload decode, held out: n {}, mean {:.1} %",
        errors.len(),
        100.0 * mean
    );
    assert!(errors.len() >= 7);
    assert!(mean <= 0.25, "{mean}");
}

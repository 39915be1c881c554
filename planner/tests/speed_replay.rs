//! Replays the published llama.cpp speed measurements of `data/speed.csv` (llama-bench tg/pp
//! rows) through the speed model. llama.cpp's efficiencies were taken from one named subset
//! (the single-GPU Llama-3-8B rows of XiongjieDai/GPU-Benchmarks-on-LLM-Inference); the error
//! that counts is the one on every other row, which the model never saw. The naive roofline
//! (bandwidth ÷ weight bytes) is printed beside it. Run with `--nocapture` for every row.

mod common;
use common::data_rows;
use planner::catalog::Gpu;
use planner::plan::speed::speed;
use planner::{catalog, plan, Engine, WeightFormat, Workload};

struct Row {
    url: String,
    model: String,
    format: String,
    gpu: String,
    gpus: u64,
    depth: u64,
    metric: String,
    value: f64,
    notes: String,
    /// llama-bench's micro-batch (`-ub`), tokens.
    batch: u64,
}

fn rows() -> Vec<Row> {
    data_rows("speed.csv")
        .into_iter()
        .filter(|r| &r["engine"] == "llama.cpp")
        .map(|r| {
            let num = |c: &str| r.num::<u64>(c).unwrap_or(0);
            let metric = r["metric"].to_string();
            // Decode rows average over the generated tokens: half of them deep on average.
            let depth = if metric == "prefill_tps" {
                num("prompt_tokens")
            } else {
                num("prompt_tokens") + num("gen_tokens") / 2
            };
            Row {
                url: r["source_url"].into(),
                model: r["model_id"].into(),
                format: r["weight_format"].into(),
                gpu: r["gpu"].into(),
                gpus: num("num_gpus").max(1),
                depth,
                metric,
                value: r.num("value").unwrap(),
                notes: r["notes"].into(),
                batch: num("batch"),
            }
        })
        .collect()
}

/// The catalogue model a row ran (by the name the source gives).
fn model_of(name: &str) -> Option<&'static str> {
    let table = [
        ("Meta-Llama-3-8B", "meta-llama/Meta-Llama-3-8B"),
        ("Meta-Llama-3-70B", "meta-llama/Meta-Llama-3-70B"),
        ("Llama-2-7B", "meta-llama/Llama-2-7b-hf"),
        ("Llama-3-8B", "meta-llama/Meta-Llama-3-8B"),
        ("Llama-3.3-70B", "meta-llama/Llama-3.3-70B-Instruct"),
        ("Llama-3.2-1B", "meta-llama/Llama-3.2-1B"),
        ("gpt-oss-20b", "openai/gpt-oss-20b"),
        ("gpt-oss-120b", "openai/gpt-oss-120b"),
        ("Qwen3-30B-A3B", "Qwen/Qwen3-30B-A3B"),
        ("DeepSeek-V2-Lite", "deepseek-ai/DeepSeek-V2-Lite"),
    ];
    table
        .iter()
        .find(|(k, _)| name.starts_with(k))
        .map(|(_, id)| *id)
}

fn format_of(name: &str) -> Option<WeightFormat> {
    let table = [
        ("Q4_K_M", WeightFormat::Q4KM),
        ("Q8_0", WeightFormat::Q8_0),
        ("Q4_0", WeightFormat::Q4_0),
        ("F16", WeightFormat::Fp16),
        ("BF16", WeightFormat::Bf16),
        ("MXFP4", WeightFormat::Mxfp4),
    ];
    table
        .iter()
        .find(|(k, _)| name.starts_with(k))
        .map(|(_, f)| *f)
}

/// The GPU a row ran on: a catalogue entry, or an Apple chip whose bandwidth the row names
/// ("Apple M4 Max (40-core GPU, 546 GB/s)").
fn gpu_of(name: &str) -> Option<Gpu> {
    let table = [
        ("RTX 3070", "rtx-3070-8gb"),
        ("RTX 3080", "rtx-3080-10gb"),
        ("RTX 3090", "rtx-3090-24gb"),
        ("RTX 4090", "rtx-4090-24gb"),
        ("RTX 6000 Ada", "rtx-6000-ada-48gb"),
        ("A100-SXM4-80GB", "a100-sxm4-80gb"),
        ("A40", "a40-48gb"),
        ("RTX A6000", "rtx-a6000-48gb"),
        ("RTX A5000", "rtx-a5000-24gb"),
        ("L40S", "l40s-48gb"),
        ("Apple M2 Ultra 76-core", "apple-m2-ultra-192gb"),
        ("RTX 5080", "rtx-5080-16gb"),
        ("RTX 5090", "rtx-5090-32gb"),
        ("RTX 2080 Ti", "rtx-2080-ti-11gb"),
        ("Tesla P40", "tesla-p40-24gb"),
    ];
    if let Some((_, id)) = table.iter().find(|(k, _)| name.starts_with(k)) {
        return catalog().gpu(id).ok().cloned();
    }
    let gbs = name.strip_prefix("Apple ")?.split(", ").nth(1)?;
    let bandwidth = gbs.strip_suffix(" GB/s)")?.parse().ok()?;
    Some(Gpu {
        arch: "apple".into(),
        memory_bytes: 1 << 40,
        bandwidth_gbps: Some(bandwidth),
        ..Gpu::default()
    })
}

/// (measured, planned, naive roofline) for a row, or why it is not replayed.
fn replay(r: &Row) -> Result<(f64, f64, Option<f64>), &'static str> {
    if r.notes.contains("-ub 1") || r.notes.contains("ub1") {
        // llama-bench pp with one-token micro-batches: no sampling, not a tg measurement.
        return Err("micro-batch sweep");
    }
    if r.metric == "prefill_tps" && r.batch < 512 {
        // Prefill in micro-batches of a few tokens is bound by reading the weights, not by
        // compute: a sweep of `-ub`, not the pp512 the model predicts.
        return Err("micro-batch sweep");
    }
    if r.notes.contains("anomal") || r.notes.contains("ANOMAL") || r.notes.contains("suspicious") {
        // Rows the source's own numbers contradict (flagged in the data file's notes).
        return Err("flagged in the data");
    }
    let cat = catalog();
    let model = cat
        .model(model_of(&r.model).ok_or("model")?)
        .map_err(|_| "model")?;
    let format = format_of(&r.format).ok_or("format")?;
    let gpu = gpu_of(&r.gpu).ok_or("gpu")?;
    let w = Workload {
        engine: Engine::LlamaCpp,
        context: r.depth.max(512),
        concurrency: 1,
        tensor_parallel: r.gpus,
        ..Workload::default()
    };
    let p = plan(&model.config, format, &gpu, &w).map_err(|_| "unsupported")?;
    let s = speed(&model.config, format, &gpu, &w, &p).map_err(|_| "no speed")?;
    let bandwidth = gpu.bandwidth_gbps.ok_or("bandwidth")? as f64 * 1e9;
    let bytes = (p.weights_bytes * w.tensor_parallel) as f64;
    match r.metric.as_str() {
        "decode_tps_per_seq" => Ok((r.value, s.decode_tokens_per_s, Some(bandwidth / bytes))),
        "prefill_tps" => Ok((r.value, s.prefill_tokens_per_s.ok_or("no TFLOPS")?, None)),
        _ => Err("metric"),
    }
}

fn calibration(r: &Row) -> bool {
    r.url.contains("XiongjieDai") && r.model.starts_with("Meta-Llama-3-8B") && r.gpus == 1
}

#[test]
fn llama_cpp_speed_replays_published_llama_bench_rows() {
    let mut errors: Vec<(String, bool, f64, Option<f64>)> = Vec::new();
    for r in rows() {
        match replay(&r) {
            Ok((measured, planned, naive)) => {
                let e = (planned - measured).abs() / measured;
                let n = naive.map(|n| (n - measured).abs() / measured);
                println!(
                    "{} {} {} ×{} depth {} {}: measured {measured:.1}, planned {planned:.1} ({:+.0} %) {}",
                    r.model, r.format, r.gpu, r.gpus, r.depth, r.metric,
                    100.0 * (planned / measured - 1.0),
                    if calibration(&r) { "[calibration]" } else { "" }
                );
                errors.push((r.metric.clone(), calibration(&r), e, n));
            }
            Err(why) => println!("not replayed ({why}): {} {} {}", r.model, r.format, r.gpu),
        }
    }
    let summary = |metric: &str, cal: bool| {
        let e: Vec<_> = errors
            .iter()
            .filter(|x| x.0 == metric && x.1 == cal)
            .collect();
        let mean = e.iter().map(|x| x.2).sum::<f64>() / e.len().max(1) as f64;
        let max = e.iter().map(|x| x.2).fold(0.0, f64::max);
        let naive: Vec<f64> = e.iter().filter_map(|x| x.3).collect();
        let naive = if naive.is_empty() {
            "—".to_string()
        } else {
            format!(
                "{:.1} %",
                100.0 * naive.iter().sum::<f64>() / naive.len() as f64
            )
        };
        println!(
            "| llama.cpp {metric} {} | {} | {:.1} % | {:.1} % | naive {naive} |",
            if cal { "calibration" } else { "held out" },
            e.len(),
            100.0 * mean,
            100.0 * max,
        );
        (e.len(), mean)
    };
    summary("decode_tps_per_seq", true);
    let (n, decode) = summary("decode_tps_per_seq", false);
    summary("prefill_tps", true);
    let (m, prefill) = summary("prefill_tps", false);
    assert!(
        n >= 30 && m >= 4,
        "{n} decode and {m} prefill rows held out"
    );
    assert!(decode <= 0.15, "decode mean error {decode}");
    assert!(prefill <= 0.25, "prefill mean error {prefill}");
}

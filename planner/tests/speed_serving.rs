//! Replays published vLLM and SGLang decode measurements (`data/speed_serving.csv`: TPOT, ITL
//! or per-request decode rate, each with its page and quoted line) through the speed model.
//! vLLM's efficiency comes from the three rows marked `calibration` (Llama-3.1-8B at batch 1
//! on an A100 40GB and an H100, gpt-oss-20b on an H200); the error that counts is on every
//! other row. The naive roofline
//! (bandwidth ÷ the bytes a token reads) is printed beside it. `--nocapture` prints each row.

use planner::{catalog, plan, Engine, WeightFormat, Workload};

struct Row {
    engine: Engine,
    model: String,
    gpu: String,
    tp: u64,
    concurrency: u64,
    depth: u64,
    metric: String,
    value: f64,
    calibration: bool,
}

fn rows() -> Vec<Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/speed_serving.csv");
    let mut reader = csv::Reader::from_path(path).expect("speed_serving.csv readable");
    let h = reader.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let c = [
        "engine",
        "catalog_model",
        "catalog_gpu",
        "tp",
        "concurrency",
        "depth_tokens",
        "metric",
        "value",
        "role",
        "source_url",
        "quote",
    ]
    .map(col);
    reader
        .records()
        .map(|r| r.unwrap())
        .map(|r| {
            // Every row carries its source and the line its value was read from.
            assert!(r[c[9]].starts_with("https://"), "{r:?}");
            let value = &r[c[7]];
            let shown = value.trim_end_matches('0').trim_end_matches('.');
            assert!(
                r[c[10]].contains(shown),
                "value {value} not in its quote: {r:?}"
            );
            Row {
                engine: match &r[c[0]] {
                    "SGLang" => Engine::Sglang,
                    _ => Engine::Vllm,
                },
                model: r[c[1]].into(),
                gpu: r[c[2]].into(),
                tp: r[c[3]].parse().unwrap(),
                concurrency: r[c[4]].parse().unwrap(),
                depth: r[c[5]].parse().unwrap(),
                metric: r[c[6]].into(),
                value: value.parse().unwrap(),
                calibration: &r[c[8]] == "calibration",
            }
        })
        .collect()
}

/// Measured and planned decode tokens/s per sequence, and the naive roofline's.
fn replay(r: &Row) -> (f64, f64, f64) {
    let cat = catalog();
    let m = cat.model(&r.model).unwrap();
    let gpu = cat.gpu(&r.gpu).unwrap();
    let w = Workload {
        engine: r.engine,
        context: r.depth,
        concurrency: r.concurrency,
        tensor_parallel: r.tp,
        // The measured servers ran with room for the batch: their own budgets, not the
        // question here.
        gpu_memory_utilization: 0.95,
        ..Workload::default()
    };
    let p = plan(&m.config, WeightFormat::Native, gpu, &w).unwrap();
    let s = p.speed.expect("vLLM and SGLang have a decode efficiency");
    let measured = match r.metric.as_str() {
        "tpot_ms" => 1e3 / r.value,
        "decode_step_latency_s" => 1.0 / r.value,
        "decode_tps_per_seq" => r.value,
        other => panic!("metric {other}"),
    };
    let naive = gpu.bandwidth_gbps.unwrap() as f64 * 1e9 / p.weights_bytes as f64;
    (measured, s.decode_tokens_per_s, naive)
}

#[test]
fn serving_decode_replays_published_runs() {
    let mut batch1 = Vec::new();
    let mut batched = Vec::new();
    for r in rows() {
        let (measured, planned, naive) = replay(&r);
        let e = (planned - measured).abs() / measured;
        let n = (naive - measured).abs() / measured;
        println!(
            "{:?} {} {} TP{} ×{} depth {}: measured {measured:.1} t/s, planned {planned:.1} ({:+.0} %), naive {naive:.1}{}",
            r.engine,
            r.model,
            r.gpu,
            r.tp,
            r.concurrency,
            r.depth,
            100.0 * (planned / measured - 1.0),
            if r.calibration { " [calibration]" } else { "" }
        );
        if !r.calibration {
            if r.concurrency == 1 {
                let cfg = &catalog().model(&r.model).unwrap().config;
                batch1.push((e, n, cfg.moe.is_none()));
            } else {
                batched.push((e, n, false));
            }
        }
    }
    let mean = |v: &[(f64, f64, bool)], i: usize| {
        v.iter()
            .map(|x| if i == 0 { x.0 } else { x.1 })
            .sum::<f64>()
            / v.len() as f64
    };
    let max = |v: &[(f64, f64, bool)]| v.iter().map(|x| x.0).fold(0.0, f64::max);
    let dense: Vec<_> = batch1.iter().copied().filter(|x| x.2).collect();
    for (name, v) in [
        ("batch 1, dense", &dense),
        ("batch 1", &batch1),
        ("batched", &batched),
    ] {
        println!(
            "{name}, held out: n {}, mean {:.1} %, max {:.1} %, naive {:.1} %",
            v.len(),
            100.0 * mean(v, 0),
            100.0 * max(v),
            100.0 * mean(v, 1)
        );
    }
    // Dense models: within 15 %. MoE layers' fixed cost differs by engine and kernel (SGLang's
    // gpt-oss at TP 8 runs 2.3× faster than vLLM's per layer; ROCm's slower): the bound says
    // what is measured, and fails if the model gets worse. Batched serving rows mix other
    // requests' prefill into the TPOT they report; they are printed, not bounded.
    assert!(dense.len() >= 2 && batch1.len() >= 6);
    assert!(mean(&dense, 0) <= 0.15, "{}", mean(&dense, 0));
    assert!(mean(&batch1, 0) <= 0.35, "{}", mean(&batch1, 0));
    assert!(mean(&batch1, 0) < mean(&batch1, 1));
}

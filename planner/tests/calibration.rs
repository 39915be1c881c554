//! Replays every vLLM V1 run of the measured engine logs through the planner.
//!
//! Data: `planner/tests/data/measured.csv` (docs/decisions.md#d10; set
//! `FITGRID_MEASURED_CSV` to replay another file of the same columns). For each run the planner
//! predicts, from the model's config.json, the GPU and the run's flags only:
//! - `weights_gib`: vLLM "Model loading took X GiB" (per GPU);
//! - KV bytes per token per GPU: "Available KV cache memory" / "GPU KV cache size" (PP = 1);
//! - `kv_cache_tokens`: "GPU KV cache size: N tokens" (engine-wide).
//!
//! It fails if a metric's mean absolute percentage error exceeds its bound (weights 1 %, KV
//! bytes/token 1 %, KV capacity 5 %). Runs or metrics it cannot model are listed with the reason.
//! Reproduce the README table: `cargo test -p planner --test calibration -- --nocapture`.

mod common;

use common::number_after;
use planner::catalog::catalog;
use planner::engines::VllmRelease;
use planner::model::kv_cache::KvDtype;
use planner::plan::{plan, Workload};
use planner::units::GIB;
use planner::{Engine, WeightFormat};
use std::collections::BTreeMap;

#[derive(Default)]
struct Run {
    model: String,
    version: String,
    format: String,
    gpu: String,
    notes: String,
    context: String,
    kv: String,
    metrics: BTreeMap<String, f64>,
}

fn load_runs() -> Vec<Run> {
    let path = std::env::var("FITGRID_MEASURED_CSV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/measured.csv").into());
    let mut reader = csv::Reader::from_path(&path).expect("measured.csv readable");
    let mut runs: BTreeMap<String, Run> = BTreeMap::new();
    for rec in reader.records() {
        let rec = rec.expect("csv record");
        let f = |i: usize| rec.get(i).unwrap_or("").to_string();
        // source_url,engine,engine_version,model_id,weight_format,gpu,num_gpus,max_context,
        // batch_or_concurrency,kv_dtype,metric,value,unit,quote,notes
        if !f(1).starts_with("vLLM (V1)") {
            continue;
        }
        let notes = f(14);
        let run_key = notes.split(';').next().unwrap_or("").to_string();
        let key = [f(0), f(2), f(3), f(4), f(5), f(7), f(9), run_key].join("|");
        let run = runs.entry(key).or_insert_with(|| Run {
            model: f(3),
            version: f(2),
            format: f(4),
            gpu: f(5),
            notes: notes.clone(),
            context: f(7),
            kv: f(9),
            ..Run::default()
        });
        if let Ok(v) = f(11).trim().parse::<f64>() {
            let metric = f(10);
            if metric == "kv_cache_gib_for_N_tokens" {
                run.metrics.insert("kv_pool_gib".into(), v);
            } else {
                run.metrics.insert(metric, v);
            }
        }
    }
    runs.into_values().collect()
}

fn format_of(s: &str) -> WeightFormat {
    let s = s.to_ascii_lowercase();
    if s.starts_with("bf16") {
        WeightFormat::Bf16
    } else if s.starts_with("fp16") {
        WeightFormat::Fp16
    } else if s.starts_with("fp32") {
        WeightFormat::Fp32
    } else if s.contains("online --quantization fp8") {
        WeightFormat::Fp8
    } else {
        WeightFormat::Native
    }
}

fn gpu_of(s: &str) -> Option<&'static str> {
    if s.contains("H100") {
        Some("h100-sxm-80gb")
    } else if s.contains("A100 80GB") {
        Some("a100-sxm4-80gb")
    } else if s.contains("A100 40GB") {
        Some("a100-sxm4-40gb")
    } else {
        None
    }
}

/// A GPU of the run's architecture when its memory size is not stated: weights depend on the
/// architecture (vLLM's MXFP4 kernels pad by GPU generation), not on the size.
fn arch_of(s: &str) -> Option<&'static str> {
    if s.contains("A100") {
        Some("a100-sxm4-80gb")
    } else if s.contains("3090") {
        Some("rtx-3090-24gb")
    } else if s.contains("B200") {
        Some("b200-180gb")
    } else {
        None
    }
}

#[derive(Default)]
struct Stat {
    errors: Vec<f64>,
}

impl Stat {
    fn add(&mut self, predicted: f64, measured: f64) -> f64 {
        let e = (predicted - measured).abs() / measured * 100.0;
        self.errors.push(e);
        e
    }
    fn mean(&self) -> f64 {
        self.errors.iter().sum::<f64>() / self.errors.len().max(1) as f64
    }
    fn max(&self) -> f64 {
        self.errors.iter().cloned().fold(0.0, f64::max)
    }
}

#[test]
fn vllm_v1_runs_replay_within_bounds() {
    let cat = catalog();
    let (mut weights, mut per_token, mut capacity) =
        (Stat::default(), Stat::default(), Stat::default());
    let mut skipped = Vec::new();
    let mut lines = Vec::new();
    let runs = load_runs();
    assert!(
        runs.len() >= 30,
        "expected the vLLM V1 runs, found {}",
        runs.len()
    );
    for run in &runs {
        let label = format!(
            "{} {} {} [{}]",
            run.model,
            run.format,
            run.gpu,
            run.notes.split(';').next().unwrap_or("")
        );
        let Ok(model) = cat.model(&run.model) else {
            skipped.push(format!("{label}: model not in the catalogue"));
            continue;
        };
        let tp = number_after(&run.notes, "TP=").unwrap_or(1.0) as u64;
        let pp = number_after(&run.notes, "PP=").unwrap_or(1.0) as u64;
        let util = number_after(&run.notes, "gpu_memory_utilization")
            .or_else(|| number_after(&run.notes, "--gpu-memory-utilization"));
        let format = format_of(&run.format);
        let kv_dtype = if run.kv.starts_with("fp8") {
            KvDtype::Fp8
        } else {
            KvDtype::Auto
        };
        let context = run.context.parse::<u64>().unwrap_or(4096);
        let workload = Workload {
            engine: Engine::Vllm,
            context,
            concurrency: 1,
            kv_dtype,
            tensor_parallel: tp,
            pipeline_parallel: pp,
            gpu_memory_utilization: util.unwrap_or(0.9),
            // The run's own release: before 0.16 the sampler's dummy run sorts.
            vllm_release: VllmRelease::parse(&run.version).unwrap_or_default(),
            ..Workload::default()
        };
        // Weights do not depend on the GPU: replay them even when the GPU is unknown.
        let gpu = gpu_of(&run.gpu).and_then(|id| cat.gpu(id).ok());
        let any_gpu = arch_of(&run.gpu)
            .and_then(|id| cat.gpu(id).ok())
            .unwrap_or_else(|| cat.gpu("h100-sxm-80gb").expect("H100 in catalogue"));
        let p = plan(&model.config, format, gpu.unwrap_or(any_gpu), &workload).expect("plannable");
        if let Some(&w) = run.metrics.get("weights_gib") {
            let e = weights.add(p.weights_bytes as f64, w * GIB as f64);
            lines.push(format!(
                "weights   {label}: measured {w:.2} GiB, planned {:.2} GiB ({e:.2} %)",
                p.weights_bytes as f64 / GIB as f64
            ));
        }
        if let (Some(&pool), Some(&n)) = (
            run.metrics.get("kv_pool_gib"),
            run.metrics.get("kv_cache_tokens"),
        ) {
            if pp == 1 {
                let measured = pool * GIB as f64 / n;
                let e = per_token.add(p.kv_bytes_per_token as f64, measured);
                lines.push(format!(
                    "kv/token  {label}: measured {measured:.0} B, planned {} B ({e:.2} %)",
                    p.kv_bytes_per_token
                ));
            } else {
                skipped.push(format!("{label}: KV bytes/token not derived at PP {pp} (the GiB pool is rank 0's, the token count the smallest rank's)"));
            }
        }
        match (run.metrics.get("kv_cache_tokens"), gpu, util) {
            (Some(&n), Some(_), Some(_)) => {
                let e = capacity.add(p.kv_capacity_tokens as f64, n);
                lines.push(format!("capacity  {label}: measured {n:.0} tokens, planned {} ({e:.2} %)", p.kv_capacity_tokens));
            }
            (Some(_), None, _) => skipped.push(format!("{label}: KV capacity not replayed, the GPU model/size is not stated")),
            (Some(_), _, None) => skipped.push(format!("{label}: KV capacity not replayed, gpu_memory_utilization not stated")),
            (None, None, _) if run.metrics.contains_key("kv_cache_gib_available") => skipped.push(format!(
                "{label}: KV pool not replayed, the GPU model/size is not stated"
            )),
            (None, _, _) if run.metrics.contains_key("kv_cache_gib_available") => skipped.push(format!(
                "{label}: only the KV pool in GiB is reported (no token count); its {} profile run is not replayed",
                run.version
            )),
            _ => {}
        }
    }
    println!("{}", lines.join("\n"));
    println!("\nnot replayed:\n- {}", skipped.join("\n- "));
    println!("\n| metric | n | mean abs. error | max abs. error | bound |\n|---|---|---|---|---|");
    for (name, s, bound) in [
        ("weights (GiB per GPU)", &weights, 1.0),
        ("KV bytes per token", &per_token, 1.0),
        ("KV capacity (tokens)", &capacity, 5.0),
    ] {
        println!(
            "| {name} | {} | {:.2} % | {:.2} % | {bound} % |",
            s.errors.len(),
            s.mean(),
            s.max()
        );
    }
    assert!(
        weights.errors.len() >= 20 && per_token.errors.len() >= 15 && capacity.errors.len() >= 15
    );
    assert!(
        weights.mean() <= 1.0,
        "weights MAPE {:.2} %",
        weights.mean()
    );
    assert!(
        per_token.mean() <= 1.0,
        "KV bytes/token MAPE {:.2} %",
        per_token.mean()
    );
    assert!(
        capacity.mean() <= 5.0,
        "KV capacity MAPE {:.2} %",
        capacity.mean()
    );
}

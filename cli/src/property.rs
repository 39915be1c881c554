//! The CLI never contradicts itself: over random catalogue scenarios (every engine, format and
//! KV cache type, TP 1–8, context 512–131,072, 1–64 sequences, any GPU), `fits` holds exactly
//! when `status` is a band, a plan that fits has `max_concurrency ≥ concurrency` and
//! `max_context ≥ max_context asked`, one that does not has a reason and one of them below what
//! was asked, and every `to_fit` entry fits when its overrides are planned.

use crate::scenario::Scenario;
use planner::catalog;
use planner::engines::ALL_ENGINES;
use planner::model::format::ALL_FORMATS;
use planner::model::kv_cache::ALL_KV_DTYPES;
use serde_json::{json, Value};

/// A small deterministic generator (SplitMix64): the same scenarios on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The scenario's plan as the CLI prints it (`None`: the scenario itself is refused, e.g. a TP
/// that does not divide the heads, which `fitgrid plan` rejects with exit status 2).
fn plan_of(input: &Value) -> Option<Value> {
    let s = Scenario::from_json_str(&input.to_string(), catalog()).ok()?;
    Some(s.plan_json(&catalog().gpus).expect("a plan serialises"))
}

fn check(input: &Value, out: &Value) {
    let fits = out["fits"].as_bool().unwrap();
    let status = out["status"].as_str().unwrap();
    let reason = out["reason"].as_str().unwrap();
    let bands = ["safe", "caution", "warning", "critical"];
    assert_eq!(fits, bands.contains(&status), "{input} → {out}");
    assert_eq!(fits, reason == "fits", "{input} → {out}");
    assert!(!out["reason_text"].as_str().unwrap().is_empty());
    if status == "unsupported" {
        assert!(out["command"].is_null(), "{input}");
        return;
    }
    let (ctx, n) = (
        out["context"].as_u64().unwrap(),
        out["concurrency"].as_u64().unwrap(),
    );
    let (max_ctx, max_n) = (
        out["max_context"].as_u64().unwrap(),
        out["max_concurrency"].as_u64().unwrap(),
    );
    assert!(
        max_ctx <= out["model_max_context"].as_u64().unwrap(),
        "{out}"
    );
    if fits {
        assert!(max_n >= n && max_ctx >= ctx, "{input} → {out}");
    } else {
        assert!(max_n < n || max_ctx < ctx, "{input} → {out}");
        assert_eq!(status, "does-not-fit");
    }
    let limited = out["max_context_limited_by"].as_str().unwrap();
    assert_eq!(
        limited == "model",
        max_ctx > 0 && max_ctx == out["model_max_context"].as_u64().unwrap(),
        "{out}"
    );
}

#[test]
fn the_cli_never_contradicts_itself() {
    let cat = catalog();
    let mut rng = Rng(0x05EE_DF17);
    let (mut planned, mut fitted, mut suggested, mut unsupported) = (0, 0, 0, 0);
    for _ in 0..1500 {
        let model = &rng.pick(&cat.models).id;
        let gpu = &rng.pick(&cat.gpus).id;
        let engine = rng.pick(&ALL_ENGINES).id();
        // Half the draws at the model's own format and cache and a power-of-two TP, so plans
        // that run are as common as ones that do not.
        let usual = rng.below(2) == 0;
        let format = if usual {
            "native"
        } else {
            rng.pick(&ALL_FORMATS).id()
        };
        let kv = if usual {
            "auto"
        } else {
            rng.pick(&ALL_KV_DTYPES).id()
        };
        let tp = if usual {
            1 << rng.below(4)
        } else {
            1 + rng.below(8)
        };
        // Contexts spread over 512–131,072 on a log scale, so short and long are both common.
        let ctx = (512f64 * 256f64.powf(rng.below(1000) as f64 / 999.0)) as u64;
        let n = 1 + rng.below(64);
        let input = json!({
            "model": model, "gpu": gpu, "engine": engine, "weights": format,
            "kv_cache_dtype": kv, "tensor_parallel": tp, "max_context": ctx, "concurrency": n,
        });
        let Some(out) = plan_of(&input) else {
            continue;
        };
        planned += 1;
        check(&input, &out);
        fitted += usize::from(out["fits"] == true);
        unsupported += usize::from(out["status"] == "unsupported");
        for s in out["to_fit"].as_array().unwrap() {
            let mut changed = input.clone();
            for (k, v) in s.as_object().unwrap() {
                if k != "label" {
                    changed[k] = v.clone();
                }
            }
            let after = plan_of(&changed).unwrap_or_else(|| panic!("{changed} is refused"));
            check(&changed, &after);
            assert_eq!(after["fits"], true, "{} from {input}: {after}", s["label"]);
            suggested += 1;
        }
    }
    // The random draw covers every verdict: plans that fit, that do not, unsupported ones and
    // suggestions (the counts are printed with --nocapture).
    println!("{planned} planned, {fitted} fit, {unsupported} unsupported, {suggested} suggestions verified");
    assert!(planned > 1000 && fitted > 200 && unsupported > 100 && suggested > 500);
}

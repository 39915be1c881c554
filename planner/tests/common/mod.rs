//! Lookups the planner's integration tests share. Each test binary uses a part of them.
#![allow(dead_code)]

use planner::catalog::{catalog, Gpu, Model};
use planner::plan::Workload;
use planner::Engine;

/// A catalogue model.
pub fn model(id: &str) -> &'static Model {
    catalog().model(id).expect("in the catalogue")
}

/// A catalogue GPU.
pub fn gpu(id: &str) -> &'static Gpu {
    catalog().gpu(id).expect("in the catalogue")
}

/// The default workload on `engine`.
pub fn on(engine: Engine) -> Workload {
    Workload {
        engine,
        ..Workload::default()
    }
}

/// The number after `key` in a measured row's notes ("TP=2", "gpu_memory_utilization 0.95"),
/// skipping spaces and `=` between them.
pub fn number_after(text: &str, key: &str) -> Option<f64> {
    let i = text.find(key)? + key.len();
    let rest: String = text[i..]
        .chars()
        .skip_while(|c| *c == ' ' || *c == '=')
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    rest.parse().ok()
}

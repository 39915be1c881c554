//! Evaluating the full catalogue grid: every model × every GPU, with the default four formats
//! and with all 17. Target (docs/decisions.md#d3): ≤ 5 ms; reported, not asserted.
//! Run: `cargo bench -p planner --bench grid`.

use criterion::{criterion_group, criterion_main, Criterion};
use planner::model::weights::ALL_FORMATS;
use planner::{catalog, evaluate, GridConfig};
use std::hint::black_box;

fn full(formats: Vec<planner::WeightFormat>) -> GridConfig {
    let cat = catalog();
    GridConfig {
        models: cat.models.iter().map(|m| m.id.clone()).collect(),
        gpus: cat.gpus.iter().map(|g| g.id.clone()).collect(),
        formats,
        ..GridConfig::default()
    }
}

fn bench(c: &mut Criterion) {
    let four = full(GridConfig::default().formats);
    let all = full(ALL_FORMATS.to_vec());
    let cat = catalog();
    let cells = |g: &GridConfig| g.models.len() * g.gpus.len() * g.formats.len();
    c.bench_function(
        &format!("grid: full catalogue, 4 formats ({} cells)", cells(&four)),
        |b| b.iter(|| evaluate(black_box(&four), cat)),
    );
    c.bench_function(
        &format!("grid: full catalogue, 17 formats ({} cells)", cells(&all)),
        |b| b.iter(|| evaluate(black_box(&all), cat)),
    );
    c.bench_function("grid: seed study (60 cells)", |b| {
        b.iter(|| evaluate(black_box(&GridConfig::default()), cat))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);

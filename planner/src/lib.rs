//! Fitgrid's planner core: will this LLM fit on that GPU, with this weight format, context and
//! concurrency, under this engine's memory rules?
//!
//! Pure Rust (no browser crates), shared by the web app and the `fitgrid` CLI:
//! - [`arch`]: a model's tensors from its `config.json`;
//! - [`weights`]: weight bytes per storage format, TP/PP aware;
//! - [`kv_cache`]: KV bytes per token per layer type;
//! - [`engine`]: each engine's budget rule and measured reserves;
//! - [`plan`]: one scenario → one per-GPU plan with a utilisation band;
//! - [`checkpoint`]: exact weight bytes from safetensors and GGUF headers;
//! - [`hub`]: what adding a model from the Hugging Face Hub reads, and what each outcome says;
//! - [`catalog`], [`grid`], [`share`]: the built-in data, the grid and its URL form.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod catalog;
pub mod checkpoint;
pub mod engines;
pub mod error;
pub mod grid;
pub mod hub;
pub mod inert;
pub mod json;
pub mod model;
pub mod plan;
pub mod share;
pub mod units;

pub use catalog::{catalog, Catalog, Gpu, Model};

/// A hash map keyed by the page's own ids, with rustc-hash's Fx hasher: the one Leptos'
/// reactive graph already ships, so the wasm carries one hasher instead of std's SipHash too.
/// (Flooding resistance buys nothing here: the keys come from one user's own tab.)
pub type FastMap<K, V> = std::collections::HashMap<K, V, rustc_hash::FxBuildHasher>;

/// A 64-bit hash of `part` (Fx), for change detection: the page re-plans or re-renders when a
/// part's hash changes.
pub fn hash_of(part: impl std::hash::Hash) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(part)
}
pub use engines::support::Unsupported;
pub use engines::Engine;
pub use grid::{evaluate, Grid, GridConfig};
pub use model::kv_cache::KvDtype;
pub use model::weights::WeightFormat;
pub use plan::{plan, Band, Plan, Workload};
pub use units::{Bytes, Unit};

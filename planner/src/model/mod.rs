//! The model: its architecture from `config.json`, the tensors it implies, their bytes per
//! storage format and the KV cache per layer type. Nothing here knows about engines or GPUs.

pub mod config;
pub mod fields;
pub mod format;
pub mod kv_cache;
pub mod quirks;
pub mod read;
pub mod read_layers;
pub mod tensors;
pub mod vision;
pub mod weights;

//! Reading one config.json field: present, of the right type, within its bound. Every error
//! names the field.

use crate::error::ConfigError;
use crate::json::{Map, Value};

pub(crate) fn get<'a>(obj: &'a Map, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

pub(crate) fn uint(obj: &Map, key: &'static str) -> Result<Option<u64>, ConfigError> {
    match get(obj, key) {
        None => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) if n > 0 && n <= 1 << 40 => bounded(key, n).map(Some),
            Some(0) => Ok(Some(0)),
            _ => Err(ConfigError::Invalid {
                field: key,
                problem: format!("must be a non-negative integer, got {}", short(v)),
            }),
        },
    }
}

/// Upper bounds far above any real model (Llama-3.1-405B: 126 layers, hidden 16,384), so that
/// a hostile config cannot make the planner allocate per-layer tables of millions of entries or
/// overflow byte counts.
pub fn field_limit(key: &str) -> u64 {
    match key {
        "num_hidden_layers" => 2048,
        "hidden_size" | "head_dim" | "linear_key_head_dim" | "linear_value_head_dim" => 131_072,
        "num_attention_heads"
        | "num_key_value_heads"
        | "linear_num_key_heads"
        | "linear_num_value_heads" => 8192,
        // Qwen3-Next uses 4; a causal conv wider than a few taps is not a language model.
        "linear_conv_kernel_dim" => 1024,
        "vocab_size" => 1 << 23,
        "num_local_experts" | "n_routed_experts" | "num_experts" => 4096,
        // Context lengths: Llama 4 Scout states 10,485,760.
        "max_position_embeddings" | "sliding_window" | "attention_chunk_size" => 1 << 30,
        _ => 1 << 22,
    }
}

fn bounded(key: &'static str, n: u64) -> Result<u64, ConfigError> {
    if n > field_limit(key) {
        Err(ConfigError::Invalid {
            field: key,
            problem: format!("must be at most {}, got {n}", field_limit(key)),
        })
    } else {
        Ok(n)
    }
}

pub(crate) fn required(obj: &Map, key: &'static str) -> Result<u64, ConfigError> {
    match uint(obj, key)? {
        None => Err(ConfigError::Missing(key)),
        Some(0) => Err(ConfigError::Invalid {
            field: key,
            problem: "must be positive, got 0".into(),
        }),
        Some(n) => Ok(n),
    }
}

pub(crate) fn boolean(obj: &Map, key: &'static str) -> Result<Option<bool>, ConfigError> {
    match get(obj, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(ConfigError::Invalid {
            field: key,
            problem: format!("must be true or false, got {}", short(v)),
        }),
    }
}

pub(crate) fn string<'a>(obj: &'a Map, key: &str) -> Option<&'a str> {
    get(obj, key).and_then(Value::as_str)
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

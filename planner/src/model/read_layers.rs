//! Per-layer structure from a `config.json`: which layers attend fully, through a sliding
//! window or linearly; which are MoE; the rotary cache.

use super::config::{LayerKind, LinearAttention, Mla, Moe};
use super::fields::{boolean, get, required, uint};
use super::quirks::{Quirks, SlidingPattern};
use crate::error::ConfigError;
use crate::json::{Map, Value};

/// vLLM's rotary cache: `[max_position, rotary_dim]` in the model dtype
/// (`rotary_embedding.py` `_compute_cos_sin_cache`); YaRN and LongRoPE size it at
/// `original_max_position_embeddings × factor`; MLA rotates only `qk_rope_head_dim`.
pub(super) fn read_rope(obj: &Map, max_pos: u64, head_dim: u64, mla: &Option<Mla>) -> (u64, u64) {
    let factor = get(obj, "rope_scaling")
        .and_then(|r| r.get("factor"))
        .and_then(Value::as_f64)
        .unwrap_or(1.0);
    let original = get(obj, "rope_scaling")
        .and_then(|r| r.get("original_max_position_embeddings"))
        .and_then(Value::as_u64);
    let rope_type = get(obj, "rope_scaling")
        .and_then(|r| r.get("rope_type").or_else(|| r.get("type")))
        .and_then(Value::as_str)
        .unwrap_or("");
    let rows = match (rope_type, original) {
        ("yarn", Some(orig)) | ("deepseek_yarn", Some(orig)) => (orig as f64 * factor) as u64,
        _ => max_pos,
    };
    let dim = match mla {
        Some(m) => m.qk_rope_head_dim,
        None => {
            let partial = get(obj, "partial_rotary_factor")
                .and_then(Value::as_f64)
                .unwrap_or(1.0);
            get(obj, "rotary_dim")
                .and_then(Value::as_u64)
                .unwrap_or((head_dim as f64 * partial) as u64)
                // Rotary dims are a part of the head; a config claiming more is not trusted.
                .min(head_dim)
        }
    };
    (rows.min(1 << 24), dim)
}

pub(super) fn read_moe(
    obj: &Map,
    q: &Quirks,
    num_layers: u64,
    intermediate_size: u64,
) -> Result<(Option<Moe>, Vec<bool>), ConfigError> {
    let experts = match uint(obj, "num_local_experts")? {
        Some(n) => Some(n),
        None => match uint(obj, "n_routed_experts")? {
            Some(n) => Some(n),
            None => uint(obj, "num_experts")?,
        },
    }
    .filter(|&n| n > 1);
    let Some(num_experts) = experts else {
        return Ok((None, vec![false; num_layers as usize]));
    };
    let expert_intermediate = uint(obj, "moe_intermediate_size")?
        .filter(|&n| n > 0)
        .unwrap_or(intermediate_size);
    if expert_intermediate == 0 {
        return Err(ConfigError::Missing("moe_intermediate_size"));
    }
    let shared_intermediate = match uint(obj, "shared_expert_intermediate_size")? {
        Some(n) => n,
        // Llama 4: one shared expert the size of a routed one (modeling_llama4.py).
        None if q.llama4 => expert_intermediate,
        None => uint(obj, "n_shared_experts")?.unwrap_or(0) * expert_intermediate,
    };
    let first_dense = uint(obj, "first_k_dense_replace")?.unwrap_or(0);
    let freq = uint(obj, "moe_layer_freq")?
        .or(uint(obj, "decoder_sparse_step")?)
        .or(uint(obj, "interleave_moe_layer_step")?)
        .filter(|&n| n > 0)
        .unwrap_or(1);
    let mlp_only: Vec<u64> = get(obj, "mlp_only_layers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let layers = (0..num_layers)
        .map(|i| {
            // DeepSeek: `layer_idx >= first_k_dense_replace and layer_idx % moe_layer_freq == 0`;
            // Qwen2-MoE: `(layer_idx + 1) % decoder_sparse_step == 0` and not in mlp_only_layers.
            let sparse = if q.dense_prefix {
                i >= first_dense && i % freq == 0
            } else {
                (i + 1) % freq == 0
            };
            sparse && !mlp_only.contains(&i)
        })
        .collect();
    Ok((
        Some(Moe {
            num_experts,
            experts_per_token: uint(obj, "num_experts_per_tok")?.unwrap_or(1),
            expert_intermediate,
            shared_intermediate,
            shared_expert_gate: q.shared_expert_gate,
            biases: q.moe_biases,
            score_correction_bias: q.score_correction_bias,
        }),
        layers,
    ))
}

fn read_attention_layers(
    obj: &Map,
    q: &Quirks,
    num_layers: u64,
) -> Result<Vec<LayerKind>, ConfigError> {
    let n = num_layers as usize;
    if q.llama4 {
        // Chunked local attention on three of four layers; every 4th layer is global NoPE
        // (`no_rope_layers`, modeling_llama4.py). vLLM caps chunked layers like sliding ones
        // (`ChunkedLocalAttentionSpec`).
        if let Some(chunk) = uint(obj, "attention_chunk_size")?.filter(|&c| c > 0) {
            return Ok((0..n)
                .map(|i| {
                    if (i + 1) % 4 == 0 {
                        LayerKind::Full
                    } else {
                        LayerKind::Sliding { window: chunk }
                    }
                })
                .collect());
        }
    }
    let window = uint(obj, "sliding_window")?.filter(|&w| w > 0);
    if let Some(types) = layer_types(obj, num_layers)? {
        let Some(window) = window else {
            return Ok(vec![LayerKind::Full; n]);
        };
        if types.len() != n {
            return Err(ConfigError::Invalid {
                field: "layer_types",
                problem: format!("has {} entries for {num_layers} layers", types.len()),
            });
        }
        return Ok(types
            .iter()
            .map(|t| match t.as_str() {
                "sliding_attention" => LayerKind::Sliding { window },
                _ => LayerKind::Full,
            })
            .collect());
    }
    let Some(window) = window else {
        return Ok(vec![LayerKind::Full; n]);
    };
    // `use_sliding_window: false` (Qwen2/2.5 ship a window they never use).
    if boolean(obj, "use_sliding_window")? == Some(false) {
        return Ok(vec![LayerKind::Full; n]);
    }
    Ok((0..n)
        .map(|i| {
            let sliding = match q.sliding {
                SlidingPattern::EvenLayers => i % 2 == 0,
                SlidingPattern::GlobalEveryNth => {
                    let p = obj
                        .get("sliding_window_pattern")
                        .and_then(Value::as_u64)
                        .filter(|&p| p > 0)
                        .unwrap_or(6) as usize;
                    (i + 1) % p != 0
                }
                SlidingPattern::Every => true,
            };
            if sliding {
                LayerKind::Sliding { window }
            } else {
                LayerKind::Full
            }
        })
        .collect())
}

/// Each layer's type: `layer_types` as written, or, for configs that give only
/// `full_attention_interval` (Qwen3-Next, Qwen3.5), the list transformers derives from it
/// (`configuration_qwen3_next.py`: layer `i` is full attention when `(i + 1) % interval == 0`,
/// linear attention otherwise). `None` when the config says neither.
fn layer_types(obj: &Map, num_layers: u64) -> Result<Option<Vec<String>>, ConfigError> {
    if let Some(types) = get(obj, "layer_types").and_then(Value::as_array) {
        return Ok(Some(
            types
                .iter()
                .map(|t| t.as_str().unwrap_or("").to_string())
                .collect(),
        ));
    }
    Ok(uint(obj, "full_attention_interval")?
        .filter(|&k| k > 0)
        .map(|k| {
            (0..num_layers)
                .map(|i| {
                    if (i + 1) % k == 0 {
                        "full_attention"
                    } else {
                        "linear_attention"
                    }
                    .to_string()
                })
                .collect()
        }))
}

pub(super) fn read_layers(
    obj: &Map,
    q: &Quirks,
    num_layers: u64,
) -> Result<Vec<LayerKind>, ConfigError> {
    let mut layers = read_attention_layers(obj, q, num_layers)?;
    if let Some(types) = layer_types(obj, num_layers)? {
        if types.iter().any(|t| t == "linear_attention") {
            let la = LinearAttention {
                key_heads: required(obj, "linear_num_key_heads")?,
                value_heads: required(obj, "linear_num_value_heads")?,
                key_head_dim: required(obj, "linear_key_head_dim")?,
                value_head_dim: required(obj, "linear_value_head_dim")?,
                conv_kernel: required(obj, "linear_conv_kernel_dim")?,
            };
            for (kind, t) in layers.iter_mut().zip(&types) {
                if t == "linear_attention" {
                    *kind = LayerKind::Linear(la);
                }
            }
        }
    }
    Ok(layers)
}

#[cfg(test)]
mod tests {
    use crate::model::config::{LayerKind, ModelConfig};
    use serde_json::json;

    /// A Qwen3-Next-shaped config (Gated DeltaNet + full attention, 8 layers).
    fn hybrid() -> serde_json::Value {
        json!({
            "architectures": ["Qwen3NextForCausalLM"], "model_type": "qwen3_next",
            "num_hidden_layers": 8, "hidden_size": 256, "num_attention_heads": 4,
            "num_key_value_heads": 2, "head_dim": 64, "intermediate_size": 512, "vocab_size": 1000,
            "max_position_embeddings": 4096, "linear_num_key_heads": 4, "linear_num_value_heads": 8,
            "linear_key_head_dim": 32, "linear_value_head_dim": 32, "linear_conv_kernel_dim": 4,
        })
    }

    #[test]
    fn full_attention_interval_gives_the_layer_types_transformers_derives() {
        // configuration_qwen3_next.py: linear unless (i + 1) % full_attention_interval == 0.
        let mut explicit = hybrid();
        explicit["layer_types"] = json!((0..8)
            .map(|i| if (i + 1) % 4 == 0 {
                "full_attention"
            } else {
                "linear_attention"
            })
            .collect::<Vec<_>>());
        let mut interval = hybrid();
        interval["full_attention_interval"] = json!(4);
        let a = ModelConfig::from_json(&(&explicit).into()).unwrap();
        let b = ModelConfig::from_json(&(&interval).into()).unwrap();
        assert_eq!(a.layers, b.layers);
        let full = b.layers.iter().filter(|k| **k == LayerKind::Full).count();
        assert_eq!(full, 2, "{:?}", b.layers);
        // Without either, every layer is priced as full attention (four times the KV here).
        let plain = ModelConfig::from_json(&(&hybrid()).into()).unwrap();
        assert!(plain.layers.iter().all(|k| *k == LayerKind::Full));
        // The link keeps the field, so a shared custom model keeps its layer types.
        let m =
            crate::catalog::custom::CustomModel::from_config_value(&(&interval).into(), None, None)
                .unwrap();
        assert!(m.reduced_json.contains("full_attention_interval"));
    }

    #[test]
    fn mamba_hybrids_are_refused_with_the_reason() {
        // ai21labs/Jamba-v0.1 config.json keys: attn_layer_period 8, mamba_d_state 16, …
        let mut jamba = hybrid();
        jamba["model_type"] = json!("jamba");
        jamba["attn_layer_period"] = json!(8);
        jamba["mamba_d_state"] = json!(16);
        let e = ModelConfig::from_json(&(&jamba).into()).unwrap_err();
        assert!(e.to_string().contains("Mamba (state-space) layers"), "{e}");
        let e =
            crate::catalog::custom::CustomModel::from_config_value(&(&jamba).into(), None, None)
                .unwrap_err();
        assert!(e.to_string().contains("does not model yet"), "{e}");
        // Granite 4 hybrids name them in layer_types.
        let mut granite = hybrid();
        granite["layer_types"] = json!([
            "mamba",
            "mamba",
            "mamba",
            "attention",
            "mamba",
            "mamba",
            "mamba",
            "attention"
        ]);
        let e = ModelConfig::from_json(&(&granite).into()).unwrap_err();
        assert!(e.to_string().contains("layer_types"), "{e}");
    }
}

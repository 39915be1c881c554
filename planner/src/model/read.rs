//! Reading a `config.json` into a [`ModelConfig`], and refusing configs whose sizes are not
//! plausible. Multimodal configs nest the language model under `text_config`; its fields win.

use super::config::{Dtype, LayerKind, Mla, ModelConfig, NativeFormat};
use super::fields::{boolean, get, required, string, uint};
use super::quirks::quirks;
use super::read_layers::{read_layers, read_moe, read_rope};
use crate::error::ConfigError;
use crate::json::{Map, Value};
use crate::units::{add, mul, Bytes};

/// Most parameters a config may imply: 10 trillion, five times the largest published model
/// (Kimi K2, ~1.04 T) and far past anything a GPU grid can hold.
pub const MAX_PARAMS: u64 = 10_000_000_000_000;
/// Most KV-cache bytes one token may need at 32-bit precision over all layers on one GPU:
/// 64 MiB, about 30 times GPT-3 175B's 96 layers × 2 × 12,288 × 2 bytes.
pub const MAX_KV_BYTES_PER_TOKEN: u64 = 64 << 20;
/// Most recurrent state one sequence may need at 32-bit precision (linear-attention layers):
/// 16 GiB, hundreds of times Qwen3-Next-80B's.
pub const MAX_STATE_BYTES_PER_SEQUENCE: u64 = 16 << 30;

impl ModelConfig {
    /// Parses a `config.json` text.
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let value: Value =
            crate::json::parse(text).map_err(|e| ConfigError::NotJson(e.to_string()))?;
        Self::from_json(&value)
    }

    /// Reads the fields the planner needs from a parsed `config.json`. Multimodal configs
    /// nest the language model under `text_config`; its fields win.
    pub fn from_json(value: &Value) -> Result<Self, ConfigError> {
        let top = value.as_object().ok_or(ConfigError::NotObject)?;
        let merged;
        let obj = match get(top, "text_config").and_then(Value::as_object) {
            Some(text) => {
                let mut m = top.clone();
                for (k, v) in text {
                    m.insert(k.clone(), v.clone());
                }
                merged = m;
                &merged
            }
            None => top,
        };
        refuse_unmodelled_layers(obj)?;
        let architecture = get(obj, "architectures")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let model_type = string(obj, "model_type").unwrap_or("").to_string();
        let num_layers = required(obj, "num_hidden_layers")?;
        let hidden_size = required(obj, "hidden_size")?;
        let num_heads = required(obj, "num_attention_heads")?;
        let num_kv_heads = uint(obj, "num_key_value_heads")?
            .filter(|&n| n > 0)
            .unwrap_or(num_heads);
        if num_heads % num_kv_heads != 0 {
            return Err(ConfigError::Invalid {
                field: "num_key_value_heads",
                problem: format!("({num_kv_heads}) must divide num_attention_heads ({num_heads})"),
            });
        }
        let head_dim = match uint(obj, "head_dim")?.filter(|&n| n > 0) {
            Some(d) => d,
            None => {
                if hidden_size % num_heads != 0 {
                    return Err(ConfigError::Invalid {
                        field: "head_dim",
                        problem:
                            "is absent and hidden_size is not a multiple of num_attention_heads"
                                .into(),
                    });
                }
                hidden_size / num_heads
            }
        };
        let vocab_size = required(obj, "vocab_size")?;
        let max_position_embeddings = uint(obj, "max_position_embeddings")?
            .filter(|&n| n > 0)
            .ok_or(ConfigError::Missing("max_position_embeddings"))?;
        let dtype = match string(obj, "torch_dtype").or_else(|| string(obj, "dtype")) {
            Some("float32") => Dtype::Fp32,
            Some("float16") => Dtype::Fp16,
            // bfloat16 is what almost every modern checkpoint ships; an absent dtype is
            // treated the same way and the plan says so.
            _ => Dtype::Bf16,
        };
        let q = quirks(&model_type);
        let attention_bias = boolean(obj, "attention_bias")?;
        let qkv_bias = attention_bias.unwrap_or(q.qkv_bias);
        let o_bias = q.o_bias.unwrap_or(attention_bias.unwrap_or(false));
        let mlp_bias = boolean(obj, "mlp_bias")?.unwrap_or(q.mlp_bias);

        let intermediate_size = uint(obj, "intermediate_size")?.unwrap_or(0);
        let (moe, moe_layers) = read_moe(obj, &q, num_layers, intermediate_size)?;
        // Llama 4's dense layers use `intermediate_size_mlp`; `intermediate_size` is the expert's.
        let intermediate_size = match uint(obj, "intermediate_size_mlp")? {
            Some(n) if q.llama4 => n,
            _ => intermediate_size,
        };
        if intermediate_size == 0 && moe_layers.iter().any(|m| !m) {
            return Err(ConfigError::Missing("intermediate_size"));
        }
        let mla = match uint(obj, "kv_lora_rank")? {
            Some(rank) if rank > 0 => Some(Mla {
                kv_lora_rank: rank,
                q_lora_rank: uint(obj, "q_lora_rank")?.filter(|&n| n > 0),
                qk_nope_head_dim: required(obj, "qk_nope_head_dim")?,
                qk_rope_head_dim: required(obj, "qk_rope_head_dim")?,
                v_head_dim: required(obj, "v_head_dim")?,
            }),
            _ => None,
        };
        // A window at least as long as the model's context is no window (Phi-3.5's 262,144).
        let layers = read_layers(obj, &q, num_layers)?
            .into_iter()
            .map(|k| match k {
                LayerKind::Sliding { window } if window >= max_position_embeddings => {
                    LayerKind::Full
                }
                k => k,
            })
            .collect();
        let config = ModelConfig {
            architecture,
            model_type,
            num_layers,
            hidden_size,
            num_heads,
            num_kv_heads,
            head_dim,
            intermediate_size,
            vocab_size,
            // The family's config class default when the key is absent.
            tie_word_embeddings: boolean(obj, "tie_word_embeddings")?.unwrap_or(q.tied_by_default),
            max_position_embeddings,
            dtype,
            qkv_bias,
            o_bias,
            mlp_bias,
            qk_norm: q.qk_norm,
            gated_mlp: q.gated_mlp,
            norms_per_layer: q.norms_per_layer,
            norm_bias: q.norm_bias,
            attention_sinks: q.attention_sinks,
            native_format: read_native(obj, dtype),
            fp8_block: read_fp8_block(obj),
            vision: super::vision::read_vision(top, hidden_size)?,
            rope_cache: read_rope(obj, max_position_embeddings, head_dim, &mla),
            moe,
            moe_layers,
            mla,
            layers,
            exact_weights: None,
        };
        config.check_size()?;
        Ok(config)
    }

    /// Refuses a config whose derived sizes are implausible even when each field is within its
    /// own bound: fields multiply, and four linear-attention layers of 4M heads × 4M dims
    /// would otherwise wrap around `u64` and come out as a small model. Every sum and product
    /// here saturates, so a value past `u64::MAX` is caught as too large, never wrapped.
    fn check_size(&self) -> Result<(), ConfigError> {
        // Values past u64 saturate, so "more than" is the honest word for them.
        let count = |n: u64| match n {
            u64::MAX => "more than 18 quintillion".to_string(),
            n if n % 1_000_000_000_000 == 0 => format!("{} trillion", n / 1_000_000_000_000),
            n if n >= 1_000_000_000_000 => {
                format!("{} trillion", crate::units::fixed(n as f64 / 1e12, 1))
            }
            n => format!("{} billion", crate::units::fixed(n as f64 / 1e9, 1)),
        };
        let bytes = |n: u64| match n {
            u64::MAX => "more than 16 EiB".to_string(),
            n => Bytes(n).to_string(),
        };
        let too_large =
            |what: &'static str, value: u64, limit: u64, show: &dyn Fn(u64) -> String| {
                if value > limit {
                    Err(ConfigError::TooLarge {
                        what,
                        value: show(value),
                        limit: show(limit),
                    })
                } else {
                    Ok(())
                }
            };
        too_large("parameters", self.param_count(), MAX_PARAMS, &count)?;
        let per_layer = match &self.mla {
            Some(m) => add(&[m.kv_lora_rank, m.qk_rope_head_dim]),
            None => mul(&[2, self.num_kv_heads, self.head_dim]),
        };
        let attention = self
            .layers
            .iter()
            .filter(|k| !matches!(k, LayerKind::Linear(_)))
            .count() as u64;
        too_large(
            "of KV cache per token (at 32 bits)",
            mul(&[per_layer, attention, 4]),
            MAX_KV_BYTES_PER_TOKEN,
            &bytes,
        )?;
        let state = self
            .layers
            .iter()
            .filter_map(|k| match k {
                LayerKind::Linear(la) => Some(mul(&[la.state_elems(1), 4])),
                _ => None,
            })
            .fold(0u64, u64::saturating_add);
        too_large(
            "of recurrent state per sequence (at 32 bits)",
            state,
            MAX_STATE_BYTES_PER_SEQUENCE,
            &bytes,
        )
    }
}

/// Refuses configs with layers the planner does not model rather than pricing them as
/// attention: Mamba / state-space blocks (Jamba, Zamba, Bamba, Falcon-H1, Nemotron-H,
/// Granite 4 hybrids) keep a recurrent state whose size the planner cannot yet derive, and
/// priced as full attention they come out several times too large or small.
pub fn refuse_unmodelled_layers(obj: &Map) -> Result<(), ConfigError> {
    let key = obj.keys().find(|k| {
        k.starts_with("mamba_")
            || matches!(
                k.as_str(),
                "ssm_state_size" | "hybrid_override_pattern" | "attn_layer_period" | "ssm_cfg"
            )
    });
    let in_types = ["layer_types", "layers_block_type"].iter().any(|k| {
        get(obj, k)
            .and_then(Value::as_array)
            .is_some_and(|t| t.iter().any(|x| x.as_str() == Some("mamba")))
    });
    // Other layer kinds a family spells out that the planner has no cache rule for: LFM2's
    // short convolutions ("conv"), MiniMax-01's lightning attention (`attn_type_list` 0).
    let known = [
        "full_attention",
        "sliding_attention",
        "linear_attention",
        "attention",
    ];
    if let Some(kind) = get(obj, "layer_types")
        .and_then(Value::as_array)
        .and_then(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .find(|x| !known.contains(x) && *x != "mamba")
        })
    {
        return Err(ConfigError::Unmodelled {
            what: "layers of a kind without a cache rule here",
            evidence: format!("layer_types: \"{}\"", crate::inert::clip(kind, 40)),
        });
    }
    if get(obj, "attn_type_list")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|x| x.as_u64() == Some(0)))
    {
        return Err(ConfigError::Unmodelled {
            what: "lightning (linear) attention layers",
            evidence: "`attn_type_list`".into(),
        });
    }
    match (key, in_types) {
        (None, false) => Ok(()),
        (key, _) => Err(ConfigError::Unmodelled {
            what: "Mamba (state-space) layers",
            evidence: key.map_or_else(
                || "layer_types: \"mamba\"".to_string(),
                |k| format!("`{k}`"),
            ),
        }),
    }
}

fn read_native(obj: &Map, dtype: Dtype) -> NativeFormat {
    let Some(q) = get(obj, "quantization_config").and_then(Value::as_object) else {
        return NativeFormat::Dtype(dtype);
    };
    let nested = |key: &str| {
        q.get("config_groups")?
            .as_object()?
            .values()
            .find_map(|g| g.get("weights")?.get(key)?.as_u64())
    };
    let bits = q
        .get("num_bits")
        .or_else(|| q.get("bits"))
        .and_then(Value::as_u64)
        .or_else(|| nested("num_bits"));
    match q.get("quant_method").and_then(Value::as_str).unwrap_or("") {
        "mxfp4" => NativeFormat::Mxfp4,
        "fp8" | "fbgemm_fp8" => NativeFormat::Fp8,
        "awq" => NativeFormat::Awq,
        "gptq" => NativeFormat::Gptq,
        "compressed-tensors" if bits == Some(4) && nested("group_size") == Some(32) => {
            NativeFormat::W4a16G32
        }
        "compressed-tensors" if bits == Some(4) => NativeFormat::W4a16,
        "compressed-tensors" => NativeFormat::Fp8,
        _ => NativeFormat::Dtype(dtype),
    }
}

/// `quantization_config.weight_block_size` of an FP8 checkpoint, when both sides are whole
/// numbers ≥ 1.
fn read_fp8_block(obj: &Map) -> Option<(u64, u64)> {
    let q = get(obj, "quantization_config")?.as_object()?;
    let b = q.get("weight_block_size")?.as_array()?;
    match (b.first()?.as_u64()?, b.get(1)?.as_u64()?) {
        (n, k) if n > 0 && k > 0 => Some((n, k)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// meta-llama/Llama-2-7b-hf config.json; the published count 6,738,415,616 is the
    /// safetensors total on the model page (and `sum(p.numel())` in transformers).
    const LLAMA2_7B: &str = r#"{"architectures":["LlamaForCausalLM"],"hidden_size":4096,
        "intermediate_size":11008,"max_position_embeddings":4096,"model_type":"llama",
        "num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":32,
        "tie_word_embeddings":false,"torch_dtype":"float16","vocab_size":32000}"#;

    #[test]
    fn llama2_7b_counts_every_tensor() {
        let c = ModelConfig::from_json_str(LLAMA2_7B).unwrap();
        assert_eq!(c.param_count(), 6_738_415_616);
        assert_eq!(c.head_dim, 128);
    }

    #[test]
    fn explicit_head_dim_wins_over_hidden_over_heads() {
        // Qwen3-8B: hidden 4096 / 32 heads = 128 = head_dim; Qwen3-0.6B: 1024/16 = 64 but
        // head_dim is 128 (model_configs.csv, aiconfigurator copy of config.json).
        let text = r#"{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3",
            "num_hidden_layers":28,"hidden_size":1024,"num_attention_heads":16,
            "num_key_value_heads":8,"head_dim":128,"intermediate_size":3072,
            "vocab_size":151936,"tie_word_embeddings":true,"max_position_embeddings":40960}"#;
        let c = ModelConfig::from_json_str(text).unwrap();
        assert_eq!(c.head_dim, 128);
    }

    /// LiquidAI LFM2 (`layer_types` "conv"), MiniMax-Text-01 (`attn_type_list` 0 = lightning
    /// attention) and Jamba (`layers_block_type` "mamba") have layers without a cache rule
    /// here: refused by name, never priced as attention.
    #[test]
    fn layer_kinds_without_a_cache_rule_are_refused_by_name() {
        let base = r#""architectures":["X"],"hidden_size":1024,"num_attention_heads":16,
            "num_hidden_layers":4,"intermediate_size":4096,"vocab_size":1000,
            "max_position_embeddings":4096"#;
        for (extra, evidence) in [
            (
                r#""layer_types":["conv","conv","full_attention","conv"]"#,
                "conv",
            ),
            (r#""attn_type_list":[0,0,0,1]"#, "attn_type_list"),
            (
                r#""layers_block_type":["mamba","attention","mamba","mamba"]"#,
                "mamba",
            ),
        ] {
            let e = ModelConfig::from_json_str(&format!("{{{base},{extra}}}")).unwrap_err();
            assert!(e.to_string().contains(evidence), "{e}");
        }
    }

    #[test]
    fn absurd_sizes_are_refused_by_name_instead_of_allocated() {
        let err = ModelConfig::from_json_str(
            r#"{"num_hidden_layers":9000000,"hidden_size":64,"num_attention_heads":1,
            "vocab_size":10,"max_position_embeddings":4096,"intermediate_size":64}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("num_hidden_layers"), "{err}");
        assert!(err.to_string().contains("at most 2048"), "{err}");
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        let err = ModelConfig::from_json_str(r#"{"hidden_size":1}"#).unwrap_err();
        assert_eq!(err, ConfigError::Missing("num_hidden_layers"));
        let err = ModelConfig::from_json_str(
            r#"{"num_hidden_layers":"many","hidden_size":1,"num_attention_heads":1}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("num_hidden_layers"), "{err}");
        assert!(matches!(
            ModelConfig::from_json_str("[1,2]"),
            Err(ConfigError::NotObject)
        ));
        assert!(matches!(
            ModelConfig::from_json_str("{"),
            Err(ConfigError::NotJson(_))
        ));
    }
}

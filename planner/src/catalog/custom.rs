//! Models and GPUs the user brings: a pasted or fetched `config.json`, a custom GPU size.
//!
//! In a shared link they travel compactly: only the config.json keys the planner reads, as
//! base64url JSON (`cm=<name>~<base64>`), and `cg=<name>~<MiB>[~<GB/s>[~<TFLOPS>]]` for GPUs, so a
//! colleague opening the link sees the same rows without fetching anything.

use crate::catalog::Model;
use crate::checkpoint::CheckpointBytes;
use crate::error::CheckpointError;
use crate::error::ConfigError;
use crate::inert;
use crate::json::{Map, Value};
use crate::model::config::ModelConfig;

/// Most custom models one configuration (and so one link) may carry.
pub const MAX_CUSTOM_MODELS: usize = 32;
/// Most custom GPUs one configuration may carry.
pub const MAX_CUSTOM_GPUS: usize = 32;

/// Prefix of ids of user-supplied entries (never collides with a Hugging Face repo id).
pub const CUSTOM_PREFIX: &str = "custom:";

/// The config.json keys the planner reads (`arch.rs`); everything else is dropped from links.
const PLANNER_KEYS: [&str; 53] = [
    EXACT_KEY,
    "architectures",
    "model_type",
    "num_hidden_layers",
    "hidden_size",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "intermediate_size",
    "vocab_size",
    "tie_word_embeddings",
    "max_position_embeddings",
    "torch_dtype",
    "dtype",
    "attention_bias",
    "mlp_bias",
    "num_local_experts",
    "n_routed_experts",
    "num_experts",
    "num_experts_per_tok",
    "moe_intermediate_size",
    "shared_expert_intermediate_size",
    "n_shared_experts",
    "first_k_dense_replace",
    "moe_layer_freq",
    "decoder_sparse_step",
    "interleave_moe_layer_step",
    "mlp_only_layers",
    "kv_lora_rank",
    "q_lora_rank",
    "qk_nope_head_dim",
    "qk_rope_head_dim",
    "v_head_dim",
    "sliding_window",
    "layer_types",
    "full_attention_interval",
    "use_sliding_window",
    "sliding_window_pattern",
    "attention_chunk_size",
    "intermediate_size_mlp",
    "linear_num_key_heads",
    "linear_num_value_heads",
    "linear_key_head_dim",
    "linear_value_head_dim",
    "linear_conv_kernel_dim",
    "quantization_config",
    "rope_scaling",
    "partial_rotary_factor",
    "rotary_dim",
    "text_config",
    "_name_or_path",
    "vision_config",
    "spatial_merge_size",
];

/// Not a config.json key: the checkpoint's exact bytes in their compact link form
/// ([`CheckpointBytes::to_query`]), so a link carries the sums, never the headers.
pub const EXACT_KEY: &str = "fitgrid_checkpoint_bytes";

/// The `vision_config` keys [`crate::model::vision`] reads.
const VISION_KEYS: [&str; 14] = [
    "model_type",
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "depth",
    "patch_size",
    "image_size",
    "num_channels",
    "projector_input_dim",
    "projector_output_dim",
    "vision_output_dim",
    "out_hidden_size",
    "spatial_merge_size",
    "temporal_patch_size",
];

/// A user-supplied model: its parsed config plus the reduced JSON that goes into links.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomModel {
    /// The model as the grid uses it (`id` starts with [`CUSTOM_PREFIX`]).
    pub model: Model,
    /// The planner-relevant config.json keys, as JSON text.
    pub reduced_json: String,
    /// Plain-words caveats shown with the row (unknown architecture, param count check).
    pub notes: Vec<String>,
}

/// Why a pasted or fetched model cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CustomError {
    /// The config itself is unusable (the message names the field).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The architecture is not a text-generation model.
    #[error("`{0}` is not a causal language model (expected an architecture ending in ForCausalLM or ForConditionalGeneration)")]
    NotCausalLm(String),
    /// A part of a shared link could not be decoded.
    #[error("could not decode a custom entry from the link: {0}")]
    Link(String),
    /// The exact checkpoint sizes it carries do not decode.
    #[error(transparent)]
    Exact(#[from] CheckpointError),
}

pub(crate) fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "model".into()
    } else {
        s.chars().take(48).collect()
    }
}

/// Keeps only the keys the planner reads (recursing into `text_config`; of `vision_config`,
/// the keys [`crate::model::vision`] reads). Inserts one by one: collecting into a map would
/// sort first, a second sort in the wasm.
fn reduce(obj: &Map, keys: &[&str]) -> Map {
    let mut out = Map::new();
    for (k, v) in obj.iter().filter(|(k, _)| keys.contains(&k.as_str())) {
        // Only PLANNER_KEYS holds these two.
        let v = match (k.as_str(), v) {
            ("text_config", Value::Object(inner)) => Value::Object(reduce(inner, &PLANNER_KEYS)),
            ("vision_config", Value::Object(inner)) => Value::Object(reduce(inner, &VISION_KEYS)),
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    out
}

impl CustomModel {
    /// Builds a custom model from config.json text. `name` defaults to `_name_or_path` or the
    /// architecture; `published_params` (a parameter count, or derived from a safetensors index)
    /// is compared with the count the config implies.
    pub fn from_config_text(
        text: &str,
        name: Option<&str>,
        published_params: Option<u64>,
    ) -> Result<Self, CustomError> {
        if text.len() > 4 << 20 {
            return Err(CustomError::Config(ConfigError::NotJson(
                "the file is over 4 MiB; a config.json is a few KiB".into(),
            )));
        }
        let value: Value =
            crate::json::parse(text).map_err(|e| ConfigError::NotJson(e.to_string()))?;
        Self::from_config_value(&value, name, published_params)
    }

    /// As [`CustomModel::from_config_text`], from parsed JSON.
    pub fn from_config_value(
        value: &Value,
        name: Option<&str>,
        published_params: Option<u64>,
    ) -> Result<Self, CustomError> {
        let obj = value.as_object().ok_or(ConfigError::NotObject)?;
        // Before reducing: the keys that show unmodelled layers do not travel in links.
        crate::model::read::refuse_unmodelled_layers(obj)?;
        if let Some(text) = obj.get("text_config").and_then(Value::as_object) {
            crate::model::read::refuse_unmodelled_layers(text)?;
        }
        let reduced = Value::Object(reduce(obj, &PLANNER_KEYS));
        let mut config = ModelConfig::from_json(&reduced)?;
        if let Some(q) = obj.get(EXACT_KEY) {
            let q = q
                .as_str()
                .ok_or_else(|| CheckpointError::BadQuery("not a string".into()))?;
            config.exact_weights = Some(Box::new(CheckpointBytes::from_query(q)?));
        }
        if !config.architecture.is_empty()
            && !config.architecture.ends_with("ForCausalLM")
            && !config.architecture.ends_with("ForConditionalGeneration")
        {
            return Err(CustomError::NotCausalLm(config.architecture.clone()));
        }
        // Bounded by `ModelConfig::from_json` (at most `model::read::MAX_PARAMS`).
        let params = config.param_count();
        let mut notes = Vec::new();
        if let Some(x) = &config.exact_weights {
            notes.push(x.describe());
        }
        if !crate::model::quirks::quirks(&config.model_type).known {
            notes.push(format!(
                "unknown architecture `{}`: priced as a generic decoder-only transformer from its standard fields",
                if config.model_type.is_empty() { "(no model_type)" } else { &config.model_type }
            ));
        }
        if let Some(p) = published_params.filter(|&p| p > 0) {
            let diff = (params as f64 - p as f64).abs() / p as f64 * 100.0;
            if diff > 1.0 {
                notes.push(format!(
                    "the config implies {params} parameters but {p} were given ({} % apart): check the config",
                    crate::units::fixed(diff, 1)
                ));
            }
        }
        // Names are one line of plain text wherever they go (grid, exports, CLI, commands).
        let display = name
            .into_iter()
            .chain(obj.get("_name_or_path").and_then(Value::as_str))
            .map(|n| inert::clean_name(n, 80))
            .find(|n| !n.is_empty())
            .unwrap_or_else(|| {
                if config.architecture.is_empty() {
                    "custom model".into()
                } else {
                    inert::clean_name(&config.architecture, 80)
                }
            });
        Ok(CustomModel {
            model: Model {
                id: format!("{CUSTOM_PREFIX}{}", slug(&display)),
                name: display,
                aliases: Vec::new(),
                params: published_params,
                config,
            },
            reduced_json: reduced.to_string(),
            notes,
        })
    }

    /// This model with its checkpoint's exact bytes, which then travel in its link; `None` when
    /// the sums have no link form ([`CheckpointBytes::to_query`]).
    pub fn with_exact(&self, exact: &CheckpointBytes) -> Option<Self> {
        let Ok(Value::Object(mut map)) = crate::json::parse(&self.reduced_json) else {
            return None;
        };
        map.insert(EXACT_KEY.into(), Value::String(exact.to_query()?));
        // The same text a link's decoder writes back (sorted keys), so links stay identical.
        let mut m = self.clone();
        m.reduced_json = Value::Object(map).to_string();
        m.model.config.exact_weights = Some(Box::new(exact.clone()));
        m.notes.insert(0, exact.describe());
        Some(m)
    }

    /// The parameter count a `model.safetensors.index.json` implies (`metadata.total_size`
    /// bytes at the config's dtype width), or `None` when it has none.
    pub fn params_from_index(&self, index: &str) -> Option<u64> {
        let v: Value = crate::json::parse(index).ok()?;
        let total = v.get("metadata")?.get("total_size")?.as_u64()?;
        Some(total / self.model.config.dtype.bytes().max(1))
    }

    /// `name~base64url(reduced json)` for the `cm` link parameter.
    pub fn to_link(&self) -> String {
        format!(
            "{}~{}",
            self.model.name.replace('~', "-"),
            base64url_encode(self.reduced_json.as_bytes())
        )
    }

    /// Parses a `cm` link value.
    pub fn from_link(value: &str) -> Result<Self, CustomError> {
        let (name, data) = value
            .rsplit_once('~')
            .ok_or_else(|| CustomError::Link("expected name~data".into()))?;
        let bytes = base64url_decode(data)
            .ok_or_else(|| CustomError::Link("the data is not base64url".into()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| CustomError::Link("the data is not UTF-8".into()))?;
        Self::from_config_text(&text, Some(name), None)
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 §5 base64url without padding.
pub fn base64url_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url (padding optional); `None` on any invalid character.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = B64.iter().position(|&x| x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QWEN: &str = r#"{"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":896,
        "intermediate_size":4864,"max_position_embeddings":32768,"num_attention_heads":14,
        "num_hidden_layers":24,"num_key_value_heads":2,"vocab_size":151936,"tie_word_embeddings":true,
        "torch_dtype":"bfloat16","rms_norm_eps":1e-06,"_name_or_path":"my-org/my-finetune"}"#;

    #[test]
    fn base64url_round_trips_every_length() {
        for n in 0..40u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(base64url_decode(&base64url_encode(&data)).unwrap(), data);
        }
        assert_eq!(base64url_encode(b"Man"), "TWFu");
        assert!(base64url_decode("a+b").is_none());
    }

    #[test]
    fn a_pasted_config_becomes_a_row_and_survives_a_link() {
        let m = CustomModel::from_config_text(QWEN, None, Some(494_032_768)).unwrap();
        assert_eq!(m.model.name, "my-org/my-finetune");
        assert_eq!(m.model.id, "custom:my-org-my-finetune");
        assert!(m.notes.is_empty(), "{:?}", m.notes);
        assert!(
            !m.reduced_json.contains("rms_norm_eps"),
            "only planner keys travel"
        );
        let back = CustomModel::from_link(&m.to_link()).unwrap();
        assert_eq!(back.model.config, m.model.config);
        assert_eq!(back.model.name, m.model.name);
    }

    #[test]
    fn unknown_architectures_and_bad_configs_say_what_is_wrong() {
        let odd = QWEN.replace("\"qwen2\"", "\"brand_new\"");
        let m = CustomModel::from_config_text(&odd, None, None).unwrap();
        assert!(m.notes[0].contains("brand_new"), "{:?}", m.notes);
        let e = CustomModel::from_config_text(r#"{"hidden_size":8}"#, None, None).unwrap_err();
        assert!(e.to_string().contains("num_hidden_layers"), "{e}");
        let bert = QWEN.replace("Qwen2ForCausalLM", "BertForMaskedLM");
        assert!(matches!(
            CustomModel::from_config_text(&bert, None, None),
            Err(CustomError::NotCausalLm(_))
        ));
        let wrong = CustomModel::from_config_text(QWEN, None, Some(7_000_000_000)).unwrap();
        assert!(wrong.notes[0].contains("apart"), "{:?}", wrong.notes);
    }

    #[test]
    fn exact_bytes_travel_in_the_link_and_forged_ones_are_refused() {
        let m = CustomModel::from_config_text(QWEN, None, None).unwrap();
        let mut x = CheckpointBytes::default();
        x.add("model.embed_tokens.weight", "BF16", 272_269_312)
            .unwrap();
        x.add("model.layers.0.mlp.up_proj.weight", "BF16", 715_000_000)
            .unwrap();
        let exact = m.with_exact(&x).unwrap();
        let back = CustomModel::from_link(&exact.to_link()).unwrap();
        assert_eq!(back.model.config.exact_weights.as_deref(), Some(&x));
        assert_eq!(back.model.config, exact.model.config);
        assert_eq!(back.to_link(), exact.to_link(), "links stay byte-identical");
        assert_eq!(back.notes, exact.notes);
        assert!(exact.notes[0].starts_with("weights exact (from the checkpoint headers)"));
        assert!(m.model.config.exact_weights.is_none());
        // One layer byte more no longer adds up to the per-type total.
        let q = x.to_query().unwrap();
        let forged = q.replace("l.715000000", "l.715000001");
        assert_ne!(forged, q);
        let text = exact.reduced_json.replace(&q, &forged);
        let e = CustomModel::from_config_text(&text, None, None).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("checkpoint sizes in the link are invalid"),
            "{e}"
        );
    }
}

//! What each model family does that its `config.json` does not say: one table, read by the
//! config reader. Each entry cites the reference implementation it follows
//! (`transformers/models/<family>/modeling_<family>.py` and `configuration_<family>.py`,
//! `vllm/model_executor/models/<family>.py`).

/// Which layers of a config with a `sliding_window` (and no `layer_types`) slide.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SlidingPattern {
    /// Every layer (Mistral v0.1 style).
    Every,
    /// Even layers slide, odd layers are global (Gemma 2: `not bool(layer_idx % 2)`).
    EvenLayers,
    /// Every `sliding_window_pattern`-th layer is global, default 6 (Gemma 3).
    GlobalEveryNth,
}

/// A family's fixed facts and defaults.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Quirks {
    /// The architecture's tensors are modelled (unknown ones are priced as a generic decoder
    /// and say so).
    pub known: bool,
    /// q/k/v biases when the config has no `attention_bias` key.
    pub qkv_bias: bool,
    /// Output-projection bias fixed by the family; `None` follows `attention_bias`.
    pub o_bias: Option<bool>,
    /// MLP biases when the config has no `mlp_bias` key.
    pub mlp_bias: bool,
    /// Per-head RMSNorm on q and k.
    pub qk_norm: bool,
    /// Gated (gate, up, down) rather than plain (fc1, fc2) MLP.
    pub gated_mlp: bool,
    /// Norms per decoder layer.
    pub norms_per_layer: u64,
    /// LayerNorm with a bias vector rather than RMSNorm.
    pub norm_bias: bool,
    /// `tie_word_embeddings` when the key is absent (the config class default).
    pub tied_by_default: bool,
    /// One learned attention-sink scalar per head per layer.
    pub attention_sinks: bool,
    /// Qwen2-MoE's sigmoid gate on the shared expert.
    pub shared_expert_gate: bool,
    /// Router and expert projections carry biases.
    pub moe_biases: bool,
    /// DeepSeek-V3's `e_score_correction_bias`.
    pub score_correction_bias: bool,
    /// MoE layers are `i >= first_k_dense_replace and i % moe_layer_freq == 0` (DeepSeek);
    /// otherwise `(i + 1) % decoder_sparse_step == 0` (Qwen2-MoE and the rest).
    pub dense_prefix: bool,
    /// Llama 4: one shared expert the size of a routed one, dense layers sized by
    /// `intermediate_size_mlp`, chunked local attention on three of four layers.
    pub llama4: bool,
    /// Which layers slide when the config gives a window but no `layer_types`.
    pub sliding: SlidingPattern,
}

/// Llama and every family not listed: biases only where the config says, gated MLP, two
/// RMSNorms per layer, untied embeddings.
const BASE: Quirks = Quirks {
    known: true,
    qkv_bias: false,
    o_bias: None,
    mlp_bias: false,
    qk_norm: false,
    gated_mlp: true,
    norms_per_layer: 2,
    norm_bias: false,
    tied_by_default: false,
    attention_sinks: false,
    shared_expert_gate: false,
    moe_biases: false,
    score_correction_bias: false,
    dense_prefix: false,
    llama4: false,
    sliding: SlidingPattern::Every,
};

/// Gemma 3: sandwich norms, q/k norms, tied embeddings, one global layer in six.
const GEMMA3: Quirks = Quirks {
    qk_norm: true,
    norms_per_layer: 4,
    tied_by_default: true,
    sliding: SlidingPattern::GlobalEveryNth,
    ..BASE
};

/// Qwen2: q/k/v biases and no output bias whatever the config says (`bias=True` on q/k/v).
const QWEN2: Quirks = Quirks {
    qkv_bias: true,
    o_bias: Some(false),
    ..BASE
};

/// DeepSeek V2/V3 and Kimi K2: dense first layers, then MoE every `moe_layer_freq`.
const DEEPSEEK: Quirks = Quirks {
    dense_prefix: true,
    ..BASE
};

/// The families, by `model_type`.
const FAMILIES: [(&str, Quirks); 26] = [
    ("llama", BASE),
    ("mistral", BASE),
    ("mixtral", BASE),
    ("mistral3", BASE),
    ("granite", BASE),
    ("phi3", BASE),
    ("qwen2", QWEN2),
    (
        "qwen2_moe",
        Quirks {
            shared_expert_gate: true,
            ..QWEN2
        },
    ),
    (
        "qwen3",
        Quirks {
            qk_norm: true,
            ..BASE
        },
    ),
    (
        "qwen3_moe",
        Quirks {
            qk_norm: true,
            ..BASE
        },
    ),
    ("qwen3_next", BASE),
    (
        "olmo2",
        Quirks {
            qk_norm: true,
            ..BASE
        },
    ),
    (
        "gemma",
        Quirks {
            tied_by_default: true,
            ..BASE
        },
    ),
    (
        "gemma2",
        Quirks {
            norms_per_layer: 4,
            tied_by_default: true,
            sliding: SlidingPattern::EvenLayers,
            ..BASE
        },
    ),
    ("gemma3", GEMMA3),
    ("gemma3_text", GEMMA3),
    // Phi-2: parallel attention + MLP with one LayerNorm, biases everywhere, plain MLP.
    (
        "phi",
        Quirks {
            qkv_bias: true,
            o_bias: Some(true),
            mlp_bias: true,
            gated_mlp: false,
            norms_per_layer: 1,
            norm_bias: true,
            ..BASE
        },
    ),
    // Cohere: parallel blocks with one norm, tied embeddings.
    (
        "cohere",
        Quirks {
            norms_per_layer: 1,
            tied_by_default: true,
            ..BASE
        },
    ),
    (
        "cohere2",
        Quirks {
            known: false,
            tied_by_default: true,
            ..BASE
        },
    ),
    (
        "starcoder2",
        Quirks {
            gated_mlp: false,
            norm_bias: true,
            ..BASE
        },
    ),
    (
        "gpt2",
        Quirks {
            known: false,
            gated_mlp: false,
            ..BASE
        },
    ),
    ("deepseek_v2", DEEPSEEK),
    (
        "deepseek_v3",
        Quirks {
            score_correction_bias: true,
            ..DEEPSEEK
        },
    ),
    (
        "kimi_k2",
        Quirks {
            score_correction_bias: true,
            ..DEEPSEEK
        },
    ),
    (
        "gpt_oss",
        Quirks {
            attention_sinks: true,
            moe_biases: true,
            ..BASE
        },
    ),
    (
        "llama4_text",
        Quirks {
            llama4: true,
            ..BASE
        },
    ),
];

/// The quirks of `model_type`; a type not in the table gets the Llama defaults with
/// `known: false`.
pub fn quirks(model_type: &str) -> Quirks {
    FAMILIES.iter().find(|(t, _)| *t == model_type).map_or(
        Quirks {
            known: false,
            ..BASE
        },
        |(_, q)| *q,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_listed_once_and_unknown_types_say_so() {
        for (i, (t, _)) in FAMILIES.iter().enumerate() {
            assert!(!FAMILIES[i + 1..].iter().any(|(u, _)| u == t), "{t}");
        }
        assert!(!quirks("brand_new").known);
        assert!(quirks("llama").known);
        assert_eq!(quirks("gemma3_text").norms_per_layer, 4);
        assert_eq!(quirks("qwen2").o_bias, Some(false));
    }
}

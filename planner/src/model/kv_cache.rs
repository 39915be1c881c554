//! KV cache sizing per layer type.
//!
//! Full attention stores K and V for every token: `2 × kv_heads × head_dim × bytes` per layer,
//! with the config's explicit `head_dim` and GQA KV heads (never `hidden_size`). TP divides the
//! KV heads but each rank keeps at least one (vLLM `QKVParallelLinear` replicates them). MLA
//! layers store one latent of `kv_lora_rank + qk_rope_head_dim` per token, not doubled and not
//! divided by TP (vLLM `MLAAttentionSpec`). Sliding-window layers stop growing at the window.

use crate::model::config::{LayerKind, ModelConfig};

/// Element type of the KV cache.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum KvDtype {
    /// The model dtype (vLLM `--kv-cache-dtype auto`); fp16 for llama.cpp.
    #[default]
    Auto,
    /// 16-bit float.
    Fp16,
    /// bfloat16.
    Bf16,
    /// FP8 (e4m3/e5m2), one byte.
    Fp8,
    /// 32-bit float.
    Fp32,
    /// llama.cpp `-ctk/-ctv q8_0`: 34 bytes per 32 elements.
    Q8_0,
    /// llama.cpp `q4_0`: 18 bytes per 32 elements.
    Q4_0,
}

/// All KV dtypes in UI order.
pub const ALL_KV_DTYPES: [KvDtype; 7] = [
    KvDtype::Auto,
    KvDtype::Fp16,
    KvDtype::Bf16,
    KvDtype::Fp8,
    KvDtype::Fp32,
    KvDtype::Q8_0,
    KvDtype::Q4_0,
];

impl KvDtype {
    /// Stable id (URL, CLI).
    pub fn id(self) -> &'static str {
        match self {
            KvDtype::Auto => "auto",
            KvDtype::Fp16 => "fp16",
            KvDtype::Bf16 => "bf16",
            KvDtype::Fp8 => "fp8",
            KvDtype::Fp32 => "fp32",
            KvDtype::Q8_0 => "q8_0",
            KvDtype::Q4_0 => "q4_0",
        }
    }

    /// Parses an id; vLLM's `fp8_e4m3`/`fp8_e5m2` and `float16`/`bfloat16` spellings too.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(KvDtype::Auto),
            "fp16" | "f16" | "float16" | "half" => Some(KvDtype::Fp16),
            "bf16" | "bfloat16" => Some(KvDtype::Bf16),
            "fp8" | "fp8_e4m3" | "fp8_e5m2" => Some(KvDtype::Fp8),
            "fp32" | "f32" | "float32" => Some(KvDtype::Fp32),
            "q8_0" => Some(KvDtype::Q8_0),
            "q4_0" => Some(KvDtype::Q4_0),
            _ => None,
        }
    }

    /// Bytes per element as (numerator, denominator); `model_bytes` resolves `auto`.
    pub fn bytes(self, model_bytes: u64) -> (u64, u64) {
        match self {
            KvDtype::Auto => (model_bytes, 1),
            KvDtype::Fp16 | KvDtype::Bf16 => (2, 1),
            KvDtype::Fp8 => (1, 1),
            KvDtype::Fp32 => (4, 1),
            KvDtype::Q8_0 => (34, 32),
            KvDtype::Q4_0 => (18, 32),
        }
    }
}

/// Per-GPU KV cost of one token, split by layer kind.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct KvPerToken {
    /// Bytes per token over full-attention (and MLA) layers.
    pub full: u64,
    /// Bytes per token over sliding-window layers.
    pub sliding: u64,
    /// The window of the sliding layers (0 if none).
    pub window: u64,
    /// Constant recurrent state per sequence (linear-attention layers), bytes.
    pub state_per_seq: u64,
}

impl KvPerToken {
    /// Bytes per token if every layer stored every token (vLLM's capacity unit).
    pub fn total(self) -> u64 {
        self.full + self.sliding
    }
}

/// KV bytes per token on one GPU for tensor parallelism `tp` and pipeline parallelism `pp`
/// (the most loaded stage holds `ceil(layers / pp)` layers). `model_bytes` is the activation
/// dtype width used by `auto` (2 for bf16/fp16 checkpoints, 4 for fp32).
pub fn kv_per_token(
    cfg: &ModelConfig,
    dtype: KvDtype,
    model_bytes: u64,
    tp: u64,
    pp: u64,
) -> KvPerToken {
    let (num, den) = dtype.bytes(model_bytes);
    let tp = tp.max(1);
    let per_layer = match &cfg.mla {
        // One latent + rope key per token per layer, whole on every rank.
        Some(m) => (m.kv_lora_rank + m.qk_rope_head_dim) * num / den,
        None => {
            let heads = (cfg.num_kv_heads / tp).max(1);
            2 * heads * cfg.head_dim * num / den
        }
    };
    let layers = cfg.layers.len().max(1) as u64;
    let pp = pp.clamp(1, layers);
    let stage = layers.div_ceil(pp);
    let (mut full, mut sliding, mut window, mut state) = (0, 0, 0, 0);
    for kind in &cfg.layers {
        match kind {
            // The recurrent state is kept in the model dtype whatever the KV dtype
            // (vLLM `mamba_ssm_cache_dtype: auto`).
            LayerKind::Linear(la) => state += la.state_elems(tp) * model_bytes,
            LayerKind::Full => full += per_layer,
            LayerKind::Sliding { window: w } => {
                sliding += per_layer;
                window = window.max(*w);
            }
        }
    }
    // Scale to the layers of one pipeline stage, keeping the mix of kinds.
    KvPerToken {
        full: full * stage / layers,
        sliding: sliding * stage / layers,
        window,
        state_per_seq: state * stage / layers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(json: &str) -> ModelConfig {
        ModelConfig::from_json_str(json).unwrap()
    }

    const LLAMA31_8B: &str = r#"{"model_type":"llama","hidden_size":4096,"intermediate_size":14336,
        "max_position_embeddings":131072,"num_attention_heads":32,"num_hidden_layers":32,
        "num_key_value_heads":8,"vocab_size":128256}"#;

    #[test]
    fn gqa_uses_kv_heads_not_hidden_size() {
        // 2 × 32 layers × 8 KV heads × 128 × 2 B = 131,072 B/token. vLLM 0.19 on H100 printed
        // "Available KV cache memory: … GiB | GPU KV cache size: … tokens" consistent with it
        // (planner/tests/data/measured.csv, Llama-3.1-8B-Instruct rows). hidden_size would give 4×.
        let c = cfg(LLAMA31_8B);
        let kv = kv_per_token(&c, KvDtype::Auto, 2, 1, 1);
        assert_eq!(kv.total(), 131_072);
        assert_eq!(kv_per_token(&c, KvDtype::Fp8, 2, 1, 1).total(), 65_536);
    }

    #[test]
    fn tp_divides_kv_heads_but_never_below_one() {
        let c = cfg(LLAMA31_8B);
        assert_eq!(kv_per_token(&c, KvDtype::Auto, 2, 2, 1).total(), 65_536);
        assert_eq!(kv_per_token(&c, KvDtype::Auto, 2, 8, 1).total(), 16_384);
        // TP 16 > 8 KV heads: each rank still caches one head.
        assert_eq!(kv_per_token(&c, KvDtype::Auto, 2, 16, 1).total(), 16_384);
    }

    #[test]
    fn mla_caches_the_latent_and_is_not_split_by_tp() {
        // DeepSeek-V3: 61 layers × (512 + 64) × 2 B = 70,272 B/token (peers.md §5.2).
        let c = cfg(
            r#"{"model_type":"deepseek_v3","hidden_size":7168,"intermediate_size":18432,
            "moe_intermediate_size":2048,"n_routed_experts":256,"n_shared_experts":1,
            "num_experts_per_tok":8,"first_k_dense_replace":3,"max_position_embeddings":163840,
            "num_attention_heads":128,"num_hidden_layers":61,"num_key_value_heads":128,
            "kv_lora_rank":512,"q_lora_rank":1536,"qk_nope_head_dim":128,"qk_rope_head_dim":64,
            "v_head_dim":128,"vocab_size":129280}"#,
        );
        assert_eq!(kv_per_token(&c, KvDtype::Auto, 2, 1, 1).total(), 70_272);
        assert_eq!(kv_per_token(&c, KvDtype::Auto, 2, 8, 1).total(), 70_272);
    }

    #[test]
    fn linear_attention_layers_hold_a_constant_state() {
        // Qwen3-Next-80B-A3B shape (config.json: 48 layers, 3 linear : 1 full, 16 key heads,
        // 32 value heads, head dims 128, conv kernel 4; full layers 2 KV heads × 256).
        let types: Vec<String> = (0..48)
            .map(|i| {
                if (i + 1) % 4 == 0 {
                    "\"full_attention\""
                } else {
                    "\"linear_attention\""
                }
                .to_string()
            })
            .collect();
        let c = cfg(&format!(
            r#"{{"model_type":"qwen3_next","hidden_size":2048,"intermediate_size":5120,
            "max_position_embeddings":262144,"num_attention_heads":16,"num_hidden_layers":48,
            "num_key_value_heads":2,"head_dim":256,"vocab_size":151936,
            "linear_num_key_heads":16,"linear_num_value_heads":32,"linear_key_head_dim":128,
            "linear_value_head_dim":128,"linear_conv_kernel_dim":4,"layer_types":[{}]}}"#,
            types.join(",")
        ));
        let kv = kv_per_token(&c, KvDtype::Auto, 2, 1, 1);
        // Only the 12 full layers grow with context: 12 × 2 × 2 × 256 × 2 B.
        assert_eq!(kv.total(), 12 * 2 * 2 * 256 * 2);
        // Each of the 36 linear layers: conv 3 × (2·2048 + 4096) + recurrent 32 × 128 × 128.
        let per_layer = 3 * (2 * 2048 + 4096) + 32 * 128 * 128;
        assert_eq!(kv.state_per_seq, 36 * per_layer * 2);
        // TP 2 halves both parts.
        assert_eq!(
            kv_per_token(&c, KvDtype::Auto, 2, 2, 1).state_per_seq,
            36 * per_layer
        );
    }

    #[test]
    fn sliding_layers_are_counted_apart() {
        // Gemma 2 alternates sliding (even) and global (odd) layers.
        let c = cfg(
            r#"{"model_type":"gemma2","hidden_size":3584,"intermediate_size":14336,
            "max_position_embeddings":8192,"num_attention_heads":16,"num_hidden_layers":42,
            "num_key_value_heads":8,"head_dim":256,"sliding_window":4096,"vocab_size":256000}"#,
        );
        let kv = kv_per_token(&c, KvDtype::Auto, 2, 1, 1);
        assert_eq!(kv.full, 21 * 2 * 8 * 256 * 2);
        assert_eq!(kv.sliding, 21 * 2 * 8 * 256 * 2);
        assert_eq!(kv.window, 4096);
    }
}

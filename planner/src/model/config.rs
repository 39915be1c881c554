//! A model's architecture as the planner reads it from a Hugging Face `config.json`: the
//! types. Reading them is `read.rs` (with `read_layers.rs` and the family table `quirks.rs`);
//! the tensors they imply are `tensors.rs`.

use crate::units::{add, mul};

/// Numeric type of a tensor or cache element.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Dtype {
    /// 32-bit float.
    Fp32,
    /// 16-bit IEEE float.
    Fp16,
    /// bfloat16.
    Bf16,
}

impl Dtype {
    /// Bytes per element.
    pub const fn bytes(self) -> u64 {
        match self {
            Dtype::Fp32 => 4,
            Dtype::Fp16 | Dtype::Bf16 => 2,
        }
    }
}

/// Mixture-of-experts feed-forward layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moe {
    /// Routed experts per MoE layer (`num_local_experts`, `num_experts`, `n_routed_experts`).
    pub num_experts: u64,
    /// Experts each token is routed to; speed only, never memory.
    pub experts_per_token: u64,
    /// Intermediate size of one routed expert.
    pub expert_intermediate: u64,
    /// Total intermediate size of the shared expert(s), 0 if none.
    pub shared_intermediate: u64,
    /// Qwen2-MoE's sigmoid gate on the shared expert (`shared_expert_gate`, hidden × 1).
    pub shared_expert_gate: bool,
    /// Router and expert projections carry biases (gpt-oss).
    pub biases: bool,
    /// DeepSeek-V3's `e_score_correction_bias` (one per expert).
    pub score_correction_bias: bool,
}

/// Multi-head latent attention (DeepSeek V2/V3, Kimi K2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mla {
    /// Rank of the compressed KV latent; this is what the cache stores.
    pub kv_lora_rank: u64,
    /// Rank of the compressed query, if queries are compressed.
    pub q_lora_rank: Option<u64>,
    /// Per-head query/key dims without rotary position.
    pub qk_nope_head_dim: u64,
    /// Rotary dims, shared by all heads and cached beside the latent.
    pub qk_rope_head_dim: u64,
    /// Per-head value dim.
    pub v_head_dim: u64,
}

/// How one decoder layer attends.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LayerKind {
    /// Attends to the whole context.
    Full,
    /// Attends to the last `window` tokens only.
    Sliding {
        /// `sliding_window` from the config.
        window: u64,
    },
    /// Linear attention (Gated DeltaNet, Qwen3-Next `linear_attention`): a fixed recurrent
    /// state per sequence, whatever the context.
    Linear(LinearAttention),
}

/// Shape of a Gated DeltaNet layer (Qwen3-Next `linear_*` config fields).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct LinearAttention {
    /// `linear_num_key_heads`.
    pub key_heads: u64,
    /// `linear_num_value_heads`.
    pub value_heads: u64,
    /// `linear_key_head_dim`.
    pub key_head_dim: u64,
    /// `linear_value_head_dim`.
    pub value_head_dim: u64,
    /// `linear_conv_kernel_dim`.
    pub conv_kernel: u64,
}

impl LinearAttention {
    /// State elements per sequence on one of `tp` ranks, as vLLM's
    /// `MambaStateShapeCalculator.gated_delta_net_state_shape`: the conv state
    /// `(kernel − 1) × (2·key_dim + value_dim) / tp` plus the recurrent state
    /// `value_heads/tp × key_head_dim × value_head_dim`.
    pub fn state_elems(&self, tp: u64) -> u64 {
        let tp = tp.max(1);
        let conv = mul(&[self.conv_kernel.saturating_sub(1), self.conv_width()]) / tp;
        let recurrent = mul(&[
            self.value_heads.div_ceil(tp),
            self.key_head_dim,
            self.value_head_dim,
        ]);
        add(&[conv, recurrent])
    }

    /// `linear_num_key_heads × linear_key_head_dim`.
    pub fn key_dim(&self) -> u64 {
        mul(&[self.key_heads, self.key_head_dim])
    }

    /// `linear_num_value_heads × linear_value_head_dim`.
    pub fn value_dim(&self) -> u64 {
        mul(&[self.value_heads, self.value_head_dim])
    }

    /// Channels of the causal conv1d: q, k and v (`2·key_dim + value_dim`).
    pub fn conv_width(&self) -> u64 {
        add(&[self.key_dim(), self.key_dim(), self.value_dim()])
    }
}

/// The architecture fields the planner needs, read from a `config.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelConfig {
    /// `architectures[0]`, e.g. `LlamaForCausalLM`.
    pub architecture: String,
    /// `model_type`, e.g. `llama`.
    pub model_type: String,
    /// `num_hidden_layers`.
    pub num_layers: u64,
    /// `hidden_size`.
    pub hidden_size: u64,
    /// `num_attention_heads`.
    pub num_heads: u64,
    /// `num_key_value_heads` (defaults to `num_attention_heads`: MHA).
    pub num_kv_heads: u64,
    /// `head_dim` when the config states it, else `hidden_size / num_attention_heads`.
    pub head_dim: u64,
    /// Dense MLP `intermediate_size`.
    pub intermediate_size: u64,
    /// `vocab_size`.
    pub vocab_size: u64,
    /// `tie_word_embeddings` (lm_head shares the embedding matrix).
    pub tie_word_embeddings: bool,
    /// `max_position_embeddings`.
    pub max_position_embeddings: u64,
    /// `torch_dtype` (or `dtype`) of the published checkpoint.
    pub dtype: Dtype,
    /// q/k/v projections have biases (Qwen2, gpt-oss, `attention_bias: true`).
    pub qkv_bias: bool,
    /// The output projection has a bias (gpt-oss, Phi-2, `attention_bias` in Llama).
    pub o_bias: bool,
    /// MLP projections have biases (`mlp_bias`, Phi-2).
    pub mlp_bias: bool,
    /// Per-head RMSNorm on q and k (Qwen3, Gemma 3).
    pub qk_norm: bool,
    /// Gated (SwiGLU/GeGLU: gate, up, down) rather than plain (fc1, fc2) MLP.
    pub gated_mlp: bool,
    /// Norms per decoder layer (2 for Llama, 4 for Gemma 2/3 sandwich norms, 1 for Phi-2).
    pub norms_per_layer: u64,
    /// LayerNorm with bias (2 vectors) rather than RMSNorm (1 vector).
    pub norm_bias: bool,
    /// gpt-oss attention sinks: one learned scalar per head per layer.
    pub attention_sinks: bool,
    /// Mixture-of-experts layout, if any.
    pub moe: Option<Moe>,
    /// Indices of layers whose MLP is MoE (empty when `moe` is `None`).
    pub moe_layers: Vec<bool>,
    /// Multi-head latent attention, if any.
    pub mla: Option<Mla>,
    /// Attention kind of each layer.
    pub layers: Vec<LayerKind>,
    /// The checkpoint's own storage format (`quantization_config`, else `torch_dtype`).
    pub native_format: NativeFormat,
    /// The vision encoder and projector of a multimodal checkpoint, if any.
    pub vision: Option<super::vision::VisionTower>,
    /// Block-FP8 checkpoints: `quantization_config.weight_block_size` `[block_n, block_k]`
    /// (DeepSeek-V3, Qwen3-…-FP8); the engines refuse a TP whose shards split a block.
    pub fp8_block: Option<(u64, u64)>,
    /// Rows of vLLM's rotary cos/sin cache (`max_position_embeddings`, or the YaRN/LongRoPE
    /// original length × factor), and its width (`rotary_dim`).
    pub rope_cache: (u64, u64),
    /// The checkpoint's exact bytes, read from its headers (`None`: priced from this config).
    /// They replace the priced weights on the row of the format they are stored in
    /// ([`ModelConfig::exact_for`]); TP and PP split them as they split the priced ones
    /// (`model::weights`).
    pub exact_weights: Option<Box<crate::checkpoint::CheckpointBytes>>,
}

/// How the published checkpoint stores its weights.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NativeFormat {
    /// Plain tensors of `torch_dtype`.
    Dtype(Dtype),
    /// MXFP4 experts, bf16 elsewhere (`quant_method: mxfp4`, gpt-oss).
    Mxfp4,
    /// FP8 weights (`quant_method: fp8`, DeepSeek-V3 block FP8, compressed-tensors FP8).
    Fp8,
    /// compressed-tensors INT4 W4A16, group 128, symmetric.
    W4a16,
    /// compressed-tensors INT4, group 32, symmetric (Kimi-K2.5).
    W4a16G32,
    /// AutoAWQ 4-bit.
    Awq,
    /// AutoGPTQ 4-bit.
    Gptq,
}

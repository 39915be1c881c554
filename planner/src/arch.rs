//! Model architecture from a Hugging Face `config.json`, and the tensors it implies.
//!
//! The planner never guesses a parameter count: it lists every tensor the config implies
//! (embeddings, lm_head unless tied, attention projections with the family's biases, gated or
//! plain MLP, MoE experts, shared experts and router, MLA projections, norms) the way the
//! reference implementations in `transformers/models/*/modeling_*.py` and
//! `vllm/model_executor/models/*.py` declare them. Weight memory is then priced per tensor
//! class in `weights.rs`.

use crate::error::ConfigError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Numeric type of a tensor or cache element.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    fn key_dim(&self) -> u64 {
        mul(&[self.key_heads, self.key_head_dim])
    }

    /// `linear_num_value_heads × linear_value_head_dim`.
    fn value_dim(&self) -> u64 {
        mul(&[self.value_heads, self.value_head_dim])
    }

    /// Channels of the causal conv1d: q, k and v (`2·key_dim + value_dim`).
    fn conv_width(&self) -> u64 {
        add(&[self.key_dim(), self.key_dim(), self.value_dim()])
    }
}

/// Saturating product. A hostile config's dimensions can multiply past what `u64` holds; the
/// result then pins at `u64::MAX`, which [`ModelConfig::from_json`]'s size check refuses,
/// instead of wrapping to a small number that would look like a model that fits.
pub fn mul(factors: &[u64]) -> u64 {
    factors.iter().fold(1u64, |a, &b| a.saturating_mul(b))
}

/// Saturating sum (see [`mul`]).
pub fn add(terms: &[u64]) -> u64 {
    terms.iter().fold(0u64, |a, &b| a.saturating_add(b))
}

/// The architecture fields the planner needs, read from a `config.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Rows of vLLM's rotary cos/sin cache (`max_position_embeddings`, or the YaRN/LongRoPE
    /// original length × factor), and its width (`rotary_dim`).
    pub rope_cache: (u64, u64),
}

/// How the published checkpoint stores its weights.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NativeFormat {
    /// Plain tensors of `torch_dtype`.
    Dtype(Dtype),
    /// MXFP4 experts, bf16 elsewhere (`quant_method: mxfp4`, gpt-oss).
    Mxfp4,
    /// FP8 weights (`quant_method: fp8`, DeepSeek-V3 block FP8, compressed-tensors FP8).
    Fp8,
    /// compressed-tensors INT4 W4A16, group 128, symmetric.
    W4a16,
    /// AutoAWQ 4-bit.
    Awq,
    /// AutoGPTQ 4-bit.
    Gptq,
}

/// A class of quantizable linear weight, `count` matrices of `in_features × out_features`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Linear {
    /// Input features (the dimension quantization groups run along).
    pub in_features: u64,
    /// Output features.
    pub out_features: u64,
    /// How many such matrices the model has.
    pub count: u64,
    /// Routed-expert weight (mxfp4 checkpoints quantize only these).
    pub expert: bool,
    /// Which projection this is; llama.cpp's K-quant mixes give V and down more bits.
    pub role: Role,
    /// How tensor parallelism splits it.
    pub split: TpSplit,
}

/// The projection a linear weight implements.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Query (or MLA query/latent) and output projections.
    Attention,
    /// Key projection.
    Key,
    /// Value projection.
    Value,
    /// Gate/up (fc1) projections.
    Up,
    /// Down (fc2) projection.
    Down,
}

/// How a tensor is divided across tensor-parallel ranks (vLLM `linear.py`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TpSplit {
    /// Divided evenly by TP (column/row parallel, vocab parallel).
    Even,
    /// K/V projections: divided by TP, but each rank keeps at least one KV head
    /// (`QKVParallelLinear` replicates KV heads when TP > num_kv_heads).
    KvHeads,
    /// Replicated on every rank (norms, router, MLA latent projections).
    Replicated,
}

/// The model's tensors, grouped by how they are stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tensors {
    /// Quantizable linear layers.
    pub linears: Vec<Linear>,
    /// Input embedding elements (vocab × hidden).
    pub embedding: u64,
    /// Output head elements (0 when tied).
    pub lm_head: u64,
    /// Norm weights, biases, router, sinks: kept in 16-bit by every quantized format.
    pub small: u64,
}

impl Tensors {
    /// Total parameter count.
    pub fn param_count(&self) -> u64 {
        self.linears
            .iter()
            .map(|l| mul(&[l.in_features, l.out_features, l.count]))
            .fold(add(&[self.embedding, self.lm_head, self.small]), |a, b| {
                a.saturating_add(b)
            })
    }

    /// Adds `n` elements to the small tensors (saturating, see [`mul`]).
    fn add_small(&mut self, n: u64) {
        self.small = self.small.saturating_add(n);
    }
}

fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

fn uint(obj: &Map<String, Value>, key: &'static str) -> Result<Option<u64>, ConfigError> {
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

/// Most parameters a config may imply: 10 trillion, five times the largest published model
/// (Kimi K2, ~1.04 T) and far past anything a GPU grid can hold.
pub const MAX_PARAMS: u64 = 10_000_000_000_000;
/// Most KV-cache bytes one token may need at 32-bit precision over all layers on one GPU:
/// 64 MiB, about 30 times GPT-3 175B's 96 layers × 2 × 12,288 × 2 bytes.
pub const MAX_KV_BYTES_PER_TOKEN: u64 = 64 << 20;
/// Most recurrent state one sequence may need at 32-bit precision (linear-attention layers):
/// 16 GiB, hundreds of times Qwen3-Next-80B's.
pub const MAX_STATE_BYTES_PER_SEQUENCE: u64 = 16 << 30;

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

fn required(obj: &Map<String, Value>, key: &'static str) -> Result<u64, ConfigError> {
    match uint(obj, key)? {
        None => Err(ConfigError::Missing(key)),
        Some(0) => Err(ConfigError::Invalid {
            field: key,
            problem: "must be positive, got 0".into(),
        }),
        Some(n) => Ok(n),
    }
}

fn boolean(obj: &Map<String, Value>, key: &'static str) -> Result<Option<bool>, ConfigError> {
    match get(obj, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(ConfigError::Invalid {
            field: key,
            problem: format!("must be true or false, got {}", short(v)),
        }),
    }
}

fn string<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
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

impl ModelConfig {
    /// Parses a `config.json` text.
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| ConfigError::NotJson(e.to_string()))?;
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
        let mt_owned = model_type.clone();
        let mt = mt_owned.as_str();
        let attention_bias = boolean(obj, "attention_bias")?;
        // Qwen2 and Qwen2-MoE always have q/k/v biases (modeling_qwen2.py: bias=True) and no
        // `attention_bias` key; Llama-style configs state it.
        let qkv_bias = attention_bias.unwrap_or(matches!(mt, "qwen2" | "qwen2_moe" | "phi"));
        let o_bias = match mt {
            "qwen2" | "qwen2_moe" => false,
            "phi" => true,
            _ => attention_bias.unwrap_or(false),
        };
        let mlp_bias = boolean(obj, "mlp_bias")?.unwrap_or(mt == "phi");
        let qk_norm = matches!(
            mt,
            "qwen3" | "qwen3_moe" | "gemma3" | "gemma3_text" | "olmo2"
        );
        let gated_mlp = !matches!(mt, "phi" | "gpt2" | "starcoder2");
        let norms_per_layer = match mt {
            "gemma2" | "gemma3" | "gemma3_text" => 4,
            // Parallel attention + MLP blocks share one input norm.
            "phi" | "cohere" => 1,
            _ => 2,
        };
        let norm_bias = matches!(mt, "phi" | "starcoder2");

        let intermediate_size = uint(obj, "intermediate_size")?.unwrap_or(0);
        let (moe, moe_layers) = read_moe(obj, mt, num_layers, intermediate_size)?;
        // Llama 4's dense layers use `intermediate_size_mlp`; `intermediate_size` is the expert's.
        let intermediate_size = match uint(obj, "intermediate_size_mlp")? {
            Some(n) if mt == "llama4_text" => n,
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
        let layers = read_layers(obj, mt, num_layers)?
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
            // The family's config class default when the key is absent (transformers
            // `configuration_gemma*.py` and `configuration_cohere.py` default to tied; Llama,
            // Qwen, Mistral, Phi and the rest to untied).
            tie_word_embeddings: boolean(obj, "tie_word_embeddings")?.unwrap_or(matches!(
                mt,
                "gemma" | "gemma2" | "gemma3" | "gemma3_text" | "cohere" | "cohere2"
            )),
            max_position_embeddings,
            dtype,
            qkv_bias,
            o_bias,
            mlp_bias,
            qk_norm,
            gated_mlp,
            norms_per_layer,
            norm_bias,
            attention_sinks: mt == "gpt_oss",
            native_format: read_native(obj, dtype),
            rope_cache: read_rope(obj, max_position_embeddings, head_dim, &mla),
            moe,
            moe_layers,
            mla,
            layers,
        };
        config.check_size()?;
        Ok(config)
    }

    /// Refuses a config whose derived sizes are implausible even when each field is within its
    /// own bound: fields multiply, and four linear-attention layers of 4M heads × 4M dims
    /// would otherwise wrap around `u64` and come out as a small model. Every sum and product
    /// here saturates, so a value past `u64::MAX` is caught as too large, never wrapped.
    fn check_size(&self) -> Result<(), ConfigError> {
        let too_large = |what: &'static str, value: u64, limit: u64| {
            if value > limit {
                Err(ConfigError::TooLarge { what, value, limit })
            } else {
                Ok(())
            }
        };
        too_large("parameters", self.param_count(), MAX_PARAMS)?;
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
            "KV-cache bytes per token",
            mul(&[per_layer, attention, 4]),
            MAX_KV_BYTES_PER_TOKEN,
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
            "recurrent-state bytes per sequence",
            state,
            MAX_STATE_BYTES_PER_SEQUENCE,
        )
    }

    /// Every tensor of the model (vLLM loads exactly these; multi-token-prediction heads that
    /// DeepSeek-V3 checkpoints carry are not loaded by default and are not counted).
    pub fn tensors(&self) -> Tensors {
        let h = self.hidden_size;
        let l = self.num_layers;
        let mut t = Tensors {
            embedding: mul(&[self.vocab_size, h]),
            lm_head: if self.tie_word_embeddings {
                0
            } else {
                mul(&[self.vocab_size, h])
            },
            ..Tensors::default()
        };
        let norm = if self.norm_bias { 2 * h } else { h };
        t.add_small(mul(&[norm, add(&[mul(&[self.norms_per_layer, l]), 1])])); // + final norm
        if self.model_type == "phi" {
            t.add_small(self.vocab_size); // lm_head bias (modeling_phi.py)
        }
        let lin = |i, o, count, split| Linear {
            in_features: i,
            out_features: o,
            count,
            expert: false,
            role: Role::Attention,
            split,
        };
        // Attention on attention layers; Gated DeltaNet projections on linear ones
        // (modeling_qwen3_next.py: in_proj_qkvz, in_proj_ba, conv1d, dt_bias, A_log, norm,
        // out_proj).
        let linear: Vec<LinearAttention> = self
            .layers
            .iter()
            .filter_map(|k| match k {
                LayerKind::Linear(la) => Some(*la),
                _ => None,
            })
            .collect();
        for la in &linear {
            let (key_dim, value_dim) = (la.key_dim(), la.value_dim());
            t.linears.push(lin(
                h,
                add(&[key_dim, key_dim, value_dim, value_dim]),
                1,
                TpSplit::Even,
            ));
            t.linears
                .push(lin(h, mul(&[2, la.value_heads]), 1, TpSplit::Even));
            t.linears.push(lin(value_dim, h, 1, TpSplit::Even));
            t.add_small(add(&[
                mul(&[la.conv_width(), la.conv_kernel]),
                mul(&[2, la.value_heads]),
                la.value_head_dim,
            ]));
        }
        let l = l - linear.len() as u64;
        let (nh, hd) = (self.num_heads, self.head_dim);
        if let Some(m) = &self.mla {
            let qk = add(&[m.qk_nope_head_dim, m.qk_rope_head_dim]);
            match m.q_lora_rank {
                Some(r) => {
                    t.linears.push(lin(h, r, l, TpSplit::Replicated));
                    t.linears.push(lin(r, mul(&[nh, qk]), l, TpSplit::Even));
                    t.add_small(mul(&[r, l])); // q_a_layernorm
                }
                None => t.linears.push(lin(h, mul(&[nh, qk]), l, TpSplit::Even)),
            }
            t.linears.push(lin(
                h,
                add(&[m.kv_lora_rank, m.qk_rope_head_dim]),
                l,
                TpSplit::Replicated,
            ));
            t.add_small(mul(&[m.kv_lora_rank, l])); // kv_a_layernorm
            t.linears.push(lin(
                m.kv_lora_rank,
                mul(&[nh, add(&[m.qk_nope_head_dim, m.v_head_dim])]),
                l,
                TpSplit::Even,
            ));
            t.linears
                .push(lin(mul(&[nh, m.v_head_dim]), h, l, TpSplit::Even));
        } else {
            let nkv = self.num_kv_heads;
            t.linears.push(lin(h, mul(&[nh, hd]), l, TpSplit::Even));
            t.linears.push(Linear {
                role: Role::Key,
                ..lin(h, mul(&[nkv, hd]), l, TpSplit::KvHeads)
            });
            t.linears.push(Linear {
                role: Role::Value,
                ..lin(h, mul(&[nkv, hd]), l, TpSplit::KvHeads)
            });
            t.linears.push(lin(mul(&[nh, hd]), h, l, TpSplit::Even));
            if self.qkv_bias {
                t.add_small(mul(&[add(&[nh, nkv, nkv]), hd, l]));
            }
            if self.o_bias {
                t.add_small(mul(&[h, l]));
            }
            if self.qk_norm {
                t.add_small(mul(&[2, hd, l]));
            }
        }
        if self.attention_sinks {
            t.add_small(mul(&[nh, l]));
        }
        let l = self.num_layers;
        // Feed-forward.
        let dense_layers = self.moe_layers.iter().filter(|m| !**m).count() as u64;
        let moe_layers = l - dense_layers;
        let mats = if self.gated_mlp { 2 } else { 1 };
        let mlp = |t: &mut Tensors, inter: u64, count: u64, expert: bool| {
            t.linears.push(Linear {
                in_features: h,
                out_features: inter,
                count: mul(&[mats, count]),
                expert,
                role: Role::Up,
                split: TpSplit::Even,
            });
            t.linears.push(Linear {
                in_features: inter,
                out_features: h,
                count,
                expert,
                role: Role::Down,
                split: TpSplit::Even,
            });
        };
        if dense_layers > 0 {
            mlp(&mut t, self.intermediate_size, dense_layers, false);
            if self.mlp_bias {
                t.add_small(mul(&[
                    add(&[mul(&[mats, self.intermediate_size]), h]),
                    dense_layers,
                ]));
            }
        }
        if let Some(m) = &self.moe {
            let experts = mul(&[m.num_experts, moe_layers]);
            mlp(&mut t, m.expert_intermediate, experts, true);
            t.add_small(mul(&[h, experts])); // router
            if m.biases {
                t.add_small(experts); // router bias
                t.add_small(mul(&[
                    add(&[m.expert_intermediate, m.expert_intermediate, h]),
                    experts,
                ]));
            }
            if m.score_correction_bias {
                t.add_small(experts);
            }
            if m.shared_intermediate > 0 {
                mlp(&mut t, m.shared_intermediate, moe_layers, false);
            }
            if m.shared_expert_gate {
                t.add_small(mul(&[h, moe_layers]));
            }
        }
        t
    }

    /// Parameter count implied by the config.
    pub fn param_count(&self) -> u64 {
        self.tensors().param_count()
    }
}

fn read_native(obj: &Map<String, Value>, dtype: Dtype) -> NativeFormat {
    let Some(q) = get(obj, "quantization_config").and_then(Value::as_object) else {
        return NativeFormat::Dtype(dtype);
    };
    let bits = q
        .get("num_bits")
        .or_else(|| q.get("bits"))
        .and_then(Value::as_u64);
    match q.get("quant_method").and_then(Value::as_str).unwrap_or("") {
        "mxfp4" => NativeFormat::Mxfp4,
        "fp8" | "fbgemm_fp8" => NativeFormat::Fp8,
        "awq" => NativeFormat::Awq,
        "gptq" => NativeFormat::Gptq,
        "compressed-tensors" if bits == Some(4) => NativeFormat::W4a16,
        "compressed-tensors" => NativeFormat::Fp8,
        _ => NativeFormat::Dtype(dtype),
    }
}

/// vLLM's rotary cache: `[max_position, rotary_dim]` in the model dtype
/// (`rotary_embedding.py` `_compute_cos_sin_cache`); YaRN and LongRoPE size it at
/// `original_max_position_embeddings × factor`; MLA rotates only `qk_rope_head_dim`.
fn read_rope(
    obj: &Map<String, Value>,
    max_pos: u64,
    head_dim: u64,
    mla: &Option<Mla>,
) -> (u64, u64) {
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

fn read_moe(
    obj: &Map<String, Value>,
    mt: &str,
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
        None if mt == "llama4_text" => expert_intermediate,
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
            let sparse = if mt.starts_with("deepseek") {
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
            shared_expert_gate: mt == "qwen2_moe",
            biases: mt == "gpt_oss",
            score_correction_bias: mt == "deepseek_v3" || mt == "kimi_k2",
        }),
        layers,
    ))
}

fn read_attention_layers(
    obj: &Map<String, Value>,
    mt: &str,
    num_layers: u64,
) -> Result<Vec<LayerKind>, ConfigError> {
    let n = num_layers as usize;
    if mt == "llama4_text" {
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
    if let Some(types) = get(obj, "layer_types").and_then(Value::as_array) {
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
                Some("sliding_attention") => LayerKind::Sliding { window },
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
            let sliding = match mt {
                // Gemma 2: even layers slide (modeling_gemma2.py `not bool(layer_idx % 2)`).
                "gemma2" => i % 2 == 0,
                // Gemma 3: every `sliding_window_pattern`-th layer (default 6) is global.
                "gemma3" | "gemma3_text" => {
                    let p = obj
                        .get("sliding_window_pattern")
                        .and_then(Value::as_u64)
                        .filter(|&p| p > 0)
                        .unwrap_or(6) as usize;
                    (i + 1) % p != 0
                }
                // Mistral v0.1 style: one window on every layer.
                _ => true,
            };
            if sliding {
                LayerKind::Sliding { window }
            } else {
                LayerKind::Full
            }
        })
        .collect())
}

fn read_layers(
    obj: &Map<String, Value>,
    mt: &str,
    num_layers: u64,
) -> Result<Vec<LayerKind>, ConfigError> {
    let mut layers = read_attention_layers(obj, mt, num_layers)?;
    if let Some(types) = get(obj, "layer_types").and_then(Value::as_array) {
        if types.iter().any(|t| t.as_str() == Some("linear_attention")) {
            let la = LinearAttention {
                key_heads: required(obj, "linear_num_key_heads")?,
                value_heads: required(obj, "linear_num_value_heads")?,
                key_head_dim: required(obj, "linear_key_head_dim")?,
                value_head_dim: required(obj, "linear_value_head_dim")?,
                conv_kernel: required(obj, "linear_conv_kernel_dim")?,
            };
            for (kind, t) in layers.iter_mut().zip(types) {
                if t.as_str() == Some("linear_attention") {
                    *kind = LayerKind::Linear(la);
                }
            }
        }
    }
    Ok(layers)
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

//! The tensors a config implies, grouped by how they are stored.
//!
//! The planner never guesses a parameter count: it lists every tensor the config implies
//! (embeddings, lm_head unless tied, attention projections with the family's biases, gated or
//! plain MLP, MoE experts, shared experts and router, MLA projections, norms) the way the
//! reference implementations in `transformers/models/*/modeling_*.py` and
//! `vllm/model_executor/models/*.py` declare them. Weight memory is then priced per tensor
//! class in `weights.rs`. Every product saturates ([`mul`]), so a hostile config cannot wrap.

use super::config::{LayerKind, LinearAttention, ModelConfig};
use crate::units::{add, mul};

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
    /// Which decoder layers hold it (llama.cpp's K-quant mixes pick layers by index).
    pub layers: Layers,
}

/// The decoder layers a linear class sits on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Layers {
    /// Every layer that has it, in order (attention, a dense model's MLP).
    All,
    /// The dense-MLP layers of an MoE model (`ModelConfig::moe_layers` false).
    Dense,
    /// The MoE layers (`ModelConfig::moe_layers` true).
    Moe,
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

impl ModelConfig {
    /// Decoder layers whose MLP is routed experts.
    pub fn moe_layer_count(&self) -> u64 {
        self.moe_layers.iter().filter(|&&m| m).count() as u64
    }

    /// Whether some layer has a dense MLP (`intermediate_size` is used): every layer of a
    /// dense model, DeepSeek-V3's first three.
    pub fn has_dense_mlp(&self) -> bool {
        self.moe.is_none() || self.moe_layers.iter().any(|&m| !m)
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
            layers: Layers::All,
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
        let mlp = |t: &mut Tensors, inter: u64, count: u64, expert: bool, layers: Layers| {
            t.linears.push(Linear {
                in_features: h,
                out_features: inter,
                count: mul(&[mats, count]),
                expert,
                role: Role::Up,
                split: TpSplit::Even,
                layers,
            });
            t.linears.push(Linear {
                in_features: inter,
                out_features: h,
                count,
                expert,
                role: Role::Down,
                split: TpSplit::Even,
                layers,
            });
        };
        let dense_set = if self.moe.is_some() {
            Layers::Dense
        } else {
            Layers::All
        };
        if dense_layers > 0 {
            mlp(
                &mut t,
                self.intermediate_size,
                dense_layers,
                false,
                dense_set,
            );
            if self.mlp_bias {
                t.add_small(mul(&[
                    add(&[mul(&[mats, self.intermediate_size]), h]),
                    dense_layers,
                ]));
            }
        }
        if let Some(m) = &self.moe {
            let experts = mul(&[m.num_experts, moe_layers]);
            mlp(&mut t, m.expert_intermediate, experts, true, Layers::Moe);
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
                mlp(
                    &mut t,
                    m.shared_intermediate,
                    moe_layers,
                    false,
                    Layers::Moe,
                );
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

//! Weight memory per GPU for each storage format.
//!
//! Every format prices each tensor class the way real checkpoints store it: quantized formats
//! quantize the linear projections and keep embeddings, lm_head, norms and routers in 16-bit
//! (AutoAWQ/AutoGPTQ/compressed-tensors `ignore: ["lm_head"]`); GGUF quantizes the embedding
//! too and keeps norms in F32 (llama.cpp `llama-quant.cpp`). Block and group sizes come from
//! the format definitions cited on each variant.

use crate::model::config::{Dtype, ModelConfig};
use crate::model::tensors::{Layers, Linear, Role, Tensors, TpSplit};
use crate::units::Bytes;

pub use super::format::{WeightFormat, ALL_FORMATS};

/// ggml block types, (bytes, elements) per block (`ggml.c` `type_traits`).
#[derive(Copy, Clone)]
enum Ggml {
    Mxfp4,
    Q8_0,
    Q6K,
    Q5K,
    Q4K,
    Q4_0,
}

impl Ggml {
    const fn block(self) -> (u64, u64) {
        match self {
            Ggml::Mxfp4 => (17, 32),
            Ggml::Q8_0 => (34, 32),
            Ggml::Q6K => (210, 256),
            Ggml::Q5K => (176, 256),
            Ggml::Q4K => (144, 256),
            Ggml::Q4_0 => (18, 32),
        }
    }

    /// Bytes of a `rows × cols` tensor quantized along `cols` (row-wise blocks).
    fn bytes(self, cols: u64, rows: u64) -> u64 {
        let (b, n) = self.block();
        cols.div_ceil(n) * b * rows
    }
}

/// llama.cpp `use_more_bits(i_layer, n_layers)` from `llama-quant.cpp`: the K_M mixes give
/// these layers' attn_v and ffn_down one more quant level (Q6_K).
fn use_more_bits(i: u64, n: u64) -> bool {
    i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2
}

/// The layer indices a linear class sits on and the `n` its K-quant rule divides by:
/// `attn_v` counts the attention layers that have one (`qs.n_attention_wv`, `i_attention_wv`);
/// `ffn_down` (and MoE models' `ffn_down_exps` / `_shexp`) the real block index over
/// `n_layer`, read from the tensor name (`llama-quant.cpp`), so DeepSeek-V3's and Kimi's
/// leading dense layers are layers 0..k.
fn promoted_layers(l: &Linear, cfg: &ModelConfig) -> Option<(u64, u64)> {
    let n = cfg.num_layers;
    match (l.role, l.layers) {
        (Role::Value, _) if l.count > 0 => {
            let more = (0..l.count).filter(|&k| use_more_bits(k, l.count)).count();
            Some((l.count, more as u64))
        }
        (Role::Down, Layers::All) => {
            let more = (0..n).filter(|&k| use_more_bits(k, n)).count();
            Some((n, more as u64))
        }
        (Role::Down, set) => {
            let on = |k: u64| {
                cfg.moe_layers.get(k as usize).copied().unwrap_or(false) == (set == Layers::Moe)
            };
            let held = (0..n).filter(|&k| on(k)).count() as u64;
            let more = (0..n).filter(|&k| on(k) && use_more_bits(k, n)).count() as u64;
            Some((held, more))
        }
        _ => None,
    }
}

/// Bytes of one class of linear weights (all its `count` matrices) at the given format.
fn linear_bytes(l: &Linear, f: WeightFormat, cfg: &ModelConfig) -> u64 {
    let dtype = cfg.dtype;
    let (i, o, c) = (l.in_features, l.out_features, l.count);
    let n = i * o * c;
    let groups = i.div_ceil(128) * o * c;
    let k_mix = |base: Ggml| match promoted_layers(l, cfg) {
        Some((held, more)) if held > 0 && c % held == 0 => {
            let per_layer = c / held;
            Ggml::Q6K.bytes(i, o) * per_layer * more + base.bytes(i, o) * per_layer * (held - more)
        }
        _ => base.bytes(i, o) * c,
    };
    match f {
        WeightFormat::Native => n * dtype.bytes(),
        WeightFormat::Fp32 => 4 * n,
        WeightFormat::Fp16 | WeightFormat::Bf16 => 2 * n,
        // 1 byte per weight + one 16-bit scale per output channel.
        WeightFormat::Fp8 | WeightFormat::Int8 => n + 2 * o * c,
        // Packed int4 + per group: fp16 scale (2 B) + 4-bit zero (0.5 B).
        WeightFormat::Awq => n / 2 + groups * 5 / 2,
        // Packed int4 + one 16-bit scale per group.
        WeightFormat::W4a16 => n / 2 + groups * 2,
        WeightFormat::W4a16G32 => n / 2 + i.div_ceil(32) * o * c * 2,
        // As AWQ, plus `g_idx` (int32 per input feature).
        WeightFormat::Gptq => n / 2 + groups * 5 / 2 + 4 * i * c,
        // 4-bit codes + 1 byte absmax per 64 + fp32 second-level scale per 256 blocks.
        WeightFormat::Nf4 => n / 2 + n.div_ceil(64) + 4 * n.div_ceil(64 * 256),
        WeightFormat::Mxfp4 => {
            if l.expert {
                n / 2 + n.div_ceil(32)
            } else {
                2 * n
            }
        }
        WeightFormat::Nvfp4 => n / 2 + n.div_ceil(16) + 4 * c,
        WeightFormat::Q8_0 => Ggml::Q8_0.bytes(i, o) * c,
        WeightFormat::Q6K => Ggml::Q6K.bytes(i, o) * c,
        WeightFormat::Q5KM => k_mix(Ggml::Q5K),
        WeightFormat::Q4KM => k_mix(Ggml::Q4K),
        WeightFormat::Q4_0 => Ggml::Q4_0.bytes(i, o) * c,
        WeightFormat::Mxfp4Moe if l.expert => Ggml::Mxfp4.bytes(i, o) * c,
        WeightFormat::Mxfp4Moe => Ggml::Q8_0.bytes(i, o) * c,
    }
}

/// Bytes per element of the tensors that stay unquantized (norms, biases, routers).
fn small_bytes(f: WeightFormat, dtype: Dtype) -> u64 {
    match f {
        WeightFormat::Fp32 => 4,
        // GGUF stores 1-D tensors (norms, biases) as F32.
        _ if f.is_gguf() => 4,
        WeightFormat::Native => dtype.bytes(),
        _ => 2,
    }
}

/// (embedding, lm_head) bytes: GGUF quantizes them (token_embd at the base type, output at
/// Q6_K unless the base is Q8_0/Q6_K); every other quantized format keeps them 16-bit.
fn embedding_bytes(t: &Tensors, h: u64, f: WeightFormat, dtype: Dtype) -> (u64, u64) {
    let rows = |n: u64| n / h.max(1);
    let (e, o) = (t.embedding, t.lm_head);
    let gg = |base: Ggml, out: Ggml| (base.bytes(h, rows(e)), out.bytes(h, rows(o)));
    match f {
        WeightFormat::Fp32 => (4 * e, 4 * o),
        WeightFormat::Native => (dtype.bytes() * e, dtype.bytes() * o),
        WeightFormat::Q8_0 => gg(Ggml::Q8_0, Ggml::Q8_0),
        WeightFormat::Q6K => gg(Ggml::Q6K, Ggml::Q6K),
        WeightFormat::Q5KM => gg(Ggml::Q5K, Ggml::Q6K),
        WeightFormat::Q4KM => gg(Ggml::Q4K, Ggml::Q6K),
        WeightFormat::Q4_0 => gg(Ggml::Q4_0, Ggml::Q6K),
        WeightFormat::Mxfp4Moe => gg(Ggml::Q8_0, Ggml::Q8_0),
        _ => (2 * e, 2 * o),
    }
}

/// Weight bytes on the most loaded GPU for tensor parallelism `tp` and pipeline parallelism
/// `pp`. TP divides linears, embedding and lm_head (vLLM `VocabParallelEmbedding`), but each
/// rank keeps at least one KV head and replicates norms, routers and MLA latent projections.
/// PP splits layers evenly (vLLM `get_pp_indices`); the first stage also holds the embedding
/// and the last the lm_head, so the larger of the two is the per-GPU figure.
///
/// On the row of the format the checkpoint is stored in ([`ModelConfig::exact_for`]) the
/// language model's header sum replaces the priced one, split over TP and PP in the priced proportion: the
/// same replicated norms, KV heads and embedding stages, scaled to the real total.
pub fn weight_bytes(cfg: &ModelConfig, format: WeightFormat, tp: u64, pp: u64) -> Bytes {
    let priced = priced_weight_bytes(cfg, format, tp, pp);
    match cfg.exact_for(format) {
        None => priced,
        Some(x) => {
            let whole = priced_weight_bytes(cfg, format, 1, 1).0;
            Bytes(scaled(x.language_model().0, priced.0, whole))
        }
    }
}

/// `x × part / whole` for `part ≤ whole` (`x` when `part` is the whole). In `f64`: byte counts
/// are below 2^53, so the share is within a byte of the exact one, without 128-bit division
/// in the wasm.
fn scaled(x: u64, part: u64, whole: u64) -> u64 {
    if part >= whole {
        return x;
    }
    (x as f64 * (part as f64 / whole as f64)) as u64
}

/// [`weight_bytes`] from the config alone.
fn priced_weight_bytes(cfg: &ModelConfig, format: WeightFormat, tp: u64, pp: u64) -> Bytes {
    let format = format.resolve(cfg);
    let tp = tp.max(1);
    let pp = pp.clamp(1, cfg.num_layers.max(1));
    let t = cfg.tensors();
    let dtype = cfg.dtype;
    let mut layer_bytes = 0u64;
    for l in &t.linears {
        let b = linear_bytes(l, format, cfg);
        layer_bytes += match l.split {
            TpSplit::Even => b / tp,
            TpSplit::Replicated => b,
            TpSplit::KvHeads => {
                let kv = cfg.num_kv_heads.max(1);
                b / kv * (kv / tp).max(1)
            }
        };
    }
    let small = t.small * small_bytes(format, dtype);
    let (emb, head) = embedding_bytes(&t, cfg.hidden_size, format, dtype);
    let (emb, head) = (emb / tp, head / tp);
    if pp == 1 {
        return Bytes(layer_bytes + small + emb + head);
    }
    let layers_per_stage = cfg.num_layers.div_ceil(pp);
    let stage = (layer_bytes + small) / cfg.num_layers * layers_per_stage;
    // With tied embeddings the last stage still needs its own copy of the matrix for lm_head.
    let last_head = if cfg.tie_word_embeddings { emb } else { head };
    Bytes(stage + emb.max(last_head))
}

/// A checkpoint's bytes by where llama.cpp can place them (`llama-model.cpp` `load_tensors`),
/// unsplit: the token embedding, the output layer (output norm + `output.weight`; for a tied
/// model the duplicate of `token_embd` llama.cpp loads as the output), the repeating layers
/// without their routed experts, and the routed experts.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct WeightParts {
    /// `token_embd`.
    pub embedding: u64,
    /// `output_norm` + `output` (the tied duplicate for tied models).
    pub output: u64,
    /// Every repeating layer's tensors but the routed experts.
    pub layers: u64,
    /// The routed experts of all MoE layers.
    pub experts: u64,
}

/// [`WeightParts`] of `cfg` stored as `format`.
/// With exact bytes, the header's own parts; a tied checkpoint stores no output matrix, so its
/// output part gains the embedding, as llama.cpp loads it twice (see [`WeightParts::output`]).
pub fn weight_parts(cfg: &ModelConfig, format: WeightFormat) -> WeightParts {
    if let Some(x) = cfg.exact_for(format) {
        let duplicate = cfg.tie_word_embeddings && x.output < x.embedding;
        return WeightParts {
            embedding: x.embedding.0,
            output: (x.output + if duplicate { x.embedding } else { Bytes::ZERO }).0,
            layers: x.layers.0,
            experts: x.experts.0,
        };
    }
    let format = format.resolve(cfg);
    let t = cfg.tensors();
    let (mut layers, mut experts) = (0u64, 0u64);
    for l in &t.linears {
        let b = linear_bytes(l, format, cfg);
        if l.expert {
            experts = experts.saturating_add(b);
        } else {
            layers = layers.saturating_add(b);
        }
    }
    let norm = small_bytes(format, cfg.dtype).saturating_mul(cfg.hidden_size);
    let small = t.small.saturating_mul(small_bytes(format, cfg.dtype));
    let (embedding, head) = embedding_bytes(&t, cfg.hidden_size, format, cfg.dtype);
    WeightParts {
        embedding,
        output: norm.saturating_add(if cfg.tie_word_embeddings {
            embedding
        } else {
            head
        }),
        layers: layers.saturating_add(small.saturating_sub(norm)),
        experts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn llama31_8b() -> ModelConfig {
        // meta-llama/Llama-3.1-8B config.json (planner/tests/data/model_configs.csv).
        ModelConfig::from_json_str(
            r#"{"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":4096,
            "intermediate_size":14336,"max_position_embeddings":131072,"num_attention_heads":32,
            "num_hidden_layers":32,"num_key_value_heads":8,"tie_word_embeddings":false,
            "torch_dtype":"bfloat16","vocab_size":128256}"#,
        )
        .unwrap()
    }

    #[test]
    fn bf16_is_two_bytes_per_parameter() {
        // Llama-3.1-8B has 8,030,261,248 parameters (safetensors total on the model page).
        let c = llama31_8b();
        assert_eq!(c.param_count(), 8_030_261_248);
        assert_eq!(
            weight_bytes(&c, WeightFormat::Bf16, 1, 1).0,
            2 * 8_030_261_248
        );
        assert_eq!(
            weight_bytes(&c, WeightFormat::Fp32, 1, 1).0,
            4 * 8_030_261_248
        );
    }

    #[test]
    fn quantized_formats_keep_embeddings_in_16_bit() {
        let c = llama31_8b();
        let emb_and_head = 2 * 2 * 128_256 * 4096; // two 16-bit vocab × hidden matrices
        let awq = weight_bytes(&c, WeightFormat::Awq, 1, 1).0;
        // Everything else is 4 bits + 2.5 bytes per group of 128: just over a quarter of bf16.
        let linear_params = 8_030_261_248 - 2 * 128_256 * 4096 - (2 * 32 + 1) * 4096;
        let expected_linear = linear_params / 2 + linear_params / 128 * 5 / 2;
        let small = (2 * 32 + 1) * 4096 * 2;
        assert_eq!(awq, emb_and_head + expected_linear + small);
    }

    #[test]
    fn tensor_parallel_never_splits_below_one_kv_head() {
        // 8 KV heads at TP 16: each rank still holds one full KV head of K and V.
        let c = llama31_8b();
        let tp8 = weight_bytes(&c, WeightFormat::Bf16, 8, 1).0;
        let tp16 = weight_bytes(&c, WeightFormat::Bf16, 16, 1).0;
        let kv_per_head = 2 * 32 * 4096 * 128 * 2; // K and V, 32 layers, bf16
        let norms = (2 * 32 + 1) * 4096 * 2; // replicated on every rank
        let split8 = tp8 - kv_per_head - norms;
        assert_eq!(
            tp16,
            split8 / 2 + norms + kv_per_head,
            "only split parts halve"
        );
    }

    /// One Llama layer, hidden 256, 4 heads / 2 KV heads of 64, MLP 512, vocab 1,024, untied:
    /// linears q 256×256, k/v 256×128, o 256×256, gate/up 256×512, down 512×256 (589,824
    /// weights), embedding and lm_head 262,144 each, 768 norm weights. Expected sizes worked
    /// by hand from each format's block layout (bitsandbytes blocks of 64 with fp32
    /// second-level scales per 256 blocks; NVFP4 FP8 scale per 16; ggml Q4_K 144 B and Q6_K
    /// 210 B per 256; AutoGPTQ scales + packed zeros per group of 128 and int32 g_idx).
    #[test]
    fn every_format_prices_a_hand_checked_layer() {
        let c = ModelConfig::from_json_str(
            r#"{"model_type":"llama","hidden_size":256,"intermediate_size":512,
            "max_position_embeddings":4096,"num_attention_heads":4,"num_hidden_layers":1,
            "num_key_value_heads":2,"vocab_size":1024}"#,
        )
        .unwrap();
        let b = |f| weight_bytes(&c, f, 1, 1).0;
        // INT8: 589,824 + 2 B per output channel (2,048) + 16-bit embeddings and norms.
        assert_eq!(b(WeightFormat::Int8), 589_824 + 4_096 + 1_048_576 + 1_536);
        // GPTQ: 294,912 packed + 4,608 groups × 2.5 B + g_idx 2,048 × 4 B.
        assert_eq!(
            b(WeightFormat::Gptq),
            294_912 + 11_520 + 8_192 + 1_048_576 + 1_536
        );
        // NF4: codes + 1 B absmax per 64 + 4 B per 16,384, per tensor class.
        assert_eq!(b(WeightFormat::Nf4), 304_272 + 1_048_576 + 1_536);
        // NVFP4: codes + 1 B per 16 + a 4 B global scale per matrix.
        assert_eq!(b(WeightFormat::Nvfp4), 331_804 + 1_048_576 + 1_536);
        // Q6_K everywhere, F32 norms.
        assert_eq!(b(WeightFormat::Q6K), 483_840 + 2 * 215_040 + 3_072);
        // Q4_K_M: with one layer, use_more_bits(0, 1) is true, so v and down are Q6_K;
        // token_embd Q4_K, output Q6_K.
        assert_eq!(b(WeightFormat::Q4KM), 374_016 + 147_456 + 215_040 + 3_072);
    }

    #[test]
    fn gguf_q8_0_is_34_bytes_per_32_weights() {
        let c = llama31_8b();
        let q8 = weight_bytes(&c, WeightFormat::Q8_0, 1, 1).0;
        let small = (2 * 32 + 1) * 4096 * 4; // F32 norms
        assert_eq!(q8, (8_030_261_248 - (2 * 32 + 1) * 4096) / 32 * 34 + small);
    }
}

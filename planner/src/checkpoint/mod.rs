//! Exact weight bytes from a checkpoint's own headers: the JSON header of each safetensors
//! shard (and the `model.safetensors.index.json` that lists them) or the header of a GGUF file.
//! A header states every tensor's type and shape, so its sum is what the engine reads from
//! disk: no estimate from `config.json` needed. The browser fetches only the first bytes of
//! each file (an HTTP Range); these readers work on that prefix and say how many more bytes
//! they need when it is too short ([`CheckpointError::NeedMore`]).
//!
//! Tensors are summed per stored type and per component, by name ([`classify`]): the token
//! embedding, the output layer, the repeating layers without their routed experts, the routed
//! experts, a vision tower with its projector, and other encoders (audio). The split mirrors
//! `WeightParts` (`model::weights`), so llama.cpp's per-layer placement can use it as is.

use crate::error::CheckpointError;
use crate::units::Bytes;

pub mod gguf;
mod query;
pub mod repo;
pub mod safetensors;

/// Where a tensor belongs, by its name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Component {
    /// The token embedding (`embed_tokens`, `token_embd`).
    Embedding,
    /// The final norm and the output projection (`lm_head`, `output`).
    Output,
    /// The repeating layers' tensors other than routed experts (and any tensor of the language
    /// model not named otherwise).
    Layers,
    /// Routed experts of MoE layers.
    Experts,
    /// A vision encoder and its projector.
    Vision,
    /// Another encoder (audio, speech) loaded beside the language model.
    Other,
}

/// Name segments of vision towers and projectors, as the modelling code of each family names
/// its submodules (transformers `modeling_gemma3.py` `vision_tower` / `multi_modal_projector`,
/// `modeling_qwen2_5_vl.py` `visual`, `modeling_mllama.py` `vision_model`, `modeling_llava.py`,
/// `modeling_llama4.py`, `modeling_gemma3n.py` `embed_vision`); GGUF mmproj files use `v.` and
/// `mm.` (llama.cpp `tools/mtmd/clip-impl.h`).
const VISION: [&str; 9] = [
    "vision_tower.",
    "visual.",
    "vision_model.",
    "multi_modal_projector.",
    "mm_projector.",
    "vision_encoder.",
    "embed_vision.",
    "vision_embed_tokens.",
    "vision_projection.",
];

/// Name segments of audio and speech encoders (`modeling_qwen2_audio.py` `audio_tower`,
/// `modeling_gemma3n.py` `audio_tower` / `embed_audio`, Phi-4-multimodal `audio_embed`).
const AUDIO: [&str; 5] = [
    "audio_tower.",
    "audio_model.",
    "audio_encoder.",
    "embed_audio.",
    "speech_encoder.",
];

/// Whether `name` has `segment` at its start or right after a dot.
fn has_segment(name: &str, segment: &str) -> bool {
    name.match_indices(segment)
        .any(|(i, _)| i == 0 || name.as_bytes().get(i - 1) == Some(&b'.'))
}

/// The component of a safetensors tensor (Hugging Face names) or a GGUF tensor (llama.cpp
/// names, `llama-arch.cpp`): routed experts are `…experts.…` (Mixtral `block_sparse_moe.experts`,
/// Qwen/DeepSeek `mlp.experts`, gpt-oss `mlp.experts.gate_up_proj_blocks`), Granite-MoE's fused
/// `block_sparse_moe.input_linear`/`output_linear`, and GGUF's `ffn_*_exps`; shared experts
/// (`shared_experts`, `shared_expert`, `ffn_*_shexp`) stay with the layers.
pub fn classify(name: &str) -> Component {
    if VISION.iter().any(|s| has_segment(name, s))
        || name.starts_with("v.")
        || name.starts_with("mm.")
    {
        return Component::Vision;
    }
    if AUDIO.iter().any(|s| has_segment(name, s)) {
        return Component::Other;
    }
    if has_segment(name, "experts.")
        || name.contains("block_sparse_moe.input_linear")
        || name.contains("block_sparse_moe.output_linear")
        || name.contains("_exps.")
        || name.ends_with("_exps")
    {
        return Component::Experts;
    }
    let last2 = {
        let mut it = name.rsplitn(3, '.');
        let _ = it.next();
        it.next().unwrap_or("")
    };
    if name.starts_with("token_embd.")
        || matches!(
            last2,
            "embed_tokens" | "wte" | "word_embeddings" | "tok_embeddings"
        )
    {
        return Component::Embedding;
    }
    if name.starts_with("output.")
        || name.starts_with("output_norm.")
        || has_segment(name, "lm_head.")
        || name.ends_with("model.norm.weight")
        || name.ends_with("model.norm.bias")
        || name.ends_with("transformer.ln_f.weight")
        || name.ends_with("transformer.ln_f.bias")
    {
        return Component::Output;
    }
    Component::Layers
}

/// A checkpoint's exact bytes: per stored type and per component. Components are disjoint and
/// sum to `total`, as do the types.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckpointBytes {
    /// Bytes per stored type (safetensors dtype names such as `BF16`, `I32`, `F8_E4M3`; ggml
    /// type names such as `q4_K`, `f32`), sorted by name.
    pub by_dtype: Vec<(String, Bytes)>,
    /// The token embedding.
    pub embedding: Bytes,
    /// The final norm and output projection (absent in a tied checkpoint: the embedding serves).
    pub output: Bytes,
    /// The repeating layers without their routed experts.
    pub layers: Bytes,
    /// The routed experts.
    pub experts: Bytes,
    /// The vision tower and projector.
    pub vision: Bytes,
    /// Other encoders (audio).
    pub other: Bytes,
    /// Tensors counted.
    pub tensors: u64,
}

impl CheckpointBytes {
    /// The language model: embedding, output, layers and experts.
    pub fn language_model(&self) -> Bytes {
        self.embedding + self.output + self.layers + self.experts
    }

    /// Everything in the checkpoint.
    pub fn total(&self) -> Bytes {
        self.language_model() + self.vision + self.other
    }

    /// Adds one tensor of `bytes` stored as `dtype`. Errors when a sum would pass `u64`.
    pub fn add(&mut self, name: &str, dtype: &str, bytes: u64) -> Result<(), CheckpointError> {
        let overflow = || CheckpointError::Overflow(crate::inert::clean_name(name, 80));
        // The grand total must fit first: every slot and type is at most the total, so the
        // additions below cannot overflow and `total()` never saturates.
        self.total_checked()
            .and_then(|t| t.checked_add(bytes))
            .ok_or_else(overflow)?;
        let slot = match classify(name) {
            Component::Embedding => &mut self.embedding,
            Component::Output => &mut self.output,
            Component::Layers => &mut self.layers,
            Component::Experts => &mut self.experts,
            Component::Vision => &mut self.vision,
            Component::Other => &mut self.other,
        };
        *slot += Bytes(bytes);
        self.add_dtype(dtype, Bytes(bytes));
        self.tensors = self.tensors.saturating_add(1);
        Ok(())
    }

    /// Adds another shard's sums (a sharded checkpoint is the sum of its shards).
    pub fn merge(&mut self, other: &CheckpointBytes) -> Result<(), CheckpointError> {
        self.total_checked()
            .zip(other.total_checked())
            .and_then(|(a, b)| a.checked_add(b))
            .ok_or_else(|| CheckpointError::Overflow("(the sum of the shards)".into()))?;
        for (mine, theirs) in [
            (&mut self.embedding, other.embedding),
            (&mut self.output, other.output),
            (&mut self.layers, other.layers),
            (&mut self.experts, other.experts),
            (&mut self.vision, other.vision),
            (&mut self.other, other.other),
        ] {
            *mine += theirs;
        }
        for (dtype, bytes) in &other.by_dtype {
            self.add_dtype(dtype, *bytes);
        }
        self.tensors = self.tensors.saturating_add(other.tensors);
        Ok(())
    }

    /// Adds to one type's sum, keeping the list sorted (callers check the total first).
    fn add_dtype(&mut self, dtype: &str, bytes: Bytes) {
        match self
            .by_dtype
            .binary_search_by(|(d, _)| d.as_str().cmp(dtype))
        {
            Ok(i) => self.by_dtype[i].1 += bytes,
            Err(i) => self.by_dtype.insert(i, (dtype.to_string(), bytes)),
        }
    }

    /// The six components' bytes, in the order the link form lists them.
    pub(crate) fn components(&self) -> [Bytes; 6] {
        [
            self.embedding,
            self.output,
            self.layers,
            self.experts,
            self.vision,
            self.other,
        ]
    }

    fn total_checked(&self) -> Option<u64> {
        self.components()
            .iter()
            .try_fold(0u64, |a, b| a.checked_add(b.0))
    }

    /// One line for the plan's notes and the user's list: "weights exact (from the checkpoint
    /// headers): 50.30 GiB, of which vision 0.79 GiB; BF16 50.30 GiB".
    pub fn describe(&self) -> String {
        let mut s = format!(
            "weights exact (from the checkpoint headers): {}",
            self.total()
        );
        let parts: Vec<String> = [
            ("experts", self.experts),
            ("vision encoder", self.vision),
            ("other encoders", self.other),
        ]
        .iter()
        .filter(|(_, b)| b.0 > 0)
        .map(|(n, b)| format!("{n} {b}"))
        .collect();
        if !parts.is_empty() {
            s.push_str(&format!(", of which {}", parts.join(", ")));
        }
        let types: Vec<String> = self
            .by_dtype
            .iter()
            .take(8)
            .map(|(d, b)| format!("{} {b}", crate::inert::clean_name(d, 16)))
            .collect();
        if !types.is_empty() {
            s.push_str(&format!("; {}", types.join(", ")));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fall_into_components() {
        use Component::*;
        for (name, want) in [
            ("model.embed_tokens.weight", Embedding),
            ("language_model.model.embed_tokens.weight", Embedding),
            ("transformer.wte.weight", Embedding),
            ("token_embd.weight", Embedding),
            ("lm_head.weight", Output),
            ("model.norm.weight", Output),
            ("language_model.model.norm.weight", Output),
            ("output.weight", Output),
            ("output_norm.weight", Output),
            ("model.layers.0.self_attn.q_proj.weight", Layers),
            ("model.layers.0.input_layernorm.weight", Layers),
            ("model.layers.3.mlp.experts.7.down_proj.qweight", Experts),
            (
                "model.layers.0.block_sparse_moe.experts.1.w1.weight",
                Experts,
            ),
            ("model.layers.0.mlp.experts.gate_up_proj_blocks", Experts),
            (
                "model.layers.0.block_sparse_moe.input_linear.weight",
                Experts,
            ),
            ("model.layers.3.mlp.shared_experts.down_proj.weight", Layers),
            ("model.layers.0.mlp.shared_expert.up_proj.weight", Layers),
            ("blk.0.ffn_gate_exps.weight", Experts),
            ("blk.0.ffn_down_shexp.weight", Layers),
            ("blk.0.attn_q.weight", Layers),
            (
                "vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight",
                Vision,
            ),
            ("model.visual.blocks.0.attn.qkv.weight", Vision),
            ("visual.merger.mlp.0.weight", Vision),
            ("multi_modal_projector.mm_input_projection_weight", Vision),
            ("v.blk.0.attn_q.weight", Vision),
            ("audio_tower.layers.0.fc1.weight", Other),
            // Not a segment: stays with the language model.
            ("model.layers.0.mlp.supervisual.weight", Layers),
        ] {
            assert_eq!(classify(name), want, "{name}");
        }
    }

    #[test]
    fn sums_refuse_to_overflow() {
        let mut c = CheckpointBytes::default();
        c.add("a", "BF16", u64::MAX - 1).unwrap();
        assert!(c.add("vision_tower.x", "BF16", 2).is_err());
        assert_eq!(c.total(), Bytes(u64::MAX - 1));
        let mut d = c.clone();
        assert!(d.merge(&c).is_err());
    }
}

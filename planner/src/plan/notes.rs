//! The plan's notes: its assumptions and warnings in plain words, for the detail and the CLI
//! (the grid skips them: formatting them would dominate a large grid's cost).

use super::size::{Sizer, Sizes};
use super::{Prepared, Workload};
use crate::engines::{rules, Engine, VllmRelease};
use crate::model::config::ModelConfig;
use crate::units::Bytes;

/// What a multimodal checkpoint's vision encoder costs on this engine, and how to skip it.
pub(super) fn vision_note(engine: Engine, cfg: &ModelConfig, bytes: Bytes) -> Option<String> {
    let v = cfg.vision.as_ref()?;
    if v.family == crate::model::vision::VisionFamily::Unmodelled {
        return Some(
            "this checkpoint has a vision encoder of a family Fitgrid does not model yet: only the language model is counted"
                .into(),
        );
    }
    let m = crate::units::fixed(v.params as f64 / 1e6, 0);
    Some(match engine {
        Engine::Vllm => format!(
            "the vision encoder and projector ({m} M parameters, {bytes}) are loaded; for text only, --limit-mm-per-prompt '{{\"image\":0}}' (or --language-model-only in newer vLLM) skips them"
        ),
        Engine::Sglang => format!(
            "the vision encoder and projector ({m} M parameters, {bytes}) are loaded, and SGLang lowers its default mem_fraction_static for them"
        ),
        Engine::LlamaCpp => format!(
            "text only: llama.cpp loads the vision encoder ({m} M parameters) from a separate --mmproj file, not counted here"
        ),
        Engine::Transformers => format!(
            "the vision encoder and projector ({m} M parameters, {bytes}) are loaded with the model"
        ),
    })
}

/// Where exact weights came from and what of them this engine loads; `buffers`: the engine's
/// weight-like buffers the breakdown's weights also hold (vLLM's rotary cos/sin cache).
fn exact_note(engine: Engine, x: &crate::checkpoint::CheckpointBytes, buffers: Bytes) -> String {
    let mut s = x.describe();
    if buffers.0 > 0 {
        s.push_str(&format!(
            "; the breakdown's weights also hold the engine's rotary cos/sin cache ({buffers})"
        ));
    }
    let beside = x.vision + x.other;
    if engine == Engine::LlamaCpp && beside.0 > 0 {
        s.push_str(&format!(
            "; llama.cpp loads the language model only ({}), the encoders come from a separate --mmproj file",
            x.language_model()
        ));
    }
    s
}

/// The notes of the plan at `at` (the asked point) on `sizer`'s GPU; `host` is what stays in
/// system RAM.
pub(super) fn notes(
    cfg: &ModelConfig,
    prepared: &Prepared,
    sizer: &Sizer,
    at: &Sizes,
    w: &Workload,
    host: Bytes,
) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(x) = cfg.exact_for(prepared.format) {
        notes.push(exact_note(w.engine, x, at.reserves.buffers));
    }
    let (budget, activation) = (at.budget, at.reserves.activation);
    let non_torch = at.reserves.non_torch;
    if let Some(frac) = sizer.sglang_fraction {
        notes.push(match w.mem_fraction_static {
            Some(_) => format!(
                "SGLang mem_fraction_static {} (set by you)",
                crate::units::fixed(frac, 3)
            ),
            None => format!(
                "SGLang's default mem_fraction_static for this GPU and TP: {}",
                crate::units::fixed(frac, 3)
            ),
        });
        notes.push(format!(
            "SGLang pre-allocates its static pool ({budget}, the fraction of the memory free at start); what the weights leave of it becomes KV cache"
        ));
        let slack = sizer
            .gpu
            .saturating_sub(at.reserves.outside_budget)
            .saturating_sub(budget);
        if slack < activation + non_torch {
            notes.push(format!(
                "this fraction leaves {slack} beside the pool, less than SGLang's own estimate of {} for activations, CUDA graphs and NCCL: it may run out of memory while capturing CUDA graphs",
                activation + non_torch
            ));
        }
    }
    if w.engine == Engine::Vllm {
        notes.push(format!(
            "vLLM pre-allocates its whole budget ({budget}); the rest of it becomes KV cache"
        ));
        notes.push(format!(
            "vLLM {}: the profile run's activation peak is {activation}, the larger of the forward pass and the sampler's dummy run over max_num_seqs × vocab logits{}",
            w.vllm_release.label(),
            if w.vllm_release == VllmRelease::SortSampler {
                ", sorted: 38 B per logit"
            } else {
                ": 15.3 B per logit"
            }
        ));
    }
    let kv = sizer.kv;
    if kv.sliding > 0 {
        notes.push(format!(
            "sliding-window layers keep at most {} tokens per sequence",
            kv.window
        ));
    }
    notes.push(rules::range_note(w.engine).to_string());
    if kv.state_per_seq > 0 {
        notes.push(format!(
            "linear-attention layers keep a constant {} of state per sequence",
            Bytes(kv.state_per_seq)
        ));
    }
    if cfg.moe.is_some() {
        notes.push("MoE: memory holds all experts; only speed depends on the active ones".into());
    }
    notes.extend(vision_note(w.engine, cfg, prepared.vision));
    if host.0 > 0 {
        notes.push(format!(
            "llama.cpp keeps {host} in system RAM: the token embedding{}",
            if w.gpu_layers.is_some() || w.cpu_moe_layers > 0 {
                ", the layers and experts left on the CPU and their KV cache"
            } else {
                ""
            }
        ));
    }
    if sizer.padding.0 > 0 {
        notes.push(format!(
            "vLLM's MXFP4 MoE kernels on this GPU pad the experts by {} (mxfp4.py)",
            sizer.padding
        ));
    }
    notes
}

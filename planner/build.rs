//! Embeds the catalogue minified: documentation-only fields (notes, quotes, secondary sources)
//! stay in `planner/data/*.json` for reviewers but are not shipped to the browser.

use std::{env, fs, path::Path};

/// Fields the planner and the page never read at run time (the data files keep them).
const DOC_ONLY: [&str; 12] = [
    "tflops_source",
    "tflops_quote",
    "tflops_notes",
    "arch_source",
    "vision_source",
    "notes",
    "quote",
    "params_source",
    "bandwidth_source",
    "source",
    "params",
    "nvidia_smi_mib",
];

/// GPU fields no code of the page reads: left out of the wasm's copy (size budget).
const WASM_UNUSED: [&str; 3] = ["fp8_gflops", "int8_gops", "marketing_gb"];

fn main() {
    let out = env::var("OUT_DIR").expect("OUT_DIR");
    let wasm = env::var("TARGET").is_ok_and(|t| t.starts_with("wasm32"));
    for name in ["models.json", "gpus.json", "prices.json"] {
        let src = Path::new("data").join(name);
        println!("cargo:rerun-if-changed={}", src.display());
        let text = fs::read_to_string(&src).expect("catalogue file readable");
        // A malformed file is reported by the catalogue tests; embed it unchanged then.
        let minified = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(mut value) => {
                if let Some(entries) = value.as_array_mut() {
                    for entry in entries.iter_mut().filter_map(|e| e.as_object_mut()) {
                        // A price's source page and date are shown next to it in the page.
                        let doc_only: &[&str] = if name == "prices.json" {
                            &["quote", "derivation"]
                        } else {
                            &DOC_ONLY
                        };
                        for key in doc_only {
                            entry.remove(*key);
                        }
                        // A model's name is its id's last part unless the file says otherwise
                        // (`catalog::load` derives it the same way).
                        let tail = entry
                            .get("id")
                            .and_then(|v| v.as_str())
                            .and_then(|id| id.rsplit('/').next())
                            .map(str::to_string);
                        if name == "models.json"
                            && tail.is_some()
                            && entry.get("name").and_then(|v| v.as_str()) == tail.as_deref()
                        {
                            entry.remove("name");
                        }
                        // The browser build never reads these (the CLI and the tests do).
                        if wasm {
                            for key in WASM_UNUSED {
                                entry.remove(key);
                            }
                        }
                        // Only the config.json keys the planner reads are shipped.
                        if let Some(cfg) = entry.get_mut("config").and_then(|c| c.as_object_mut()) {
                            cfg.retain(|k, _| {
                                !matches!(
                                    k.as_str(),
                                    "hidden_act"
                                        | "hidden_activation"
                                        | "rope_theta"
                                        | "rms_norm_eps"
                                        | "layer_norm_eps"
                                        | "initializer_range"
                                        | "bos_token_id"
                                        | "eos_token_id"
                                        | "pad_token_id"
                                        | "transformers_version"
                                        | "use_cache"
                                        | "attention_dropout"
                                        | "max_window_layers"
                                        | "router_aux_loss_coef"
                                        | "router_jitter_noise"
                                        | "swiglu_limit"
                                        | "routed_scaling_factor"
                                        | "norm_topk_prob"
                                        | "logit_scale"
                                        | "logits_scaling"
                                        | "attention_multiplier"
                                        | "embedding_multiplier"
                                        | "residual_multiplier"
                                        | "query_pre_attn_scalar"
                                        | "attn_logit_softcapping"
                                        | "final_logit_softcapping"
                                        | "rope_local_base_freq"
                                        | "use_qk_norm"
                                        | "qk_layernorm"
                                        | "lm_head_bias"
                                        | "pretraining_tp"
                                        | "model_max_length"
                                        | "initial_context_length"
                                        | "cache_implementation"
                                        | "use_mrope"
                                        | "original_max_position_embeddings"
                                        | "n_inner"
                                )
                            });
                            // Of a quantization_config the planner reads the method, the bit
                            // width, the group size and the FP8 block (model/read.rs `read_native`,
                            // `read_fp8_block`); Qwen3's FP8 lists of unconverted modules
                            // (10 KB each) are not read.
                            if let Some(q) = cfg
                                .get_mut("quantization_config")
                                .and_then(|q| q.as_object_mut())
                            {
                                q.retain(|k, _| {
                                    matches!(
                                        k.as_str(),
                                        "quant_method"
                                            | "bits"
                                            | "num_bits"
                                            | "group_size"
                                            | "config_groups"
                                            | "weight_block_size"
                                    )
                                });
                            }
                        }
                    }
                }
                value.to_string()
            }
            Err(_) => text,
        };
        fs::write(Path::new(&out).join(name), minified).expect("write OUT_DIR");
    }
}

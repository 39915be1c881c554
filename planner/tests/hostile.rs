//! Hostile configs: fields that are each within their bound but multiply past what `u64` holds.
//!
//! Tests run in debug builds, where an integer overflow panics, so any multiplication that
//! could wrap fails these tests instead of showing an absurd model as "safe".

use planner::catalog::catalog;
use planner::error::ConfigError;
use planner::model::config::ModelConfig;
use planner::model::fields::field_limit;
use planner::model::read::MAX_PARAMS;
use planner::model::weights::ALL_FORMATS;
use planner::plan::{plan, Workload};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// The numeric fields a config multiplies, each set to its largest allowed value by a mask bit.
const FIELDS: [&str; 20] = [
    "num_hidden_layers",
    "hidden_size",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "intermediate_size",
    "vocab_size",
    "num_experts",
    "moe_intermediate_size",
    "shared_expert_intermediate_size",
    "linear_num_key_heads",
    "linear_num_value_heads",
    "linear_key_head_dim",
    "linear_value_head_dim",
    "linear_conv_kernel_dim",
    "kv_lora_rank",
    "q_lora_rank",
    "qk_nope_head_dim",
    "qk_rope_head_dim",
    "v_head_dim",
];

/// A small hybrid (Gated DeltaNet + full attention) MoE config with the fields of `mask` at
/// their bounds; `mla` adds the latent-attention fields.
fn config(mask: u32, mla: bool) -> Value {
    let small: Map<String, Value> = [
        ("num_hidden_layers", 4u64),
        ("hidden_size", 64),
        ("num_attention_heads", 4),
        ("num_key_value_heads", 2),
        ("head_dim", 16),
        ("intermediate_size", 128),
        ("vocab_size", 1000),
        ("num_experts", 4),
        ("moe_intermediate_size", 32),
        ("shared_expert_intermediate_size", 32),
        ("linear_num_key_heads", 2),
        ("linear_num_value_heads", 4),
        ("linear_key_head_dim", 16),
        ("linear_value_head_dim", 16),
        ("linear_conv_kernel_dim", 4),
        ("kv_lora_rank", 32),
        ("q_lora_rank", 32),
        ("qk_nope_head_dim", 16),
        ("qk_rope_head_dim", 8),
        ("v_head_dim", 16),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), json!(v)))
    .collect();
    let mut obj = small;
    for (i, f) in FIELDS.iter().enumerate() {
        if mask & (1 << i) != 0 {
            obj.insert(f.to_string(), json!(field_limit(f)));
        }
    }
    if !mla {
        for f in [
            "kv_lora_rank",
            "q_lora_rank",
            "qk_nope_head_dim",
            "qk_rope_head_dim",
            "v_head_dim",
        ] {
            obj.remove(f);
        }
    }
    let layers = obj["num_hidden_layers"].as_u64().unwrap();
    let types: Vec<&str> = (0..layers)
        .map(|i| {
            if i % 4 == 3 {
                "full_attention"
            } else {
                "linear_attention"
            }
        })
        .collect();
    obj.insert("layer_types".into(), json!(types));
    obj.insert("architectures".into(), json!(["Qwen3NextForCausalLM"]));
    obj.insert("model_type".into(), json!("qwen3_next"));
    obj.insert("max_position_embeddings".into(), json!(262_144));
    obj.insert("num_experts_per_tok".into(), json!(2));
    Value::Object(obj)
}

/// Every engine and format on an H100: plans never panic, and a plan that fits is a model
/// within the planner's bounds whose figures add up.
fn plans_stay_sound(cfg: &ModelConfig) {
    assert!(cfg.param_count() <= MAX_PARAMS);
    let gpu = catalog().gpu("h100-sxm-80gb").unwrap();
    for engine in planner::engines::ALL_ENGINES {
        for format in ALL_FORMATS {
            for (context, concurrency) in [(4096, 1), (10_000_000, 100_000)] {
                let w = Workload {
                    engine,
                    context,
                    concurrency,
                    ..Workload::default()
                };
                let Ok(p) = plan(cfg, format, gpu, &w) else {
                    continue;
                };
                assert!(p.utilization.is_finite() || p.total_bytes == u64::MAX);
                assert!(p.total_bytes >= p.weights_bytes, "{format:?} {engine:?}");
                if p.fits {
                    assert!(
                        p.total_bytes <= 2 * p.gpu_memory_bytes,
                        "{format:?} {engine:?}"
                    );
                    assert!(p.weights_bytes < p.gpu_memory_bytes);
                }
            }
        }
    }
}

fn parse(v: &Value) -> Result<ModelConfig, ConfigError> {
    ModelConfig::from_json(&v.into())
}

#[test]
fn the_wrapping_gated_deltanet_config_is_refused() {
    // Four Gated-DeltaNet layers whose key heads and key head dim are 4,194,304 and conv
    // kernel 524,288: before the checks its parameter count wrapped in u64 and an H100 showed
    // "✓ 50 % safe" with a max concurrency of 35 billion.
    let mut v = config(0, false);
    v["linear_num_key_heads"] = json!(4_194_304);
    v["linear_key_head_dim"] = json!(4_194_304);
    v["linear_conv_kernel_dim"] = json!(524_288);
    let err = parse(&v).unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Invalid { .. } | ConfigError::TooLarge { .. }
        ),
        "{err}"
    );
    // Within each field's bound, the product is still refused by the derived bound.
    v["linear_num_key_heads"] = json!(8192);
    v["linear_key_head_dim"] = json!(131_072);
    v["linear_conv_kernel_dim"] = json!(1024);
    let err = parse(&v).unwrap_err();
    assert!(matches!(err, ConfigError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("too large to plan"), "{err}");
    // The page, the Hub fetch and the CLI all build custom models through this path.
    let e = planner::catalog::custom::CustomModel::from_config_value(&(&v).into(), None, None)
        .unwrap_err();
    assert!(e.to_string().contains("too large"), "{e}");
}

#[test]
fn unbounded_rope_fields_cannot_overflow_the_rotary_cache() {
    for (key, value) in [
        ("rotary_dim", json!(u64::MAX)),
        ("partial_rotary_factor", json!(1e300)),
        (
            "rope_scaling",
            json!({"rope_type": "yarn", "factor": 1e300, "original_max_position_embeddings": u64::MAX}),
        ),
    ] {
        let mut v = config(0, false);
        v[key] = value;
        plans_stay_sound(&parse(&v).unwrap());
    }
}

#[test]
fn every_field_at_its_bound_at_once_and_one_by_one() {
    for mla in [false, true] {
        for mask in std::iter::once(u32::MAX).chain((0..FIELDS.len()).map(|i| 1 << i)) {
            if let Ok(cfg) = parse(&config(mask, mla)) {
                plans_stay_sound(&cfg);
            }
        }
    }
}

#[test]
fn the_catalogue_is_within_every_derived_bound() {
    // The bounds are far above real models: every catalogue entry parses (catalog() would
    // have dropped it otherwise) and plans.
    assert!(catalog().models.len() >= 80);
    for m in &catalog().models {
        assert!(m.config.param_count() <= MAX_PARAMS / 5, "{}", m.id);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    /// Any combination of fields at their largest allowed values: a model or a named error,
    /// and every plan of a model sound.
    #[test]
    fn any_combination_of_largest_values_is_refused_or_sound(mask in any::<u32>(), mla in any::<bool>()) {
        match parse(&config(mask, mla)) {
            Ok(cfg) => plans_stay_sound(&cfg),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

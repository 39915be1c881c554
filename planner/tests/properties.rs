//! Property tests: untrusted input never breaks the planner, and its answers behave like memory.
//!
//! - Shared links: 100,000 random and mutated real links → never a panic, always a valid
//!   configuration plus the list of what was ignored.
//! - config.json: deep nesting, a 50 MB document, wrong types, huge numbers → a named error.
//! - Plans: memory never decreases with more context, concurrency, bits or layers; no overflow,
//!   NaN or negative figures up to 10M tokens, ~2T parameters and 1,024 GPUs; reverse solves agree
//!   with the forward plan.

use planner::catalog::catalog;
use planner::catalog::custom::CustomModel;
use planner::model::config::ModelConfig;
use planner::plan::{plan, Band, Workload};
use planner::{Engine, GridConfig, WeightFormat};
use proptest::prelude::*;

const REAL_LINKS: [&str; 5] = [
    "v=1&m=Qwen/Qwen2.5-0.5B,meta-llama/Llama-2-7b-hf&g=rtx-4090-24gb,h100-sxm-80gb&q=fp16,awq&ctx=4096&n=4&kv=fp8&e=vllm&tp=1&util=90",
    "v=1&m=openai/gpt-oss-20b&g=l40s-48gb&q=native&ctx=131072&n=1&kv=auto&e=sglang&tp=2&util=85&mode=ctx&sort=fit&bands=50,70,85",
    "v=1&m=deepseek-ai/DeepSeek-V2-Lite-Chat&g=a100-sxm4-80gb&q=bf16,q4_k_m&ctx=8192&n=16&kv=q8_0&e=llama.cpp&u=gb&theme=dark&cell=deepseek-ai/DeepSeek-V2-Lite-Chat~bf16~a100-sxm4-80gb",
    "v=1&cm=Team+tune~eyJoaWRkZW5fc2l6ZSI6ODk2fQ&cg=Lab~40960~900&m=custom:team-tune&g=custom:lab&embed=1",
    "v=1&m=meta-llama/Llama-2-13b-hf&g=rtx-4090-24gb,custom:lab&q=fp16,awq&mode=cost&pr=h100-sxm-80gb:0.2,custom:lab:1.5\
     &cg=Lab~40960~900&cog=h100-nvl-94gb&co=Qwen/Qwen2.5-Coder-32B-Instruct~awq~vllm~4096~1~auto~60\
     &co=mistralai/Mistral-7B-v0.1~q4_k_m~llama.cpp~8192~2~q8_0~45",
];

fn valid(c: &GridConfig) {
    // An axis may be empty (a link of a cleared picker): the grid is then empty, not broken.
    use planner::plan::ranges::Field;
    assert!(Field::Context.check(c.workload.context).is_ok());
    assert!(Field::Concurrency.check(c.workload.concurrency).is_ok());
    assert!((10..=100).contains(&c.util_pct()) && c.workload.tensor_parallel >= 1);
    // Whatever came in, the grid evaluates and re-encodes to a link that decodes to itself.
    let grid = planner::evaluate(c, catalog());
    assert!(grid.rows.len() <= c.models.len() * c.formats.len());
    assert!(
        c.gpus.is_empty() == grid.columns.is_empty()
            || c.gpus.iter().all(|g| c.find_gpu(g, catalog()).is_none())
    );
    // The co-located set plans without panicking, whatever its members.
    assert!(c.colo.len() <= planner::share::MAX_COLOCATED);
    if let Some(gpu) = c.find_gpu(&c.colo_gpu, catalog()) {
        let pairs: Vec<_> = c
            .colo
            .iter()
            .map(|m| (c.find_model(&m.model_id, catalog()).map(|x| &x.config), m))
            .collect();
        let set = planner::plan::colocate::colocate(&pairs, gpu);
        assert_eq!(set.members.len(), c.colo.len());
    }
    let (again, ignored) = GridConfig::from_query(&c.to_query(), catalog());
    // A TP that does not divide some model's heads is named every time the link opens.
    assert!(ignored.iter().all(|i| i.field == "tp"), "{ignored:?}");
    assert_eq!(&again, c);
}

/// Byte-level mutations of a real link: replace, insert, delete, duplicate a slice.
fn mutate(link: &str, ops: &[(u8, usize, u8)]) -> String {
    let mut b = link.as_bytes().to_vec();
    for &(op, pos, byte) in ops {
        let at = if b.is_empty() { 0 } else { pos % b.len() };
        match op % 4 {
            0 if !b.is_empty() => b[at] = byte,
            1 => b.insert(at, byte),
            2 if !b.is_empty() => {
                b.remove(at);
            }
            _ => {
                let end = (at + 8).min(b.len());
                let chunk = b[at..end].to_vec();
                b.splice(at..at, chunk);
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 50_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_links_never_break(q in ".{0,300}") {
        let (c, _) = GridConfig::from_query(&q, catalog());
        valid(&c);
    }

    #[test]
    fn mutated_real_links_never_break(
        which in 0usize..REAL_LINKS.len(),
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..12),
    ) {
        let q = mutate(REAL_LINKS[which], &ops);
        let (c, _) = GridConfig::from_query(&q, catalog());
        valid(&c);
    }
}

/// An arbitrary configuration built from the catalogue and the range table: subsets of models,
/// GPUs and formats in any order, every engine, KV dtype, mode, sort, unit and theme, any
/// context, concurrency, TP and budget in range, bands, a selected cell, prices, a co-located
/// set and the user's own GPUs.
fn arbitrary_config() -> impl Strategy<Value = GridConfig> {
    use planner::grid::{Sort, Theme};
    use planner::plan::ranges::Field;
    let models: Vec<String> = catalog().models.iter().map(|m| m.id.clone()).collect();
    let gpus: Vec<String> = catalog().gpus.iter().map(|g| g.id.clone()).collect();
    let formats = planner::model::weights::ALL_FORMATS.to_vec();
    let r = |f: Field| f.range().0..=f.range().1;
    (
        (
            proptest::sample::subsequence(models.clone(), 1..6).prop_shuffle(),
            proptest::sample::subsequence(gpus.clone(), 1..6).prop_shuffle(),
            proptest::sample::subsequence(formats.clone(), 1..5).prop_shuffle(),
            0usize..4,
            prop::sample::select(planner::model::kv_cache::ALL_KV_DTYPES.to_vec()),
            r(Field::Context),
            r(Field::Concurrency),
            prop::sample::select(vec![1u64, 2, 4, 8]),
            r(Field::GpuUtilPct),
        ),
        (
            prop::sample::select(planner::grid::ALL_MODES.to_vec()),
            prop::sample::select(vec![Sort::Chosen, Sort::Size, Sort::Fit]),
            any::<bool>(),
            prop::sample::select(vec![Theme::Auto, Theme::Light, Theme::Dark]),
            (1u64..98)
                .prop_flat_map(|a| (Just(a), a + 1..99))
                .prop_flat_map(|(a, b)| (Just(a), Just(b), b + 1..100)),
            any::<bool>(),
            proptest::collection::vec((prop::sample::select(gpus.clone()), 1u64..10_000_000), 0..3),
            proptest::collection::vec(
                (
                    prop::sample::select(models),
                    prop::sample::select(formats),
                    0usize..4,
                    5u64..=100,
                ),
                0..3,
            ),
            proptest::collection::vec(
                (
                    "[A-Za-z][A-Za-z0-9 ]{0,12}",
                    256u64..=1 << 20,
                    proptest::option::of(1u64..=100_000),
                ),
                0..3,
            ),
        ),
    )
        .prop_map(
            |(
                (m, g, q, e, kv, ctx, n, tp, util),
                (mode, sort, gb, theme, (a, b, c), select, prices, colo, own),
            )| {
                let mut cfg = GridConfig {
                    models: m,
                    gpus: g,
                    formats: q,
                    workload: Workload {
                        engine: engine(e),
                        kv_dtype: kv,
                        context: ctx,
                        concurrency: n,
                        tensor_parallel: tp,
                        gpu_memory_utilization: util as f64 / 100.0,
                        ..Workload::default()
                    },
                    view: planner::grid::ViewSettings {
                        mode,
                        sort,
                        unit: if gb {
                            planner::Unit::GB
                        } else {
                            planner::Unit::GiB
                        },
                        theme,
                        thresholds: planner::plan::Thresholds::new(a, b, c).unwrap(),
                        ..Default::default()
                    },
                    ..GridConfig::default()
                };
                for (name, mib, bw) in own {
                    if let Some(g) = planner::catalog::custom_gpu::custom_gpu(&name, mib, bw) {
                        let _ = cfg.add_custom_gpu(g);
                    }
                }
                if select {
                    cfg.view.selected =
                        Some((cfg.models[0].clone(), cfg.formats[0], cfg.gpus[0].clone()));
                }
                for (gpu, p) in prices {
                    cfg.prices.retain(|(x, _)| *x != gpu);
                    cfg.prices
                        .push((gpu, planner::catalog::price::UsdPerHour(p)));
                }
                for (model, format, e, pct) in colo {
                    let mut m = planner::plan::colocate::Member::new(model, format);
                    m.workload.engine = engine(e);
                    m.set_fraction_pct(pct);
                    cfg.colo.push(m);
                }
                cfg
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every configuration the page can reach survives its link unchanged.
    #[test]
    fn arbitrary_configurations_round_trip(c in arbitrary_config()) {
        let (back, ignored) = GridConfig::from_query(&c.to_query(), catalog());
        prop_assert!(ignored.iter().all(|i| i.field == "tp"), "{:?}", ignored);
        prop_assert_eq!(back, c);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_config_json_values_give_a_model_or_a_named_error(
        layers in prop_oneof![Just(serde_json::json!(null)), any::<i64>().prop_map(|n| serde_json::json!(n)), any::<f64>().prop_map(|f| serde_json::json!(f)), ".*".prop_map(|s| serde_json::json!(s))],
        hidden in prop_oneof![any::<u64>().prop_map(|n| serde_json::json!(n)), Just(serde_json::json!([1, 2])), Just(serde_json::json!({"a": 1}))],
        heads in any::<u32>(),
        kv in any::<u32>(),
        vocab in any::<u64>(),
    ) {
        let cfg = serde_json::json!({
            "architectures": ["LlamaForCausalLM"], "model_type": "llama",
            "num_hidden_layers": layers, "hidden_size": hidden, "num_attention_heads": heads,
            "num_key_value_heads": kv, "vocab_size": vocab, "intermediate_size": 11008,
            "max_position_embeddings": 4096,
        });
        match CustomModel::from_config_value(&(&cfg).into(), None, None) {
            Ok(m) => {
                // A model that parses also plans, with finite, non-negative figures.
                let g = catalog().gpu("h100-sxm-80gb").unwrap();
                if let Ok(p) = plan(&m.model.config, WeightFormat::Bf16, g, &Workload::default()) {
                    prop_assert!(p.utilization.is_finite() && p.utilization >= 0.0);
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

#[test]
fn hostile_config_documents_are_refused_cleanly() {
    // 10,000 levels of nesting: serde_json's recursion limit turns it into an error.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(CustomModel::from_config_text(&deep, None, None).is_err());
    assert!(ModelConfig::from_json_str(&deep).is_err());
    // 50 MB: refused by size before parsing.
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(50_000_000));
    let e = CustomModel::from_config_text(&big, None, None).unwrap_err();
    assert!(e.to_string().contains("4 MiB"), "{e}");
    // Numbers JSON cannot hold, or that overflow u64, are named.
    for bad in [
        r#"{"num_hidden_layers": 1e999}"#,
        r#"{"num_hidden_layers": 99999999999999999999999, "hidden_size": 1}"#,
        r#"{"num_hidden_layers": -3, "hidden_size": 1}"#,
        r#"{"num_hidden_layers": 2.5, "hidden_size": 1}"#,
        r#"{"num_hidden_layers": NaN}"#,
    ] {
        assert!(ModelConfig::from_json_str(bad).is_err(), "{bad}");
    }
}

fn model(id: &str) -> &'static ModelConfig {
    &catalog().model(id).unwrap().config
}

const MODELS: [&str; 6] = [
    "Qwen/Qwen2.5-0.5B",
    "meta-llama/Llama-3.1-8B-Instruct",
    "openai/gpt-oss-20b",
    "deepseek-ai/DeepSeek-V2-Lite-Chat",
    "google/gemma-2-9b",
    "mistralai/Mixtral-8x7B-Instruct-v0.1",
];

fn engine(i: usize) -> Engine {
    planner::engines::ALL_ENGINES[i % 4]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn memory_never_decreases_with_context_or_concurrency(
        m in 0usize..MODELS.len(), e in 0usize..4, ctx in 1u64..2_000_000, extra in 1u64..100_000,
        n in 1u64..64, more in 1u64..8, tp in prop::sample::select(vec![1u64, 2, 4, 8]),
    ) {
        let cfg = model(MODELS[m]);
        let gpu = catalog().gpu("h100-sxm-80gb").unwrap();
        let w = Workload { engine: engine(e), context: ctx, concurrency: n, tensor_parallel: tp, ..Workload::default() };
        let f = if engine(e) == Engine::LlamaCpp { WeightFormat::Q4KM } else { WeightFormat::Bf16 };
        let (Ok(a), Ok(b), Ok(c)) = (
            plan(cfg, f, gpu, &w),
            plan(cfg, f, gpu, &Workload { context: ctx + extra, ..w.clone() }),
            plan(cfg, f, gpu, &Workload { concurrency: n + more, ..w.clone() }),
        ) else { return Ok(()) };
        prop_assert!(b.total_bytes >= a.total_bytes, "context {} → {}", a.total_bytes, b.total_bytes);
        prop_assert!(c.total_bytes >= a.total_bytes, "concurrency {} → {}", a.total_bytes, c.total_bytes);
        // Worse never gets a better band.
        prop_assert!(b.status >= a.status || !b.fits);
    }

    #[test]
    fn more_bits_and_more_layers_never_use_less_memory(m in 0usize..MODELS.len(), ctx in 1u64..200_000, add in 1u64..40) {
        let cfg = model(MODELS[m]);
        let gpu = catalog().gpu("b200-180gb").unwrap();
        let w = Workload { context: ctx, ..Workload::default() };
        // Ordered by bits per weight: 4.13 ≤ 4.16 ≤ 8 ≤ 16 ≤ 32.
        let order = [WeightFormat::W4a16, WeightFormat::Awq, WeightFormat::Int8, WeightFormat::Bf16, WeightFormat::Fp32];
        let totals: Vec<u64> = order.iter().map(|&f| plan(cfg, f, gpu, &w).unwrap().weights_bytes).collect();
        prop_assert!(totals.windows(2).all(|p| p[0] <= p[1]), "{totals:?}");
        // A deeper model of the same shape.
        let mut json: serde_json::Value = serde_json::json!({
            "model_type": "llama", "hidden_size": cfg.hidden_size, "intermediate_size": cfg.intermediate_size.max(1),
            "num_attention_heads": cfg.num_heads, "num_key_value_heads": cfg.num_kv_heads, "head_dim": cfg.head_dim,
            "vocab_size": cfg.vocab_size, "max_position_embeddings": 1u64 << 24, "num_hidden_layers": 8,
        });
        let shallow = ModelConfig::from_json(&(&json).into()).unwrap();
        json["num_hidden_layers"] = serde_json::json!(8 + add);
        let deep = ModelConfig::from_json(&(&json).into()).unwrap();
        let a = plan(&shallow, WeightFormat::Bf16, gpu, &w).unwrap();
        let b = plan(&deep, WeightFormat::Bf16, gpu, &w).unwrap();
        prop_assert!(b.total_bytes > a.total_bytes);
    }

    #[test]
    fn extreme_but_legal_inputs_stay_finite(
        ctx in 1u64..=10_000_000, n in 1u64..=100_000, tp in prop::sample::select(vec![1u64, 8, 64, 1024]),
        kv in prop::sample::select(planner::model::kv_cache::ALL_KV_DTYPES.to_vec()), e in 0usize..4,
    ) {
        // ~2.2T parameters: 128 layers, hidden 32,768, 32 experts of 4,096 (+ the rest).
        let huge = ModelConfig::from_json(&(&serde_json::json!({
            "model_type": "mixtral", "num_hidden_layers": 128, "hidden_size": 32768,
            "num_attention_heads": 1024, "num_key_value_heads": 1024, "intermediate_size": 4096,
            "num_local_experts": 32, "num_experts_per_tok": 8, "vocab_size": 262144,
            "max_position_embeddings": 10_000_000,
        })).into()).unwrap();
        prop_assert!(huge.param_count() > 1_500_000_000_000);
        let gpu = catalog().gpu("h100-sxm-80gb").unwrap();
        let w = Workload { engine: engine(e), context: ctx, concurrency: n, tensor_parallel: tp, kv_dtype: kv, ..Workload::default() };
        let f = if engine(e) == Engine::LlamaCpp { WeightFormat::Q8_0 } else { WeightFormat::Fp32 };
        // A cache type the engine does not offer is refused by name, never planned.
        let p = match plan(&huge, f, gpu, &w) {
            Ok(p) => p,
            Err(u) => {
                prop_assert!(planner::engines::support::check(&huge, f, &w).is_err(), "{}", u.reason);
                return Ok(());
            }
        };
        prop_assert!(p.utilization.is_finite() && p.utilization > 0.0);
        prop_assert!(p.total_bytes >= p.weights_bytes);
        // Past 16 EiB the byte counts saturate instead of wrapping; such a plan never fits.
        if p.total_bytes == u64::MAX || p.kv_cache_bytes == u64::MAX {
            prop_assert_eq!(p.status, Band::DoesNotFit);
        }
    }

    #[test]
    fn reverse_solves_agree_with_the_forward_plan(
        m in 0usize..MODELS.len(), ctx in 256u64..65_536, n in 1u64..32,
        gpu_id in prop::sample::select(vec!["rtx-4090-24gb", "l40s-48gb", "h100-sxm-80gb"]),
    ) {
        let cfg = model(MODELS[m]);
        let gpu = catalog().gpu(gpu_id).unwrap();
        let base = Workload { context: ctx, concurrency: n, ..Workload::default() };
        let p = plan(cfg, WeightFormat::Awq, gpu, &base).unwrap();
        let at = |c: u64, k: u64| plan(cfg, WeightFormat::Awq, gpu, &Workload { context: c, concurrency: k, ..base.clone() }).unwrap();
        if p.max_context > 0 && p.max_context < cfg.max_position_embeddings {
            prop_assert!(at(p.max_context, n).fits);
            prop_assert!(!at(p.max_context + 16, n).fits);
        }
        if p.max_concurrency > 0 && ctx <= cfg.max_position_embeddings {
            prop_assert!(at(ctx, p.max_concurrency).fits);
            prop_assert!(!at(ctx, p.max_concurrency + 1).fits);
        }
        prop_assert!(p.status == Band::DoesNotFit || p.fits);
    }
}

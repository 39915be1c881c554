//! The URL round trip and its notices.

use super::*;
use crate::catalog::catalog;
use crate::catalog::custom::{CustomModel, MAX_CUSTOM_GPUS, MAX_CUSTOM_MODELS};
use crate::catalog::price::UsdPerHour;
use crate::engines::Engine;
use crate::grid::{Mode, Sort, Theme, MAX_CELLS};
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::plan::colocate::Member;
use crate::plan::Thresholds;
use crate::units::Unit;

#[test]
fn default_round_trips() {
    let c = GridConfig::default();
    let q = c.to_query();
    assert!(q.starts_with("v=1&m=Qwen/Qwen2.5-0.5B,meta-llama/"), "{q}");
    assert_eq!(GridConfig::from_query(&q, catalog()), (c, vec![]));
}

#[test]
fn edited_config_round_trips() {
    let c = GridConfig {
        models: vec!["meta-llama/Llama-2-13b-hf".into()],
        gpus: vec!["h100-sxm-80gb".into(), "l40-48gb".into()],
        formats: vec![WeightFormat::Q4KM, WeightFormat::Fp8],
        workload: crate::plan::Workload {
            engine: Engine::LlamaCpp,
            context: 32_768,
            concurrency: 7,
            kv_dtype: KvDtype::Q8_0,
            tensor_parallel: 4,
            gpu_memory_utilization: 0.85,
            mem_fraction_static: Some(0.8),
            flash_attention: false,
            system_memory_bytes: Some(96 << 30),
            system_bandwidth_gbps: Some(90),
            ..Default::default()
        },
        view: crate::grid::ViewSettings {
            thresholds: Thresholds::new(50, 70, 85).unwrap().with_speed(35).unwrap(),
            mode: Mode::MaxContext,
            sort: Sort::Fit,
            unit: Unit::GB,
            theme: Theme::Dark,
            embed: true,
            selected: Some((
                "meta-llama/Llama-2-13b-hf".into(),
                WeightFormat::Q4KM,
                "l40-48gb".into(),
            )),
        },
        custom_models: Vec::new(),
        custom_gpus: Vec::new(),
        prices: vec![
            ("l40-48gb".into(), UsdPerHour(9_900)),
            ("h100-sxm-80gb".into(), UsdPerHour(24_390)),
        ],
        colo_gpu: "a100-sxm4-80gb".into(),
        colo: vec![
            Member::new("Qwen/Qwen2.5-Coder-32B-Instruct", WeightFormat::Awq)
                .with(&[("frac", "60")])
                .unwrap(),
            Member::new("mistralai/Mistral-7B-v0.1", WeightFormat::Q4KM)
                .with(&[
                    ("engine", "llama.cpp"),
                    ("ctx", "8192"),
                    ("n", "2"),
                    ("kv", "q8_0"),
                ])
                .unwrap(),
        ],
    };
    let q = format!("?{}", c.to_query());
    assert!(q.contains("&pr=l40-48gb:0.99,h100-sxm-80gb:2.439&"), "{q}");
    assert!(
        q.contains("&co=Qwen/Qwen2.5-Coder-32B-Instruct~awq~vllm~4096~1~auto~60&"),
        "{q}"
    );
    assert_eq!(GridConfig::from_query(&q, catalog()), (c, vec![]));
}

#[test]
fn mangled_prices_and_members_are_named_and_left_out() {
    let (c, ignored) = GridConfig::from_query(
        "pr=l40-48gb:abc,nope:1,a40-48gb:0.5&co=nobody/x~awq~vllm~1~1~auto~50\
         &co=mistralai/Mistral-7B-v0.1~awq~vllm~4096~1~auto~3&cog=zzz",
        catalog(),
    );
    assert_eq!(c.prices, vec![("a40-48gb".to_string(), UsdPerHour(5_000))]);
    assert!(c.colo.is_empty());
    assert_eq!(c.colo_gpu, GridConfig::default().colo_gpu);
    let fields: Vec<_> = ignored.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["pr", "co", "co", "cog"]);
    assert!(ignored[0].value.contains("l40-48gb:abc") && ignored[0].value.contains("nope:1"));
    assert!(ignored[2].reason.contains("5 to 100"));
}

#[test]
fn mangled_values_fall_back_per_field_and_are_named() {
    let (c, ignored) = GridConfig::from_query(
        "ctx=12abc&n=0&kv=fp7&e=tgi&m=nope/model,meta-llama/Llama-2-7b-hf&zzz=1&q=",
        catalog(),
    );
    let d = GridConfig::default();
    assert_eq!(c.workload.context, d.workload.context);
    assert_eq!(c.workload.concurrency, d.workload.concurrency);
    assert_eq!(c.workload.kv_dtype, d.workload.kv_dtype);
    assert_eq!(c.workload.engine, d.workload.engine);
    assert_eq!(c.models, vec!["meta-llama/Llama-2-7b-hf".to_string()]);
    // An empty list is an axis the user cleared (the grid then says what to choose); only
    // unusable ids fall back to the default.
    assert!(c.formats.is_empty());
    assert!(GridConfig::from_query("q=nope", catalog()).0.formats == d.formats);
    let fields: Vec<_> = ignored.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["ctx", "n", "kv", "e", "m", "zzz"]);
    assert_eq!(ignored[4].value, "nope/model");
}

#[test]
fn links_written_before_the_view_settings_still_open() {
    // A version-1 link from before modes, sort, themes and bands existed.
    let old = "v=1&m=Qwen/Qwen2.5-0.5B&g=l4-24gb&q=fp16&ctx=4096&n=2&kv=auto&e=vllm";
    let (c, ignored) = GridConfig::from_query(old, catalog());
    assert!(ignored.is_empty(), "{ignored:?}");
    assert_eq!(c.view.mode, Mode::Utilization);
    assert_eq!(c.view.thresholds, Thresholds::default());
    assert_eq!(
        (
            c.workload.context,
            c.workload.concurrency,
            c.workload.tensor_parallel
        ),
        (4096, 2, 1)
    );
}

#[test]
fn custom_models_and_gpus_travel_in_the_link() {
    let qwen = r#"{"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":896,
        "intermediate_size":4864,"max_position_embeddings":32768,"num_attention_heads":14,
        "num_hidden_layers":24,"num_key_value_heads":2,"vocab_size":151936}"#;
    let m = CustomModel::from_config_text(qwen, Some("Team tune"), None).unwrap();
    let g = crate::catalog::custom_gpu::custom_gpu("Lab card", 40_960, None).unwrap();
    let mut c = GridConfig::default();
    c.models.push(m.model.id.clone());
    c.gpus.push(g.id.clone());
    c.view.selected = Some((m.model.id.clone(), WeightFormat::Fp16, g.id.clone()));
    c.custom_models.push(m);
    c.custom_gpus.push(g);
    let (back, ignored) = GridConfig::from_query(&c.to_query(), catalog());
    assert!(ignored.is_empty(), "{ignored:?}");
    assert_eq!(back, c);
    let grid = crate::grid::evaluate(&back, catalog());
    assert!(grid.rows.iter().any(|r| r.model_id == "custom:team-tune"));
    assert!(grid.columns.iter().any(|col| col.id == "custom:lab-card"));
}

#[test]
fn a_broken_custom_entry_is_named_and_the_rest_still_opens() {
    let (c, ignored) = GridConfig::from_query("cm=x~%%%&cg=card~lots&ctx=4096", catalog());
    assert_eq!(c.workload.context, 4096);
    let fields: Vec<_> = ignored.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["cm", "cg"]);
}

#[test]
fn every_dropped_or_clamped_value_gets_a_notice() {
    let fields = |q: &str| {
        let (_, ignored) = GridConfig::from_query(q, catalog());
        ignored
    };
    for bw in ["x", "-1", "1e30", "NaN", "12345678901234567890123"] {
        let ignored = fields(&format!("cg=Lab~24576~{bw}&g=custom:lab"));
        assert_eq!(ignored.len(), 1, "{bw}: {ignored:?}");
        assert!(ignored[0].reason.contains("bandwidth"), "{ignored:?}");
        assert!(
            ignored[0].reason.contains("the GPU Lab was added"),
            "{ignored:?}"
        );
    }
    let extra = fields("cg=Lab~24576~1~2~3~4&g=custom:lab");
    assert!(extra[0].reason.contains("extra parts “3~4”"), "{extra:?}");
    let slow = fields("cg=Lab~24576~1~lots&g=custom:lab");
    assert!(
        slow[0].reason.contains("FP16 throughput “lots”"),
        "{slow:?}"
    );
    let (c, bands) = GridConfig::from_query("bands=60,abc,75,90", catalog());
    assert_eq!(c.view.thresholds, Thresholds::default());
    assert_eq!(bands[0].field, "bands");
    let (c, tp) = GridConfig::from_query("m=meta-llama/Llama-2-7b-hf&tp=3", catalog());
    assert_eq!(c.workload.tensor_parallel, 3);
    assert_eq!(tp[0].field, "tp");
    assert!(tp[0].reason.contains("(32 heads)"), "{tp:?}");
    // A refused mode lists every mode a link may ask for.
    let (c, mode) = GridConfig::from_query("mode=zzz", catalog());
    assert_eq!(c.view.mode, crate::grid::Mode::Utilization);
    assert_eq!(
        mode[0].reason,
        "must be one of util, ctx, conc, speed, cost; using util"
    );
}

#[test]
fn unknown_names_are_clipped_and_many_are_summarised() {
    let long = "k".repeat(100_000);
    let (_, one) = GridConfig::from_query(&format!("{long}=1"), catalog());
    assert_eq!(one.len(), 1);
    assert!(one[0].to_string().len() < 300, "{}", one[0]);
    let many: Vec<String> = (0..1000).map(|i| format!("x{i}=1")).collect();
    let (_, ignored) = GridConfig::from_query(&many.join("&"), catalog());
    assert_eq!(ignored.len(), 1, "{ignored:?}");
    assert_eq!(
        ignored[0].to_string(),
        "1000 link parameters are not Fitgrid parameters and were ignored: x0, x1, x2, x3, x4, …"
    );
    let bad: Vec<String> = (0..100).map(|i| format!("ctx=bad{i}")).collect();
    let (_, ignored) = GridConfig::from_query(&bad.join("&"), catalog());
    assert_eq!(ignored.len(), MAX_NOTICES);
    assert!(ignored[MAX_NOTICES - 1]
        .reason
        .starts_with("81 more problems"));
}

#[test]
fn a_huge_link_is_cut_and_its_grid_capped() {
    // 10,000 custom GPUs and 300 custom models at every format: 368 KB asking for tens of
    // millions of cells.
    let model = CustomModel::from_config_text(
        r#"{"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":896,
        "intermediate_size":4864,"max_position_embeddings":32768,"num_attention_heads":14,
        "num_hidden_layers":24,"num_key_value_heads":2,"vocab_size":151936}"#,
        Some("m"),
        None,
    )
    .unwrap();
    let mut q = String::from("q=");
    q.push_str(&list(
        crate::model::weights::ALL_FORMATS
            .iter()
            .map(|f| f.id().to_string()),
    ));
    let gpus: Vec<String> = (0..10_000).map(|i| format!("custom:g{i}")).collect();
    q.push_str(&format!("&g={}", gpus.join(",")));
    let ms: Vec<String> = (0..300).map(|i| format!("custom:m{i}")).collect();
    q.push_str(&format!("&m={}", ms.join(",")));
    for i in 0..10_000 {
        q.push_str(&format!("&cg=g{i}~24576"));
    }
    for i in 0..300 {
        q.push_str(&format!(
            "&cm=m{i}~{}",
            model.to_link().split_once('~').unwrap().1
        ));
    }
    assert!(q.len() > 300_000, "{}", q.len());
    let (c, ignored) = GridConfig::from_query(&q, catalog());
    assert!(c.custom_gpus.len() <= MAX_CUSTOM_GPUS);
    assert!(c.custom_models.len() <= MAX_CUSTOM_MODELS);
    assert!(
        ignored[0].reason.starts_with("This link is"),
        "{:?}",
        ignored[0]
    );
    let grid = crate::grid::evaluate(&c, catalog());
    let cells = grid.rows.len() * grid.columns.len();
    assert!(cells > 0 && cells <= MAX_CELLS, "{cells}");
}

#[test]
fn a_grid_past_the_cell_cap_keeps_its_first_models_and_says_so() {
    let all_models: Vec<String> = catalog().models.iter().map(|m| m.id.clone()).collect();
    let all_gpus: Vec<String> = catalog().gpus.iter().map(|g| g.id.clone()).collect();
    let formats = list(
        crate::model::weights::ALL_FORMATS
            .iter()
            .map(|f| f.id().to_string()),
    );
    let mut gpus = all_gpus.clone();
    let mut q = String::new();
    for i in 0..MAX_CUSTOM_GPUS {
        q.push_str(&format!("cg=G{i}~24576&"));
        gpus.push(format!("custom:g{i}"));
    }
    q.push_str(&format!(
        "m={}&g={}&q={formats}",
        all_models.join(","),
        gpus.join(",")
    ));
    let (c, ignored) = GridConfig::from_query(&q, catalog());
    let per_model = gpus.len() * crate::model::weights::ALL_FORMATS.len();
    assert_eq!(c.models.len(), MAX_CELLS / per_model);
    let cap = ignored.iter().find(|i| i.field == "m").unwrap();
    assert!(cap.reason.contains("more than 60,000 cells"), "{cap:?}");
}

#[test]
fn garbage_never_panics() {
    for q in [
        "%",
        "%%%ZZ",
        "&&&=",
        "m=,,,",
        "ctx=99999999999999999999999",
        "\u{0}=\u{ffff}",
    ] {
        let (c, _) = GridConfig::from_query(q, catalog());
        assert!(!c.models.is_empty() && !c.gpus.is_empty() && !c.formats.is_empty());
    }
}

#[test]
fn engine_settings_travel_and_bad_ones_are_named() {
    let (c, _) = GridConfig::from_query("v=1&vr=0.14.1", catalog());
    assert_eq!(
        c.workload.vllm_release,
        crate::engines::VllmRelease::SortSampler
    );
    assert!(c.to_query().contains("&vr=0.11"), "{}", c.to_query());
    let (c, notes) = GridConfig::from_query("v=1&e=sglang&mfs=88&fa=0&ngl=20&cmoe=4", catalog());
    assert_eq!(
        (c.workload.gpu_layers, c.workload.cpu_moe_layers),
        (Some(20), 4)
    );
    assert!(c.to_query().ends_with("&ngl=20&cmoe=4"), "{}", c.to_query());
    assert_eq!(c.workload.mem_fraction_static, Some(0.88));
    assert!(!c.workload.flash_attention);
    assert!(notes.is_empty(), "{notes:?}");
    assert!(c.to_query().contains("&mfs=88&fa=0"), "{}", c.to_query());
    let (c, notes) = GridConfig::from_query("v=1&mfs=100&fa=maybe", catalog());
    assert_eq!(c.workload.mem_fraction_static, None);
    assert!(c.workload.flash_attention);
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[0].to_string().contains("SGLang's default"),
        "{}",
        notes[0]
    );
}

#[test]
fn speed_target_and_system_ram_travel_and_bad_ones_are_named() {
    // Order does not matter: the bands keep the speed target, the target keeps the bands.
    let (c, notes) = GridConfig::from_query("v=1&tps=40&bands=50,70,85&ram=64&rambw=90", catalog());
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(c.view.thresholds.speed, 40);
    assert_eq!(c.view.thresholds.caution, 50);
    assert_eq!(c.workload.system_memory_bytes, Some(64 << 30));
    assert_eq!(c.workload.system_bandwidth_gbps, Some(90));
    let q = c.to_query();
    assert!(
        q.contains("&ram=64&rambw=90") && q.contains("&tps=40"),
        "{q}"
    );
    let (c, notes) = GridConfig::from_query("v=1&tps=0&ram=-1&rambw=fast", catalog());
    assert_eq!(c.view.thresholds.speed, crate::plan::band::DEFAULT_SPEED);
    assert_eq!(c.workload.system_memory_bytes, None);
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(
        notes[0].to_string().contains("speed target"),
        "{}",
        notes[0]
    );
}

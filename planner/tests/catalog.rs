//! The catalogue loads completely, every entry is sourced and plausible, and the parameter
//! count computed from each config.json matches the published count within 1 %.

use planner::catalog::load;
use planner::model::config::NativeFormat;
use serde_json::Value;

/// The data files as committed (the shipped catalogue drops documentation fields, build.rs).
fn raw(name: &str) -> Vec<Value> {
    let text = match name {
        "models" => include_str!("../data/models.json"),
        _ => include_str!("../data/gpus.json"),
    };
    serde_json::from_str::<Value>(text)
        .expect("data file is JSON")
        .as_array()
        .expect("an array")
        .clone()
}

fn raw_field<'a>(entries: &'a [Value], id: &str, key: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["id"] == id)
        .map(|e| &e[key])
        .unwrap_or(&Value::Null)
}

#[test]
fn every_entry_loads() {
    let (cat, errors) = load();
    assert!(errors.is_empty(), "catalogue errors: {errors:#?}");
    assert!(cat.models.len() >= 150, "{} models", cat.models.len());
    assert!(cat.gpus.len() >= 50, "{} GPUs", cat.gpus.len());
}

/// build.rs ships each config.json without the keys the planner does not read (and no name
/// that is the id's last part): every entry must read exactly as its data-file entry.
#[test]
fn shipped_configs_read_as_the_full_ones() {
    let (cat, _) = load();
    for entry in raw("models") {
        let id = entry["id"].as_str().expect("id");
        let full = planner::model::config::ModelConfig::from_json(&(&entry["config"]).into())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let shipped = &cat.model(id).expect("in the catalogue").config;
        assert_eq!(
            &full, shipped,
            "{id}: build.rs dropped a key the planner reads"
        );
    }
}

#[test]
fn ids_are_unique() {
    let (cat, _) = load();
    // Ids and aliases together: an alias equal to another entry's id or alias (in any case)
    // would make `Catalog::model` answer for the wrong entry.
    let mut ids: Vec<_> = cat
        .models
        .iter()
        .flat_map(|m| std::iter::once(&m.id).chain(&m.aliases))
        .map(|id| id.to_lowercase())
        .collect();
    let all = ids.len();
    ids.sort();
    let dupes: Vec<_> = ids.windows(2).filter(|w| w[0] == w[1]).collect();
    assert!(dupes.is_empty(), "duplicate model id or alias: {dupes:?}");
    assert_eq!(ids.len(), all);
    let mut gpus: Vec<_> = cat.gpus.iter().map(|g| g.id.clone()).collect();
    gpus.sort();
    gpus.dedup();
    assert_eq!(gpus.len(), cat.gpus.len(), "duplicate GPU id");
}

#[test]
fn every_alias_resolves_to_its_entry() {
    let (cat, _) = load();
    let data = raw("models");
    let mut n = 0;
    for m in &cat.models {
        for a in &m.aliases {
            assert!(a.contains('/') && a != &m.id, "{}: alias {a}", m.id);
            assert_eq!(cat.model(a).unwrap().id, m.id, "{a}");
            assert_eq!(cat.resolve(a).unwrap().1, a, "{a} keeps its own spelling");
            // Hub ids are case-insensitive.
            assert_eq!(cat.model(&a.to_uppercase()).unwrap().id, m.id, "{a}");
            n += 1;
        }
        // An entry with aliases says in its notes why they share its config.json.
        let notes = raw_field(&data, &m.id, "notes").as_str().unwrap_or("");
        assert!(
            m.aliases.is_empty() || notes.contains("ALIASES"),
            "{}: aliases without a reason in the notes",
            m.id
        );
    }
    assert!(n >= 60, "{n} aliases");
    let err = cat.model("nobody/no-such-model").unwrap_err().to_string();
    assert!(err.contains("not in the catalogue"), "{err}");
}

/// Hugging Face ids people type: each resolves to an entry (as its id or an alias).
const WELL_KNOWN: &[&str] = &[
    "meta-llama/Llama-3.1-70B-Instruct",
    "meta-llama/Llama-3.2-1B-Instruct",
    "meta-llama/Llama-3.2-3B-Instruct",
    "Qwen/Qwen2.5-32B-Instruct",
    "google/gemma-2-2b-it",
    "google/gemma-2-9b-it",
    "google/gemma-2-27b-it",
    "google/gemma-3-27b-it",
    "ibm-granite/granite-3.1-8b-instruct",
    "meta-llama/Llama-3.1-8B",
    "meta-llama/Llama-3.1-8B-Instruct",
    "meta-llama/Meta-Llama-3-8B-Instruct",
    "meta-llama/Llama-2-7b-chat-hf",
    "Qwen/Qwen3-8B-Base",
    "Qwen/Qwen2.5-7B",
    "Qwen/Qwen2.5-72B",
    "mistralai/Mistral-7B-Instruct-v0.2",
    "mistralai/Mistral-7B-v0.3",
    "mistralai/Mixtral-8x7B-v0.1",
    "deepseek-ai/DeepSeek-V3-0324",
    "deepseek-ai/DeepSeek-R1-0528",
    "google/gemma-7b",
    "01-ai/Yi-34B-Chat",
];

#[test]
fn well_known_ids_resolve() {
    let (cat, _) = load();
    let missing: Vec<_> = WELL_KNOWN
        .iter()
        .filter(|id| cat.model(id).is_err())
        .collect();
    assert!(missing.is_empty(), "not in the catalogue: {missing:?}");
}

#[test]
fn models_are_sourced_and_plausible() {
    let (cat, _) = load();
    let data = raw("models");
    for m in &cat.models {
        let c = &m.config;
        let source = raw_field(&data, &m.id, "source").as_str().unwrap_or("");
        assert!(source.starts_with("https://"), "{}: no source URL", m.id);
        assert!(m.id.contains('/'), "{}: not a Hugging Face repo id", m.id);
        assert!(
            c.num_layers > 0 && c.hidden_size > 0 && c.vocab_size > 0,
            "{}",
            m.id
        );
        assert_eq!(
            c.num_heads % c.num_kv_heads,
            0,
            "{}: KV heads must divide heads",
            m.id
        );
        assert_eq!(c.layers.len() as u64, c.num_layers, "{}", m.id);
        assert!(
            c.head_dim >= 32 && c.head_dim <= 512,
            "{}: head_dim {}",
            m.id,
            c.head_dim
        );
        assert!(c.max_position_embeddings >= 2048, "{}", m.id);
        // Families whose attention width equals hidden_size (Llama, Qwen2, Mistral…) must agree;
        // Qwen3, Gemma and gpt-oss state a head_dim that deliberately differs.
        if matches!(
            c.model_type.as_str(),
            "llama" | "qwen2" | "mixtral" | "phi3"
        ) && c.mla.is_none()
        {
            assert_eq!(
                c.head_dim * c.num_heads,
                c.hidden_size,
                "{}: head_dim × heads",
                m.id
            );
        }
    }
}

#[test]
fn gpus_are_sourced_and_below_their_marketing_size() {
    let (cat, _) = load();
    let data = raw("gpus");
    assert!(cat.gpus.len() >= 35, "{} GPUs", cat.gpus.len());
    for g in &cat.gpus {
        let source = raw_field(&data, &g.id, "source").as_str().unwrap_or("");
        assert!(source.starts_with("https://"), "{}: no source URL", g.id);
        // The runtime reports less than the marketing size even read as GiB ("80GB" H100:
        // 79.19 GiB) because the driver and ECC reserve some…
        assert!(
            g.memory_bytes < g.marketing_gb << 30,
            "{}: above its marketing size",
            g.id
        );
        // …but never absurdly less (Apple's GPU working set is ~75 % of unified memory).
        assert!(
            g.memory_bytes * 10 > g.marketing_gb * 1_000_000_000 * 6,
            "{}",
            g.id
        );
    }
}

#[test]
fn gpu_throughput_and_bandwidth_are_sourced() {
    let (cat, _) = load();
    let data = raw("gpus");
    for g in &cat.gpus {
        assert!(g.bandwidth_gbps.is_some(), "{}: no bandwidth", g.id);
        let any = g.fp16_gflops.or(g.fp32_gflops).is_some();
        let source = raw_field(&data, &g.id, "tflops_source")
            .as_str()
            .unwrap_or("");
        assert!(
            any && source.starts_with("http"),
            "{}: throughput unsourced",
            g.id
        );
        // Dense figures: FP8 is at most twice FP16, and INT8 at most twice FP8 or FP16.
        if let (Some(h), Some(e)) = (g.fp16_gflops, g.fp8_gflops) {
            assert!(
                e <= 2 * h + h / 10,
                "{}: FP8 {e} vs FP16 {h} (a sparse figure?)",
                g.id
            );
        }
    }
    let gpu = |id: &str| cat.gpu(id).unwrap();
    // H100 SXM datasheet: BF16 1,979 TFLOPS with sparsity → 989.4 dense; Ada whitepaper: RTX
    // 4090 FP16 with FP32 accumulate 165.2 dense (GeForce halves it against FP16 accumulate).
    assert_eq!(gpu("h100-sxm-80gb").fp16_gflops, Some(989_400));
    assert_eq!(gpu("rtx-4090-24gb").fp16_gflops, Some(165_200));
    // One MI250X GCD reads half the board's 3.2768 TB/s.
    assert_eq!(gpu("mi250x-gcd-64gb").bandwidth_gbps, Some(1638));
}

/// Elements the Hub's safetensors "total" counts: MXFP4 experts are stored as packed U8 blocks
/// plus one U8 scale per 32 weights, and the Hub counts them as n + n/32 (gpt-oss-20b:
/// 19,110,297,600 expert weights → "U8 19,707,494,400" on the model page; the remaining
/// 1,804,459,584 BF16 parameters are the rest of the model).
/// A multimodal checkpoint stores its vision tower and projector too (Gemma 3's report counts
/// the 417 M SigLIP encoder in each model's total).
fn stored_elements(m: &planner::Model) -> u64 {
    let t = m.config.tensors();
    let mut total = t.param_count() + m.config.vision.as_ref().map_or(0, |v| v.params);
    if m.config.native_format == NativeFormat::Mxfp4 {
        let experts: u64 = t
            .linears
            .iter()
            .filter(|l| l.expert)
            .map(|l| l.in_features * l.out_features * l.count)
            .sum();
        total += experts / 32;
    }
    total
}

#[test]
fn computed_parameter_count_matches_the_published_count() {
    let (cat, _) = load();
    let data = raw("models");
    let mut checked = 0;
    let mut report = Vec::new();
    for m in &cat.models {
        let Some(published) = raw_field(&data, &m.id, "params").as_u64() else {
            continue;
        };
        let computed = stored_elements(m);
        // Tied checkpoints that still store lm_head.weight count it twice in the Hub total.
        let tied_copy = m.config.vocab_size * m.config.hidden_size;
        let err = |c: u64| (c as f64 - published as f64).abs() / published as f64;
        let e = err(computed).min(if m.config.tie_word_embeddings {
            err(computed + tied_copy)
        } else {
            f64::INFINITY
        });
        report.push(format!(
            "{:<55} published {published:>15} computed {computed:>15} err {:.3}%",
            m.id,
            e * 100.0
        ));
        if e > 0.01 {
            panic!(
                "{}: computed {computed} vs published {published} ({:.2} %)\n{}",
                m.id,
                e * 100.0,
                report.join("\n")
            );
        }
        checked += 1;
    }
    println!("{}", report.join("\n"));
    assert!(
        checked >= 20,
        "only {checked} models carry a published count"
    );
}

#[test]
fn every_gpu_reading_is_quoted_in_the_data_file() {
    // The shipped catalogue drops documentation fields (build.rs); the source file keeps them.
    for g in &raw("gpus") {
        let quote = g["quote"].as_str().unwrap_or("");
        assert!(!quote.is_empty(), "{}: no quoted reading", g["id"]);
    }
}

#[test]
fn every_price_names_its_gpu_source_date_and_quote() {
    let (cat, _) = load();
    let raw: Vec<Value> =
        serde_json::from_str(include_str!("../data/prices.json")).expect("prices.json parses");
    assert_eq!(raw.len(), cat.prices.len(), "every price loads");
    assert!(cat.prices.len() >= 10, "{} prices", cat.prices.len());
    for p in &cat.prices {
        assert!(cat.gpu(&p.gpu).is_ok(), "{}", p.gpu);
        assert!(p.source.starts_with("https://"), "{}: {}", p.gpu, p.source);
        assert!(
            !p.provider.is_empty() && !p.offering.is_empty(),
            "{}",
            p.gpu
        );
        // A date (YYYY-MM[-DD]) or an explicit "undated".
        let dated = p.as_of == "undated"
            || (p.as_of.len() >= 7 && p.as_of[..4].parse::<u32>().is_ok_and(|y| y >= 2024));
        assert!(dated, "{}: {}", p.gpu, p.as_of);
        // Plausible GPU rental prices: $0.05 to $20 per GPU-hour.
        assert!(
            (500..=200_000).contains(&p.per_hour.0),
            "{}: {}",
            p.gpu,
            p.per_hour
        );
        // The quoted page text contains the price as published.
        let entry = raw.iter().find(|e| e["gpu"] == p.gpu.as_str()).unwrap();
        let quote = entry["quote"].as_str().unwrap_or("");
        let shown = p.per_hour.dollars();
        assert!(
            quote.contains(&shown),
            "{}: quote {quote:?} lacks {shown}",
            p.gpu
        );
    }
}

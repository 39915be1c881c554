//! Exact weights from recorded checkpoint headers (`tests/data/checkpoints`, see its README):
//! the sums match the totals the checkpoints publish, the plan uses them, and hostile or cut
//! headers give their own error, never a panic.

use planner::checkpoint::{gguf, safetensors, CheckpointBytes};
use planner::error::CheckpointError;
use planner::model::config::ModelConfig;
use planner::model::weights::{weight_bytes, weight_parts};
use planner::{Bytes, WeightFormat};
use std::path::PathBuf;

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/checkpoints")
        .join(path)
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(data(path)).unwrap()
}

fn medgemma() -> CheckpointBytes {
    let index = safetensors::read_index(
        &String::from_utf8(read("medgemma-27b-it/model.safetensors.index.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(index.shards.len(), 12);
    let mut sum = CheckpointBytes::default();
    for shard in &index.shards {
        let bytes = read(&format!("medgemma-27b-it/{shard}"));
        sum.merge(&safetensors::read_shard(&bytes).unwrap())
            .unwrap();
    }
    index.check(&sum).unwrap();
    sum
}

#[test]
fn medgemma_headers_add_up_to_the_published_total() {
    let c = medgemma();
    // metadata.total_size of google/medgemma-27b-it's index.
    assert_eq!(c.total(), Bytes(54_864_813_280));
    assert_eq!(
        c.by_dtype,
        vec![("BF16".to_string(), Bytes(54_864_813_280))]
    );
    // SigLIP tower (`modeling_siglip.py`: 27 layers of width 1152, MLP 4304, 64² positions, 14²
    // patches) and Gemma 3's projector (a 1152 × 5376 matrix and a norm), in BF16.
    let (d, f) = (1152, 4304);
    let layer = 4 * (d * d + d) + (f * d + f) + (d * f + d) + 4 * d;
    let tower = d * 3 * 14 * 14 + d + 4096 * d + 27 * layer + 2 * d;
    assert_eq!(c.vision, Bytes(2 * (tower + d * 5376 + d)));
    assert_eq!(c.embedding, Bytes(2 * 262_208 * 5376));
    assert_eq!(c.output, Bytes(2 * 5376), "tied: the final norm only");
    assert_eq!(c.experts, Bytes::ZERO);
    assert_eq!(c.tensors, 1247);
    assert_eq!(
        CheckpointBytes::from_query(&c.to_query().unwrap()).unwrap(),
        c
    );
}

#[test]
fn the_plan_uses_the_exact_weights_split_as_before() {
    let text = String::from_utf8(read("medgemma-27b-it/config.json")).unwrap();
    let mut cfg = ModelConfig::from_json_str(&text).unwrap();
    let priced_tp2 = weight_bytes(&cfg, WeightFormat::Native, 2, 1).0 as f64
        / weight_bytes(&cfg, WeightFormat::Native, 1, 1).0 as f64;
    let c = medgemma();
    cfg.exact_weights = Some(Box::new(c.clone()));
    let lm = c.language_model();
    assert_eq!(weight_bytes(&cfg, WeightFormat::Native, 1, 1), lm);
    // The format it is stored in (BF16) is the header; another format is priced: what the
    // model would weigh stored that way.
    assert_eq!(weight_bytes(&cfg, WeightFormat::Bf16, 1, 1), lm);
    let mut priced = cfg.clone();
    priced.exact_weights = None;
    assert_eq!(
        weight_bytes(&cfg, WeightFormat::Awq, 1, 1),
        weight_bytes(&priced, WeightFormat::Awq, 1, 1)
    );
    assert!(cfg.exact_for(WeightFormat::Fp8).is_none());
    let tp2 = weight_bytes(&cfg, WeightFormat::Native, 2, 1).0 as f64 / lm.0 as f64;
    assert!((tp2 - priced_tp2).abs() < 1e-9, "{tp2} {priced_tp2}");
    let parts = weight_parts(&cfg, WeightFormat::Native);
    // Tied: llama.cpp's output is the norm plus the embedding's duplicate.
    assert_eq!(parts.output, c.output.0 + c.embedding.0);
    let gpu = planner::catalog()
        .gpus
        .iter()
        .find(|g| g.id == "h100-sxm-80gb")
        .unwrap();
    let w = planner::Workload {
        context: 8192,
        ..Default::default()
    };
    let plan = planner::plan(&cfg, WeightFormat::Native, gpu, &w).unwrap();
    assert_eq!(plan.vision_bytes, c.vision.0);
    assert!(plan.weights_bytes >= c.total().0, "{}", plan.weights_bytes);
    assert!(
        plan.notes[0].starts_with("weights exact (from the checkpoint headers)"),
        "{:?}",
        plan.notes
    );
    let llama = planner::Workload {
        engine: planner::Engine::LlamaCpp,
        ..w
    };
    let plan = planner::plan(&cfg, WeightFormat::Native, gpu, &llama).unwrap();
    assert_eq!(plan.vision_bytes, 0);
    assert!(plan.notes[0].contains("--mmproj"), "{:?}", plan.notes);
}

const TINYLLAMA: &str = r#"{"architectures":["LlamaForCausalLM"],"model_type":"llama",
    "hidden_size":2048,"intermediate_size":5632,"max_position_embeddings":2048,
    "num_attention_heads":32,"num_hidden_layers":22,"num_key_value_heads":4,
    "tie_word_embeddings":false,"torch_dtype":"bfloat16","vocab_size":32000}"#;

#[test]
fn tinyllama_gguf_header_matches_the_logged_file_and_the_priced_mix() {
    let h = gguf::read_header(&read("tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf")).unwrap();
    let c = &h.bytes;
    assert_eq!((h.version, h.alignment, c.tensors), (3, 32, 201));
    // llama.cpp: "file size = 636.18 MiB" (the tensors' bytes).
    assert_eq!(c.total(), Bytes(667_078_656));
    assert!((c.total().0 as f64 / (1 << 20) as f64 - 636.18).abs() < 0.005);
    let types: Vec<&str> = c.by_dtype.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(types, ["f32", "q4_K", "q6_K"]);
    // The planner's own Q4_K_M price of TinyLlama is the header to the byte.
    let cfg = ModelConfig::from_json_str(TINYLLAMA).unwrap();
    let p = weight_parts(&cfg, WeightFormat::Q4KM);
    assert_eq!(p.embedding + p.output + p.layers + p.experts, c.total().0);
    assert_eq!(p.embedding, c.embedding.0);
    assert_eq!(p.output, c.output.0);
}

#[test]
fn a_short_range_says_how_much_more_to_fetch() {
    let file = read("tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf");
    // The browser's loop: fetch, and fetch again as asked, until the header reads.
    let mut have = 1024usize;
    let mut rounds = 0;
    let header = loop {
        match gguf::read_header(&file[..have.min(file.len())]) {
            Ok(h) => break h,
            Err(CheckpointError::NeedMore { needed, .. }) => {
                assert!(needed as usize > have);
                have = (needed as usize).max(have * 2);
                rounds += 1;
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert!(rounds > 3 && rounds < 20, "{rounds}");
    assert_eq!(header.bytes.total(), Bytes(667_078_656));
    assert!(matches!(
        gguf::read_header(&read("hostile/truncated.gguf")),
        Err(CheckpointError::NeedMore { have: 4096, .. })
    ));
    let shard = read("medgemma-27b-it/model-00001-of-00012.safetensors");
    assert_eq!(
        safetensors::header_end(&shard[..8]).unwrap(),
        shard.len() as u64
    );
    assert!(matches!(
        safetensors::read_shard(&shard[..100]),
        Err(CheckpointError::NeedMore { needed, .. }) if needed == shard.len() as u64
    ));
}

#[test]
fn hostile_headers_get_their_own_errors() {
    let st = |p: &str| safetensors::read_shard(&read(&format!("hostile/{p}")));
    assert!(matches!(
        st("truncated.safetensors"),
        Err(CheckpointError::NeedMore { .. })
    ));
    assert_eq!(
        st("length_2_pow_63.safetensors"),
        Err(CheckpointError::HeaderTooLarge(1 << 63))
    );
    assert!(matches!(
        st("not_json.safetensors"),
        Err(CheckpointError::NotJson(_))
    ));
    assert!(matches!(
        st("overlapping_offsets.safetensors"),
        Err(CheckpointError::BadOffsets { .. })
    ));
    assert!(matches!(
        st("shape_overflow.safetensors"),
        Err(CheckpointError::Overflow(_))
    ));
    let json = |t: &str| safetensors::read_header_json(t);
    assert!(matches!(
        json(r#"{"w":{"shape":[1],"data_offsets":[0,2]}}"#),
        Err(CheckpointError::BadTensor { .. })
    ));
    assert!(matches!(
        json(r#"{"w":{"dtype":"BF17","shape":[1],"data_offsets":[0,2]}}"#),
        Err(CheckpointError::UnknownDtype { .. })
    ));
    assert!(matches!(
        json(r#"{"w":{"dtype":"BF16","shape":[3],"data_offsets":[0,2]}}"#),
        Err(CheckpointError::SizeMismatch {
            stored: 2,
            expected: 6,
            ..
        })
    ));
    assert!(matches!(
        json(r#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#),
        Err(CheckpointError::BadOffsets { .. })
    ));
    // Packed AWQ/GPTQ weights are I32, FP8 is one byte, FP4 half a byte per element.
    let ok = json(
        r#"{"__metadata__":{"format":"pt"},
        "model.layers.0.mlp.experts.0.down_proj.qweight":{"dtype":"I32","shape":[128,16],"data_offsets":[0,8192]},
        "model.layers.0.self_attn.q_proj.weight":{"dtype":"F8_E4M3","shape":[128,128],"data_offsets":[8192,24576]},
        "model.layers.0.mlp.experts.gate_up_proj_blocks":{"dtype":"F4","shape":[4,32],"data_offsets":[24576,24640]}}"#,
    )
    .unwrap();
    assert_eq!((ok.experts, ok.layers), (Bytes(8256), Bytes(16384)));
    for junk in [
        "{}x",
        r#"{"weight_map":{"a":"../x.safetensors"}}"#,
        r#"{"weight_map":{"a":7}}"#,
    ] {
        assert!(
            matches!(
                safetensors::read_index(junk),
                Err(CheckpointError::BadIndex(_))
            ),
            "{junk}"
        );
    }
    let g = |b: &[u8]| gguf::read_header(b);
    assert!(matches!(
        g(b"GGML\x03\0\0\0"),
        Err(CheckpointError::BadGguf(_))
    ));
    assert!(matches!(
        g(b"GGUF\x01\0\0\0"),
        Err(CheckpointError::BadGguf(_))
    ));
    assert!(matches!(
        g(b"GGUF\0\0\0\x03"),
        Err(CheckpointError::BadGguf(_))
    ));
}

/// xorshift64: deterministic noise without a dependency.
fn noise(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn random_and_mutated_bytes_never_panic() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let gguf_file = read("tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf");
    let shard = read("medgemma-27b-it/model-00012-of-00012.safetensors");
    for round in 0..400 {
        let len = (noise(&mut seed) % 256) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| noise(&mut seed) as u8).collect();
        let _ = safetensors::read_shard(&bytes);
        let _ = gguf::read_header(&bytes);
        let _ = CheckpointBytes::from_query(&String::from_utf8_lossy(&bytes));
        // Flip a few bytes of real headers (a GGUF's first 64 KiB: counts, keys, lengths).
        let mut g = gguf_file[..65_536].to_vec();
        let mut s = shard.clone();
        for _ in 0..1 + round % 4 {
            let i = (noise(&mut seed) as usize) % g.len();
            g[i] = noise(&mut seed) as u8;
            let j = (noise(&mut seed) as usize) % s.len();
            s[j] = noise(&mut seed) as u8;
        }
        let _ = gguf::read_header(&g);
        let _ = safetensors::read_shard(&s);
    }
}

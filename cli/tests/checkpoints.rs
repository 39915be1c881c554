//! `fitgrid plan` with exact weights from recorded checkpoint headers
//! (`planner/tests/data/checkpoints`): offline, the sums the checkpoints publish.

mod common;

fn data(path: &str) -> String {
    format!(
        "{}/../planner/tests/data/checkpoints/{path}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn plan(scenario: &str) -> (i32, serde_json::Value, String) {
    let (code, out, err) = common::fitgrid(&["plan", "-"], scenario.as_bytes());
    (code, serde_json::from_str(&out).unwrap_or_default(), err)
}

fn medgemma_config() -> String {
    std::fs::read_to_string(data("medgemma-27b-it/config.json")).unwrap()
}

const TINYLLAMA: &str = r#"{"architectures":["LlamaForCausalLM"],"model_type":"llama",
    "hidden_size":2048,"intermediate_size":5632,"max_position_embeddings":2048,
    "num_attention_heads":32,"num_hidden_layers":22,"num_key_value_heads":4,
    "tie_word_embeddings":false,"torch_dtype":"bfloat16","vocab_size":32000}"#;

#[test]
fn a_sharded_checkpoint_is_planned_from_its_headers() {
    let scenario = format!(
        r#"{{"model":{{"hf_repo":"google/medgemma-27b-it","hf_config":{},
        "safetensors_index":"{}"}},"gpu":"h100-sxm-80gb","max_context":8192}}"#,
        medgemma_config(),
        data("medgemma-27b-it/model.safetensors.index.json")
    );
    let (code, p, err) = plan(&scenario);
    assert_eq!(code, 0, "{err}");
    let src = &p["weights_source"];
    assert_eq!(src["kind"], "exact (from the checkpoint headers)");
    // metadata.total_size of the index, to the byte.
    assert_eq!(src["total_bytes"], 54_864_813_280u64);
    assert_eq!(src["tensors"], 1247);
    assert_eq!(p["vision_bytes"], 846_120_672u64);
    assert!(p["weights_bytes"].as_u64().unwrap() >= 54_864_813_280);
    assert!(
        p["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("weights exact (from the checkpoint headers): 51.10 GiB"),
        "{}",
        p["notes"][0]
    );
    assert!(p["command"]
        .as_str()
        .unwrap()
        .starts_with("vllm serve google/medgemma-27b-it"));
    // The same sums given as shard headers, or as numbers, plan the same.
    let shards: Vec<String> = (1..=12)
        .map(|i| {
            data(&format!(
                "medgemma-27b-it/model-{i:05}-of-00012.safetensors"
            ))
        })
        .collect();
    let by_headers = scenario.replace(
        &format!(
            r#""safetensors_index":"{}""#,
            data("medgemma-27b-it/model.safetensors.index.json")
        ),
        &format!(r#""safetensors_header":{}"#, serde_json::json!(shards)),
    );
    let (code, q, err) = plan(&by_headers);
    assert_eq!(code, 0, "{err}");
    assert_eq!(q["weights_bytes"], p["weights_bytes"]);
    let by_numbers = scenario.replace(
        &format!(
            r#""safetensors_index":"{}""#,
            data("medgemma-27b-it/model.safetensors.index.json")
        ),
        r#""safetensors_bytes":{"embedding":2819260416,"output":10752,"layers":51199421440,
        "vision":846120672,"by_dtype":{"BF16":54864813280}}"#,
    );
    let (code, r, err) = plan(&by_numbers);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["weights_bytes"], p["weights_bytes"]);
    assert_eq!(
        r["weights_source"]["link"],
        "e.2819260416~o.10752~l.51199421440~v.846120672~BF16.54864813280"
    );
}

#[test]
fn a_gguf_header_gives_llama_cpp_its_exact_file() {
    // Relative to the scenario file's folder.
    let dir = std::env::temp_dir().join(format!("fitgrid-ckpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        data("tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf"),
        dir.join("t.gguf"),
    )
    .unwrap();
    let scenario = |model: String| {
        format!(
            r#"{{"model":{model},"weights":"q4_k_m","gpu":"rtx-3090-24gb","engine":"llama.cpp","max_context":2048}}"#
        )
    };
    let exact = scenario(format!(
        r#"{{"hf_repo":"TinyLlama/TinyLlama-1.1B-Chat-v1.0","hf_config":{TINYLLAMA},"gguf_header":"t.gguf"}}"#
    ));
    std::fs::write(dir.join("s.json"), &exact).unwrap();
    let path = dir.join("s.json").display().to_string();
    let (code, out, err) = common::fitgrid(&["plan", &path], b"");
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(code, 0, "{err}");
    let p: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(p["weights_source"]["total_bytes"], 667_078_656u64);
    assert!(p["weights_source"]["by_dtype"]["q6_K"].as_u64().is_some());
    // The planner's Q4_K_M mix of TinyLlama is this file to the byte, so the plans agree.
    let (code, priced, err) = plan(&scenario(format!(r#"{{"hf_config":{TINYLLAMA}}}"#)));
    assert_eq!(code, 0, "{err}");
    assert_eq!(priced["weights_source"]["kind"], "priced from config.json");
    assert_eq!(p["weights_bytes"], priced["weights_bytes"]);
    assert_eq!(p["total_bytes"], priced["total_bytes"]);
}

#[test]
fn bad_headers_and_specs_exit_2_naming_the_field() {
    let with = |extra: &str| {
        format!(
            r#"{{"model":{{"hf_config":{TINYLLAMA},{extra}}},"gpu":"l4-24gb","max_context":1024}}"#
        )
    };
    for (extra, field, words) in [
        (
            format!(
                r#""safetensors_header":"{}""#,
                data("hostile/length_2_pow_63.safetensors")
            ),
            "model.safetensors_header",
            "100,000,000",
        ),
        (
            format!(
                r#""safetensors_header":"{}""#,
                data("hostile/overlapping_offsets.safetensors")
            ),
            "model.safetensors_header",
            "inside the tensor before it",
        ),
        (
            format!(
                r#""safetensors_header":"{}""#,
                data("hostile/shape_overflow.safetensors")
            ),
            "model.safetensors_header",
            "too large",
        ),
        (
            format!(r#""gguf_header":"{}""#, data("hostile/truncated.gguf")),
            "model.gguf_header",
            "inside its header",
        ),
        (
            format!(
                r#""gguf_header":"{}""#,
                data("hostile/not_json.safetensors")
            ),
            "model.gguf_header",
            "GGUF",
        ),
        (
            r#""safetensors_bytes":{"layers":10,"by_dtype":{"BF16":11}}"#.to_string(),
            "model.safetensors_bytes",
            "add up",
        ),
        (
            format!(
                r#""gguf_header":"x","safetensors_header":"{}""#,
                data("hostile/not_json.safetensors")
            ),
            "model",
            "one of",
        ),
        (
            r#""safetensors_header":"/nonexistent/x.safetensors""#.to_string(),
            "model.safetensors_header",
            "cannot read",
        ),
    ] {
        let (code, out, err) = common::fitgrid(&["plan", "-"], with(&extra).as_bytes());
        assert_eq!((code, out.as_str()), (2, ""), "{extra}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!("`{field}`")) && err.contains(words),
            "{extra}: {err}"
        );
    }
    // A typo in the object is refused too.
    let (code, _, err) = common::fitgrid(&["plan", "-"], with(r#""gguf_headr":"x""#).as_bytes());
    assert_eq!(code, 2, "{err}");
}

#[test]
fn pre_quantized_awq_and_fp8_checkpoints_are_planned_from_their_headers() {
    // (config folder, header, stated total): TheBloke's AWQ file is 765,750,416 bytes with its
    // 56,464-byte length and header; the FP8 index states total_size 9,081,202,432.
    for (dir, header, total, kind) in [
        (
            "tinyllama-1.1b-chat-v1.0-awq",
            r#""safetensors_header":"{}/model.safetensors""#,
            765_693_952u64,
            "I32",
        ),
        (
            "meta-llama-3-8b-instruct-fp8",
            r#""safetensors_index":"{}/model.safetensors.index.json""#,
            9_081_202_432,
            "F8_E4M3",
        ),
    ] {
        let config = std::fs::read_to_string(data(&format!("{dir}/config.json"))).unwrap();
        let source = header.replace("{}", &data(dir));
        let scenario = format!(
            r#"{{"model":{{"hf_repo":"acme/{dir}","hf_config":{config},{source}}},
            "gpu":"l40s-48gb","max_context":4096}}"#
        );
        let (code, p, err) = plan(&scenario);
        assert_eq!(code, 0, "{dir}: {err}");
        let src = &p["weights_source"];
        assert_eq!(src["kind"], "exact (from the checkpoint headers)", "{dir}");
        assert_eq!(src["total_bytes"], total, "{dir}");
        assert!(src["by_dtype"][kind].as_u64().unwrap() > 0, "{dir}: {src}");
        assert!(p["weights_bytes"].as_u64().unwrap() >= total, "{dir}");
    }
}

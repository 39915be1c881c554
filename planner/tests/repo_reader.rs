//! The repo reader against recorded checkpoints served as the Hub would serve them: a file
//! answers 200 (whole) or 206 (its first bytes), a missing file 404. Counts the requests, so
//! a header is never read twice and the weights never at all.

use planner::checkpoint::repo::{gguf_parts, Read, RepoReader, Step, FIRST_READ};
use planner::checkpoint::CheckpointBytes;
use planner::error::CheckpointError;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A repo: file name → bytes (header prefixes standing in for whole files).
type Repo = BTreeMap<String, Vec<u8>>;

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/checkpoints")
        .join(path)
}

fn repo(dir: &str) -> Repo {
    std::fs::read_dir(data(dir))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Runs the reader to its end; returns the sums (or error) and the requests made.
fn run(
    mut reader: RepoReader,
    answer: impl Fn(&Read) -> (u16, Vec<u8>),
) -> (Result<CheckpointBytes, CheckpointError>, Vec<Read>) {
    let mut read = reader.start();
    let mut asked = Vec::new();
    loop {
        let (status, body) = answer(&read);
        asked.push(read.clone());
        match reader.feed(status, &body) {
            Ok(Step::Read(next)) => read = next,
            Ok(Step::Done(sum)) => return (Ok(sum), asked),
            Err(e) => return (Err(e), asked),
        }
        assert!(asked.len() < 1000, "the reader loops");
    }
}

/// Serves `repo` as the Hub does a Range request.
fn hub(repo: &Repo) -> impl Fn(&Read) -> (u16, Vec<u8>) + '_ {
    move |r| match repo.get(&r.file) {
        None => (404, Vec::new()),
        Some(b) => match r.first {
            None => (200, b.clone()),
            Some(n) => (206, b[..b.len().min(n as usize)].to_vec()),
        },
    }
}

#[test]
fn a_sharded_repo_sums_to_its_index_with_one_read_per_shard() {
    let files = repo("medgemma-27b-it");
    let (sum, asked) = run(RepoReader::safetensors(), hub(&files));
    let sum = sum.unwrap();
    assert_eq!(sum.total().0, 54_864_813_280);
    assert_eq!(sum.tensors, 1_247);
    assert_eq!(sum.vision.0, 846_120_672);
    // The index, then each shard once, 256 KiB each.
    assert_eq!(asked.len(), 13);
    assert_eq!(asked[0].file, "model.safetensors.index.json");
    assert!(asked[1..].iter().all(|r| r.first == Some(FIRST_READ)));
}

#[test]
fn a_long_header_gets_a_second_exact_read() {
    // A shard whose header is longer than the first read: pad the JSON with spaces.
    let shard = &repo("medgemma-27b-it")["model-00001-of-00012.safetensors"];
    let json = &shard[8..];
    let mut padded = json.to_vec();
    padded.resize(FIRST_READ as usize + 1000, b' ');
    let mut file = (padded.len() as u64).to_le_bytes().to_vec();
    file.extend(&padded);
    let files: Repo = [("model.safetensors".to_string(), file.clone())].into();
    let (sum, asked) = run(RepoReader::safetensors(), hub(&files));
    assert!(sum.unwrap().total().0 > 0);
    let firsts: Vec<_> = asked.iter().map(|r| r.first).collect();
    assert_eq!(
        firsts,
        [None, Some(FIRST_READ), Some(file.len() as u64)],
        "index (404), the first read, then exactly 8 + N"
    );
}

#[test]
fn a_gguf_header_grows_its_read_until_it_is_whole() {
    let path = "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf";
    let files: Repo = [(path.to_string(), std::fs::read(data(path)).unwrap())].into();
    let (sum, asked) = run(RepoReader::gguf(path), hub(&files));
    // llama.cpp's logged file size, 636.18 MiB (tests/data/checkpoints/README.md).
    assert_eq!(sum.unwrap().total().0, 667_078_656);
    // The 1.6 MB header: 1 MiB, then 2 MiB.
    let firsts: Vec<_> = asked.iter().map(|r| r.first.unwrap()).collect();
    assert_eq!(firsts, [1 << 20, 2 << 20]);
}

#[test]
fn split_gguf_names_every_part() {
    assert_eq!(
        gguf_parts("Q4_K_M/Llama-3.3-70B-Q4_K_M-00002-of-00003.gguf"),
        [
            "Q4_K_M/Llama-3.3-70B-Q4_K_M-00001-of-00003.gguf",
            "Q4_K_M/Llama-3.3-70B-Q4_K_M-00002-of-00003.gguf",
            "Q4_K_M/Llama-3.3-70B-Q4_K_M-00003-of-00003.gguf"
        ]
    );
    assert_eq!(gguf_parts("model-Q8_0.gguf"), ["model-Q8_0.gguf"]);
    assert_eq!(gguf_parts("a-1-of-3.gguf"), ["a-1-of-3.gguf"]);
    assert_eq!(
        gguf_parts("a-00001-of-00000.gguf"),
        ["a-00001-of-00000.gguf"]
    );
}

#[test]
fn every_failure_has_its_own_message() {
    let medgemma = repo("medgemma-27b-it");
    let message = |files: &Repo, reader: RepoReader| run(reader, hub(files)).0.unwrap_err();

    // No index and no single file: not a safetensors repo.
    let e = message(&Repo::new(), RepoReader::safetensors());
    assert_eq!(e, CheckpointError::NoSafetensors);

    // A gated repo answers 403 to the index.
    let gated = |_: &Read| (403, Vec::new());
    let e = run(RepoReader::safetensors(), gated).0.unwrap_err();
    assert!(
        e.to_string()
            .starts_with("model.safetensors.index.json: gated"),
        "{e}"
    );

    // A shard the index names is missing.
    let mut missing = medgemma.clone();
    missing.remove("model-00007-of-00012.safetensors");
    let e = message(&missing, RepoReader::safetensors());
    assert_eq!(
        e.to_string(),
        "model-00007-of-00012.safetensors is listed in model.safetensors.index.json but is not in the repo (HTTP 404)"
    );

    // A file that ends inside its header.
    let cut = std::fs::read(data("hostile/truncated.safetensors")).unwrap();
    let e = message(
        &[("model.safetensors".into(), cut.clone())].into(),
        RepoReader::safetensors(),
    );
    assert!(
        matches!(e, CheckpointError::Truncated { have, needed, .. } if have == cut.len() as u64 && needed == have + 10),
        "{e}"
    );
    let cut = std::fs::read(data("hostile/truncated.gguf")).unwrap();
    let e = message(&[("x.gguf".into(), cut)].into(), RepoReader::gguf("x.gguf"));
    assert!(matches!(e, CheckpointError::Truncated { .. }), "{e}");

    // A header that is not JSON, a header claiming 2^63 bytes.
    for (file, starts) in [
        ("not_json", "the safetensors header is not valid JSON"),
        ("length_2_pow_63", "the safetensors header claims"),
    ] {
        let bytes = std::fs::read(data(&format!("hostile/{file}.safetensors"))).unwrap();
        let e = message(
            &[("model.safetensors".into(), bytes)].into(),
            RepoReader::safetensors(),
        );
        assert!(e.to_string().starts_with(starts), "{file}: {e}");
    }

    // Headers that do not add up to the index.
    let mut short = medgemma;
    let one = short["model-00001-of-00012.safetensors"].clone();
    short.insert("model-00003-of-00012.safetensors".into(), one);
    let e = message(&short, RepoReader::safetensors());
    assert!(matches!(e, CheckpointError::IndexMismatch { .. }), "{e}");
}

#[test]
fn gguf_addresses_are_read_from_hub_links_and_short_forms() {
    use planner::checkpoint::repo::gguf_address;
    let a = gguf_address(
        "https://huggingface.co/bartowski/Qwen3-8B-GGUF/blob/main/Qwen3-8B-Q4_K_M.gguf",
    )
    .unwrap();
    assert_eq!(
        (a.repo.as_str(), a.revision.as_str(), a.path.as_str()),
        ("bartowski/Qwen3-8B-GGUF", "main", "Qwen3-8B-Q4_K_M.gguf")
    );
    let b = gguf_address(" unsloth/Llama-3.3-70B-Instruct-GGUF/Q4_K_M/Llama-3.3-70B-Instruct-Q4_K_M-00001-of-00002.gguf ")
        .unwrap();
    assert_eq!(
        b.path,
        "Q4_K_M/Llama-3.3-70B-Instruct-Q4_K_M-00001-of-00002.gguf"
    );
    let c = gguf_address("huggingface.co/o/r/resolve/0a1b2c/x.gguf").unwrap();
    assert_eq!(c.revision, "0a1b2c");
    for bad in [
        "o/r",
        "o/r/model.safetensors",
        "o/r/../x.gguf",
        "o/r/a%2Fb.gguf",
        "o/r/x.gguf?download=1",
        "https://evil.example/o/r/x.gguf",
        "o/r//x.gguf",
        "o/r/resolve/main/",
    ] {
        assert_eq!(gguf_address(bad), None, "{bad}");
    }
}

/// The priced weights of a recorded config at its own (native) format.
fn priced(dir: &str) -> u64 {
    use planner::model::config::ModelConfig;
    let text = std::fs::read_to_string(data(&format!("{dir}/config.json"))).unwrap();
    let cfg = ModelConfig::from_json_str(&text).unwrap();
    planner::model::weights::weight_bytes(&cfg, planner::WeightFormat::Native, 1, 1).0
}

#[test]
fn an_fp8_repo_sums_to_its_index_and_the_fp8_rule_agrees() {
    let dir = "meta-llama-3-8b-instruct-fp8";
    let (sum, asked) = run(RepoReader::safetensors(), hub(&repo(dir)));
    let sum = sum.unwrap();
    // neuralmagic/Meta-Llama-3-8B-Instruct-FP8's index: total_size 9,081,202,432, 739 tensors.
    assert_eq!(
        (sum.total().0, sum.tensors, asked.len()),
        (9_081_202_432, 739, 3)
    );
    let types: Vec<(&str, u64)> = sum
        .by_dtype
        .iter()
        .map(|(d, b)| (d.as_str(), b.0))
        .collect();
    assert_eq!(
        types,
        [
            // Embedding and lm_head (128,256 × 4,096 each) and 65 norms.
            ("BF16", 2 * 128_256 * 4096 * 2 + 65 * 4096 * 2),
            // 448 per-tensor scales.
            ("F32", 448 * 4),
            ("F8_E4M3", 6_979_321_856)
        ]
    );
    let p = priced(dir);
    let off = (p as f64 - sum.total().0 as f64).abs() / sum.total().0 as f64;
    assert!(off < 0.001, "priced {p} vs exact {}: {off}", sum.total().0);
}

#[test]
fn an_awq_file_without_an_index_is_read_whole_and_the_awq_rule_agrees() {
    let dir = "tinyllama-1.1b-chat-v1.0-awq";
    let files = repo(dir);
    let (sum, asked) = run(RepoReader::safetensors(), hub(&files));
    let sum = sum.unwrap();
    // TheBloke/TinyLlama-1.1B-Chat-v1.0-AWQ's model.safetensors is 765,750,416 bytes: the
    // 8-byte length, the 56,456-byte header, and the tensors.
    assert_eq!(8 + 56_456 + sum.total().0, 765_750_416);
    assert_eq!(files["model.safetensors"].len(), 8 + 56_456);
    let types: Vec<&str> = sum.by_dtype.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(types, ["F16", "I32"]);
    assert_eq!(sum.tensors, 3 + 22 * (2 + 7 * 3));
    // The index's 404, then model.safetensors.
    assert_eq!(asked.len(), 2);
    let p = priced(dir);
    let off = (p as f64 - sum.total().0 as f64).abs() / sum.total().0 as f64;
    assert!(off < 0.001, "priced {p} vs exact {}: {off}", sum.total().0);
}

#[test]
fn an_empty_tensor_may_share_an_offset_with_a_full_one() {
    // "a" (4 bytes) sorts before "b" (empty) by name; by offsets the empty one comes first.
    let json = r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"c":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}"#;
    let sum = planner::checkpoint::safetensors::read_header_json(json).unwrap();
    assert_eq!((sum.total().0, sum.tensors), (4, 3));
}

/// Serves `repos` (repo id → files) at the Hub's addresses; the model API has nothing.
fn hub_urls<'a>(
    repos: &'a BTreeMap<&'a str, Repo>,
) -> impl Fn(&planner::hub::HubRead) -> (u16, Vec<u8>) + 'a {
    move |r| {
        let path = r.url.strip_prefix("https://huggingface.co/").unwrap();
        let found = repos.iter().find_map(|(repo, files)| {
            let file = path.strip_prefix(*repo)?.strip_prefix("/resolve/main/")?;
            files.get(file)
        });
        match (found, r.first) {
            (None, _) => (404, Vec::new()),
            (Some(b), None) => (200, b.clone()),
            (Some(b), Some(n)) => (206, b[..b.len().min(n as usize)].to_vec()),
        }
    }
}

/// Runs a Hub fetch to its end: the model's name, whether its weights are exact, and the words.
fn fetch(
    mut f: planner::hub::HubFetch,
    answer: impl Fn(&planner::hub::HubRead) -> (u16, Vec<u8>),
) -> Result<(String, bool, String), String> {
    use planner::hub::HubStep;
    for _ in 0..100 {
        let (status, body) = answer(&f.read());
        match f.feed(status, &body)? {
            HubStep::Read(_) => {}
            HubStep::Done(m, words) => {
                return Ok((
                    m.model.name.clone(),
                    m.model.config.exact_weights.is_some(),
                    words,
                ))
            }
        }
    }
    panic!("the fetch loops")
}

#[test]
fn a_hub_fetch_adds_the_model_with_its_exact_bytes_or_says_why_not() {
    use planner::hub::HubFetch;
    let medgemma = "google/medgemma-27b-it";
    let repos: BTreeMap<&str, Repo> = [(medgemma, repo("medgemma-27b-it"))].into();
    let (name, exact, words) = fetch(HubFetch::new(medgemma).unwrap(), hub_urls(&repos)).unwrap();
    assert_eq!(name, medgemma);
    assert!(exact);
    assert_eq!(
        words,
        "Added google/medgemma-27b-it; weights exact (from the checkpoint headers): 51.10 GiB on its BF16 row"
    );

    // A shard that cannot be read leaves the row priced, and says why.
    let mut cut = repos.clone();
    cut.get_mut(medgemma)
        .unwrap()
        .remove("model-00003-of-00012.safetensors");
    let (_, exact, words) = fetch(HubFetch::new(medgemma).unwrap(), hub_urls(&cut)).unwrap();
    assert!(!exact);
    assert!(words.starts_with("Added google/medgemma-27b-it; weights priced from config.json; exact bytes unavailable: model-00003-of-00012.safetensors is listed in model.safetensors.index.json but is not in the repo"), "{words}");

    // No config.json: nothing is added.
    let e = fetch(HubFetch::new("acme/none").unwrap(), hub_urls(&repos)).unwrap_err();
    assert!(e.starts_with("acme/none: config.json: not found"), "{e}");
    assert!(HubFetch::new("<img src=x>").is_err());
    assert!(HubFetch::new(" ")
        .unwrap_err()
        .starts_with("type a Hugging Face repo id"));
    // A pasted model page reads as its repo id.
    let page = HubFetch::new("https://huggingface.co/google/medgemma-27b-it/tree/main").unwrap();
    assert_eq!(
        page.read().url,
        "https://huggingface.co/google/medgemma-27b-it/resolve/main/config.json"
    );

    // A read that cannot be made: before config.json an error, after it the priced row.
    let mut f = HubFetch::new(medgemma).unwrap();
    assert_eq!(f.fail("offline").unwrap_err(), "offline");
    let mut f2 = HubFetch::new(medgemma).unwrap();
    let config = &repos[medgemma]["config.json"];
    f2.feed(200, config).unwrap();
    f2.fail("no answer").unwrap(); // the count is optional
    match f2.fail("the Hub did not answer within 15 s").unwrap() {
        planner::hub::HubStep::Done(m, words) => {
            assert!(m.model.config.exact_weights.is_none());
            assert!(words.ends_with("exact bytes unavailable: the Hub did not answer within 15 s"));
        }
        other => panic!("{other:?}"),
    }
    let _ = f.read();
}

#[test]
fn a_hub_fetch_reads_a_gguf_file_of_another_repo() {
    use planner::hub::HubFetch;
    let base = "TinyLlama/TinyLlama-1.1B-Chat-v1.0";
    let gguf_repo = "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF";
    let file = "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf";
    // The base model's config: the AWQ repo's, less its quantization.
    let mut config: serde_json::Value = serde_json::from_slice(
        &std::fs::read(data("tinyllama-1.1b-chat-v1.0-awq/config.json")).unwrap(),
    )
    .unwrap();
    config
        .as_object_mut()
        .unwrap()
        .remove("quantization_config");
    let repos: BTreeMap<&str, Repo> = [
        (
            base,
            [("config.json".to_string(), config.to_string().into_bytes())].into(),
        ),
        (
            gguf_repo,
            [(file.to_string(), std::fs::read(data(file)).unwrap())].into(),
        ),
    ]
    .into();
    let address = format!("https://huggingface.co/{gguf_repo}/blob/main/{file}");
    let f = HubFetch::with_gguf(base, &address).unwrap();
    let (_, exact, words) = fetch(f, hub_urls(&repos)).unwrap();
    assert!(exact);
    // 667,078,656 bytes: llama.cpp's logged "file size = 636.18 MiB".
    assert!(
        words.ends_with(
            "weights exact (from the checkpoint headers): 0.62 GiB on its GGUF Q4_K_M row"
        ),
        "{words}"
    );
    // A GGUF repo has no config.json of its own: say which id to type.
    let e = fetch(HubFetch::with_gguf("", &address).unwrap(), hub_urls(&repos)).unwrap_err();
    assert!(e.contains("type the original model's repo id"), "{e}");
    assert!(HubFetch::with_gguf(base, "https://evil.example/x.gguf").is_err());
}

#[test]
fn the_row_a_checkpoint_is_stored_in_goes_on_the_grid_and_only_it_is_exact() {
    use planner::catalog::custom::CustomModel;
    use planner::checkpoint::safetensors;
    use planner::{GridConfig, WeightFormat};
    let dir = "meta-llama-3-8b-instruct-fp8";
    let (sum, _) = run(RepoReader::safetensors(), hub(&repo(dir)));
    let sum = sum.unwrap();
    let text = std::fs::read_to_string(data(&format!("{dir}/config.json"))).unwrap();
    let m = CustomModel::from_config_text(&text, Some("neuralmagic/fp8"), None)
        .unwrap()
        .with_exact(&sum)
        .unwrap();
    let mut cfg = GridConfig::default();
    let formats = cfg.formats.clone();
    assert!(!formats.contains(&WeightFormat::Native) && !formats.contains(&WeightFormat::Fp8));
    cfg.add_custom_model(m.clone()).unwrap();
    // The FP8 checkpoint's own row is the native one (its config says fp8).
    assert_eq!(cfg.formats.last(), Some(&WeightFormat::Native));
    assert_eq!(cfg.formats.len(), formats.len() + 1);
    let c = &m.model.config;
    assert!(
        c.exact_for(WeightFormat::Native).is_some() && c.exact_for(WeightFormat::Fp8).is_some()
    );
    assert!(c.exact_for(WeightFormat::Fp16).is_none() && c.exact_for(WeightFormat::Awq).is_none());
    // Added again: no second row.
    cfg.add_custom_model(m).unwrap();
    assert_eq!(cfg.formats.len(), formats.len() + 1);
    let _ = safetensors::MAX_HEADER;
}

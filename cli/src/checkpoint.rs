//! The scenario's `model` field: a catalogue id, or an object naming the model (`hf_repo`, a
//! catalogue id that is also its Hugging Face repo; or `hf_config`, an inline config.json; or
//! both, the repo then naming the config) and optionally its exact bytes from the checkpoint's
//! headers: `safetensors_index` (a saved `model.safetensors.index.json`, its shards' headers
//! read from the same folder), `safetensors_header` (one or more shard headers: a
//! `.safetensors` prefix or the header's JSON), `gguf_header` (a GGUF file or its first
//! bytes), or `safetensors_bytes` (the sums themselves). Paths are relative to the scenario
//! file's folder (the working directory for stdin).

use crate::scenario::{invalid, ScenarioError};
use planner::catalog::custom::{CustomError, CustomModel};
use planner::catalog::Catalog;
use planner::checkpoint::repo::{self, RepoReader, Step};
use planner::checkpoint::{safetensors, CheckpointBytes};
use planner::error::CheckpointError;
use planner::inert;
use planner::model::config::ModelConfig;
use planner::Bytes;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// `model` as written.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum ModelSpec {
    /// A catalogue id.
    Id(String),
    /// The object form.
    Object(ModelObject),
}

/// `{"hf_repo": …, "hf_config": {…}, "safetensors_index": "…", …}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelObject {
    hf_repo: Option<String>,
    hf_config: Option<Value>,
    safetensors_index: Option<String>,
    safetensors_header: Option<OneOrMany>,
    gguf_header: Option<String>,
    safetensors_bytes: Option<SumsSpec>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// `safetensors_bytes`: the sums as [`CheckpointBytes`] holds them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SumsSpec {
    by_dtype: BTreeMap<String, u64>,
    #[serde(default)]
    embedding: u64,
    #[serde(default)]
    output: u64,
    #[serde(default)]
    layers: u64,
    #[serde(default)]
    experts: u64,
    #[serde(default)]
    vision: u64,
    #[serde(default)]
    other: u64,
}

fn header_error(field: &str, path: &str, e: CheckpointError) -> ScenarioError {
    invalid(field, format!("{}: {e}", inert::clip(path, 120)))
}

/// Reads at most `n` bytes from the start of `path`.
fn read_prefix(field: &str, path: &Path, n: u64) -> Result<Vec<u8>, ScenarioError> {
    let mut out = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(n).read_to_end(&mut out))
        .map_err(|e| {
            invalid(
                field,
                format!(
                    "cannot read {}: {e}",
                    inert::clip(&path.display().to_string(), 120)
                ),
            )
        })?;
    Ok(out)
}

/// One shard's sums from a `.safetensors` prefix or a header's JSON text.
fn shard(field: &str, base: &Path, rel: &str) -> Result<CheckpointBytes, ScenarioError> {
    let path = base.join(rel);
    let first = read_prefix(field, &path, 8)?;
    if first.first() == Some(&b'{') {
        let text = read_prefix(field, &path, safetensors::MAX_HEADER)?;
        let text = String::from_utf8(text)
            .map_err(|_| invalid(field, format!("{}: not UTF-8", inert::clip(rel, 120))))?;
        return safetensors::read_header_json(&text).map_err(|e| header_error(field, rel, e));
    }
    let end = safetensors::header_end(&first).map_err(|e| header_error(field, rel, e))?;
    let bytes = read_prefix(field, &path, end)?;
    safetensors::read_shard(&bytes).map_err(|e| header_error(field, rel, e))
}

/// A GGUF header (every part of a split `…-00001-of-00003.gguf`), read as the page reads the
/// Hub: the planner's [`RepoReader`] asks for growing prefixes of each file.
fn gguf_sums(base: &Path, rel: &str) -> Result<CheckpointBytes, ScenarioError> {
    let field = "model.gguf_header";
    let mut reader = RepoReader::gguf(rel);
    let mut read = reader.start();
    loop {
        let n = read.first.unwrap_or(repo::MAX_INDEX);
        let bytes = read_prefix(field, &base.join(&read.file), n)?;
        // A local file answers any prefix, as a 206 would.
        match reader.feed(206, &bytes) {
            Ok(Step::Read(next)) => read = next,
            Ok(Step::Done(sum)) => return Ok(sum),
            Err(e) => return Err(header_error(field, &read.file, e)),
        }
    }
}

fn sums_from_spec(s: SumsSpec) -> Result<CheckpointBytes, ScenarioError> {
    let field = "model.safetensors_bytes";
    let mut c = CheckpointBytes {
        by_dtype: s.by_dtype.into_iter().map(|(d, b)| (d, Bytes(b))).collect(),
        embedding: Bytes(s.embedding),
        output: Bytes(s.output),
        layers: Bytes(s.layers),
        experts: Bytes(s.experts),
        vision: Bytes(s.vision),
        other: Bytes(s.other),
        tensors: 0,
    };
    // The link form's checks: types and parts must add up to the same total.
    let q = c.to_query().ok_or_else(|| {
        invalid(
            field,
            "has a type name other than 2–16 letters, digits or _",
        )
    })?;
    c = CheckpointBytes::from_query(&q).map_err(|e| invalid(field, e.to_string()))?;
    Ok(c)
}

/// The exact sums the object names, if any (at most one source).
fn exact(o: &ModelObject, base: &Path) -> Result<Option<CheckpointBytes>, ScenarioError> {
    let sources = [
        o.safetensors_index.is_some(),
        o.safetensors_header.is_some(),
        o.gguf_header.is_some(),
        o.safetensors_bytes.is_some(),
    ];
    if sources.iter().filter(|&&s| s).count() > 1 {
        return Err(invalid(
            "model",
            "takes one of safetensors_index, safetensors_header, gguf_header, safetensors_bytes",
        ));
    }
    if let Some(index_path) = &o.safetensors_index {
        let field = "model.safetensors_index";
        let text = read_prefix(field, &base.join(index_path), 64 << 20)?;
        let text = String::from_utf8(text).map_err(|_| invalid(field, "is not UTF-8"))?;
        let index = safetensors::read_index(&text).map_err(|e| invalid(field, e.to_string()))?;
        let dir = base.join(index_path);
        let dir = dir.parent().unwrap_or(base);
        let mut sum = CheckpointBytes::default();
        for s in &index.shards {
            sum.merge(&shard(field, dir, s)?)
                .map_err(|e| invalid(field, e.to_string()))?;
        }
        index
            .check(&sum)
            .map_err(|e| invalid(field, e.to_string()))?;
        return Ok(Some(sum));
    }
    if let Some(h) = &o.safetensors_header {
        let paths = match h {
            OneOrMany::One(p) => std::slice::from_ref(p),
            OneOrMany::Many(v) => v.as_slice(),
        };
        if paths.is_empty() || paths.len() > safetensors::MAX_SHARDS {
            return Err(invalid(
                "model.safetensors_header",
                "needs 1 to 10,000 paths",
            ));
        }
        let mut sum = CheckpointBytes::default();
        for p in paths {
            sum.merge(&shard("model.safetensors_header", base, p)?)
                .map_err(|e| invalid("model.safetensors_header", e.to_string()))?;
        }
        return Ok(Some(sum));
    }
    if let Some(p) = &o.gguf_header {
        return gguf_sums(base, p).map(Some);
    }
    Ok(None)
}

/// Resolves `model`: (the repo id for the launch command, the config with exact weights).
pub fn resolve(
    spec: ModelSpec,
    catalog: &Catalog,
    base: &Path,
) -> Result<(String, ModelConfig), ScenarioError> {
    let o = match spec {
        ModelSpec::Id(id) => {
            // An alias keeps its own id: the launch command serves what was asked for.
            let (m, as_catalogued) = catalog
                .resolve(&id)
                .map_err(|e| invalid("model", e.to_string()))?;
            return Ok((as_catalogued.to_string(), m.config.clone()));
        }
        ModelSpec::Object(o) => o,
    };
    let (id, mut config) = match (&o.hf_repo, &o.hf_config) {
        (None, None) => return Err(invalid("model", "needs `hf_repo` or `hf_config`")),
        (Some(repo), None) => {
            let (m, as_catalogued) = catalog.resolve(repo).map_err(|e| {
                invalid(
                    "model.hf_repo",
                    format!("{e}; give its config.json as `hf_config` too"),
                )
            })?;
            (as_catalogued.to_string(), m.config.clone())
        }
        // The same path as a config.json pasted or fetched in the page.
        (repo, Some(hf_config)) => {
            match CustomModel::from_config_value(&hf_config.into(), None, None) {
                Ok(c) => (
                    repo.as_deref()
                        .or_else(|| hf_config.get("_name_or_path").and_then(Value::as_str))
                        .map(|s| inert::clip(s, 200))
                        .filter(|s| !s.trim().is_empty())
                        .unwrap_or_else(|| "MODEL".into()),
                    c.model.config,
                ),
                Err(CustomError::Config(e)) => return Err(ScenarioError::Config(e)),
                Err(e) => return Err(invalid("model", e.to_string())),
            }
        }
    };
    let sums = match o.safetensors_bytes {
        Some(_) if o.safetensors_index.is_some() || o.safetensors_header.is_some() || o.gguf_header.is_some() => {
            return Err(invalid(
                "model",
                "takes one of safetensors_index, safetensors_header, gguf_header, safetensors_bytes",
            ))
        }
        Some(s) => Some(sums_from_spec(s)?),
        None => exact(&o, base)?,
    };
    if let Some(c) = sums {
        if c.total().0 == 0 {
            return Err(invalid("model", "the checkpoint headers hold no tensors"));
        }
        config.exact_weights = Some(Box::new(c));
    }
    Ok((id, config))
}

//! Error enums, one per concern (numbat style): a broken config.json, an unknown catalogue
//! id. (A bad CLI scenario is the CLI crate's own error.) Every message names the field at fault so that the page
//! and `fitgrid plan` can say exactly what to fix.

use thiserror::Error;

/// A model configuration (Hugging Face `config.json`) the planner cannot use.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    /// The text is not JSON at all.
    #[error("config.json is not valid JSON: {0}")]
    NotJson(String),
    /// The top level is not an object.
    #[error("config.json must be a JSON object")]
    NotObject,
    /// A field the planner needs is absent.
    #[error("config.json is missing the required field `{0}`")]
    Missing(&'static str),
    /// A field has the wrong type or an impossible value.
    #[error("config.json field `{field}` {problem}")]
    Invalid {
        /// The JSON key.
        field: &'static str,
        /// What is wrong with it, e.g. "must be a positive integer".
        problem: String,
    },
    /// The config has layers the planner does not model; it refuses rather than misprices.
    #[error("config.json describes {what} ({evidence}), which Fitgrid does not model yet; rather than get its memory wrong, it does not plan this model")]
    Unmodelled {
        /// The kind of layer.
        what: &'static str,
        /// The key (or value) that shows it.
        evidence: String,
    },
    /// Each field is plausible but together they describe an impossible model.
    #[error("config.json describes a model too large to plan: {value} {what} (Fitgrid plans at most {limit})")]
    TooLarge {
        /// The derived quantity, e.g. "parameters" or "of KV cache per token".
        what: &'static str,
        /// Its value in words, e.g. "10.8 trillion" or "70.50 GiB".
        value: String,
        /// The bound in words.
        limit: String,
    },
}

/// A catalogue lookup that found nothing.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum CatalogError {
    /// No model with this id.
    #[error("model `{0}` is not in the catalogue (neither an entry nor an alias)")]
    UnknownModel(String),
    /// No GPU with this id.
    #[error("unknown GPU `{0}`")]
    UnknownGpu(String),
    /// No weight format with this id.
    #[error("unknown weight format `{0}`")]
    UnknownFormat(String),
}

/// A checkpoint header (safetensors or GGUF) or a `model.safetensors.index.json` that cannot be
/// read. A header cut short by the caller's byte range is [`CheckpointError::NeedMore`], so the
/// caller can fetch a longer range; every other variant is a property of the file itself.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum CheckpointError {
    /// The buffer ends before the header does: at least `needed` bytes from the start of the
    /// file are required (a longer HTTP Range, or the whole prefix file).
    #[error("the header is cut short: at least {needed} bytes from the start of the file are needed, {have} were given")]
    NeedMore {
        /// Bytes from the start of the file known to be needed.
        needed: u64,
        /// Bytes given.
        have: u64,
    },
    /// The safetensors header length is over the format's 100 MB limit (or past `u64`).
    #[error("the safetensors header claims {0} bytes; the format allows at most 100,000,000")]
    HeaderTooLarge(u64),
    /// The header is not valid JSON (or not UTF-8).
    #[error("the safetensors header is not valid JSON: {0}")]
    NotJson(String),
    /// A tensor entry lacks a field or has one of the wrong type.
    #[error("tensor `{tensor}`: {problem}")]
    BadTensor {
        /// The tensor's name (cleaned and clipped).
        tensor: String,
        /// What is wrong, e.g. "has no `dtype`".
        problem: String,
    },
    /// A dtype (safetensors) or ggml type (GGUF) this reader does not know.
    #[error("tensor `{tensor}` has the unknown type `{dtype}`")]
    UnknownDtype {
        /// The tensor's name.
        tensor: String,
        /// The type as written (a safetensors name or a ggml type number).
        dtype: String,
    },
    /// `data_offsets` disagree with `shape` × dtype size.
    #[error("tensor `{tensor}`: data_offsets span {stored} bytes but shape × dtype is {expected}")]
    SizeMismatch {
        /// The tensor's name.
        tensor: String,
        /// `end − start`.
        stored: u64,
        /// What the shape and dtype imply.
        expected: u64,
    },
    /// Offsets that overlap, leave a gap or run backwards (safetensors requires the tensors to
    /// tile the data section; GGUF each tensor at its aligned running offset).
    #[error("tensor `{tensor}`: {problem}")]
    BadOffsets {
        /// The tensor's name.
        tensor: String,
        /// What is wrong.
        problem: String,
    },
    /// A shape or size too large for 64-bit arithmetic: a hostile or corrupt file.
    #[error("tensor `{0}` is too large to count in 64 bits")]
    Overflow(String),
    /// Not a GGUF file, or a GGUF version this reader does not read.
    #[error("not a readable GGUF header: {0}")]
    BadGguf(String),
    /// The index file is unusable.
    #[error("model.safetensors.index.json {0}")]
    BadIndex(String),
    /// The shards' headers do not add up to what the index states.
    #[error("the shards' headers hold {found} but the index says {stated}")]
    IndexMismatch {
        /// What the headers sum to, in words ("1,234 tensors, 5,678 bytes").
        found: String,
        /// What the index states.
        stated: String,
    },
    /// A file of the repo could not be read (its HTTP status, with what to do about it).
    #[error("{file}: {}", http_words(*status))]
    Http {
        /// The file's name in the repo.
        file: String,
        /// The HTTP status.
        status: u16,
    },
    /// The repo has neither `model.safetensors.index.json` nor `model.safetensors`.
    #[error("the repo has no model.safetensors.index.json and no model.safetensors (its weights are in another format: a GGUF file can be read from its own address)")]
    NoSafetensors,
    /// A shard the index lists is not in the repo.
    #[error("{0} is listed in model.safetensors.index.json but is not in the repo (HTTP 404)")]
    MissingShard(String),
    /// The file ends before its header does.
    #[error("{file} ends after {have} bytes, inside its header (which needs at least {needed})")]
    Truncated {
        /// The file's name.
        file: String,
        /// The file's length.
        have: u64,
        /// Bytes its header needs.
        needed: u64,
    },
    /// A compact link form (`CheckpointBytes::to_query`) that does not decode.
    #[error("checkpoint sizes in the link are invalid: {0}")]
    BadQuery(String),
}

/// What an HTTP status from the Hub means for the user.
pub fn http_words(status: u16) -> String {
    match status {
        404 => "not found on the Hugging Face Hub (check the repo id and the file name; private repos need a token)".into(),
        401 | 403 => "gated or private: accept its licence on the model page and paste a token with read access".into(),
        416 => "the file is empty".into(),
        429 => "the Hub is rate-limiting requests; wait a minute and try again".into(),
        s => format!("HTTP {s}"),
    }
}

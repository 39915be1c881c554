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

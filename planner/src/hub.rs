//! Adding a model from the Hugging Face Hub, as a sequence of reads the caller performs: the
//! repo's `config.json`, the model API's parameter count, then the checkpoint's headers
//! ([`RepoReader`]). The browser answers each read with a GET; the words of every outcome are
//! here, once. Only config.json is required: a failed count or header read still adds the row,
//! priced from config.json, and says why its weights are not exact.

use crate::catalog::custom::CustomModel;
use crate::checkpoint::repo::{
    gguf_address, is_repo_id, GgufAddress, Read, RepoReader, Step, MAX_INDEX,
};
use crate::model::format::stored_format;

/// Where files come from (the Hub's file resolver and its model API).
pub const HUB: &str = "https://huggingface.co";

/// Most bytes read of config.json or the API's answer (a config.json is a few KiB, the API's
/// answer tens of KiB; the cap of a pasted config).
pub const MAX_BODY: u64 = 4 << 20;

/// One GET: its address and how much of the answer to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubRead {
    /// The address.
    pub url: String,
    /// Ask for only the first bytes (an HTTP Range); `None`: the whole answer.
    pub first: Option<u64>,
    /// Stop reading a whole answer past this many bytes.
    pub max: u64,
}

/// What comes next.
#[derive(Debug)]
pub enum HubStep {
    /// Perform this read and feed its answer (or its failure).
    Read(HubRead),
    /// The model to add, and the sentence that says what was added.
    Done(Box<CustomModel>, String),
}

#[derive(Debug)]
enum Stage {
    Config,
    Api(String),
    Checkpoint(Box<CustomModel>),
}

/// A fetch under way (see the module comment).
#[derive(Debug)]
pub struct HubFetch {
    repo: String,
    gguf: Option<GgufAddress>,
    stage: Stage,
    reader: RepoReader,
    next: Read,
}

impl HubFetch {
    /// Starts a fetch of `repo` (an `owner/name` id), with exact bytes from its safetensors.
    pub fn new(repo: &str) -> Result<Self, String> {
        Self::start(repo, None, RepoReader::safetensors())
    }

    /// Starts a fetch of `repo` with exact bytes from the GGUF file `gguf` (its Hub address or
    /// `owner/name/file.gguf`); an empty `repo` means the GGUF file's own.
    pub fn with_gguf(repo: &str, gguf: &str) -> Result<Self, String> {
        let gguf = gguf.trim();
        let Some(file) = gguf_address(gguf) else {
            return Err(format!("`{gguf}` is not a GGUF file on the Hub (owner/name/file.gguf or its huggingface.co address)"));
        };
        let repo = match repo.trim() {
            "" => file.repo.clone(),
            r => r.to_string(),
        };
        let reader = RepoReader::gguf(&file.path);
        Self::start(&repo, Some(file), reader)
    }

    fn start(repo: &str, gguf: Option<GgufAddress>, reader: RepoReader) -> Result<Self, String> {
        let repo = repo.trim();
        if repo.is_empty() {
            return Err("type a Hugging Face repo id (owner/name, e.g. Qwen/Qwen3-8B)".into());
        }
        // A model page's address, pasted: its owner/name.
        let page = repo
            .strip_prefix("https://huggingface.co/")
            .or_else(|| repo.strip_prefix("huggingface.co/"))
            .map(|path| path.split('/').take(2).collect::<Vec<_>>().join("/"));
        let repo = page.as_deref().unwrap_or(repo);
        if !is_repo_id(repo) {
            return Err(format!(
                "`{repo}` is not a Hugging Face repo id (owner/name)"
            ));
        }
        Ok(HubFetch {
            next: reader.start(),
            repo: repo.to_string(),
            gguf,
            stage: Stage::Config,
            reader,
        })
    }

    /// The read to perform now.
    pub fn read(&self) -> HubRead {
        let repo = &self.repo;
        let (url, first, max) = match &self.stage {
            Stage::Config => (
                format!("{HUB}/{repo}/resolve/main/config.json"),
                None,
                MAX_BODY,
            ),
            Stage::Api(_) => (format!("{HUB}/api/models/{repo}"), None, MAX_BODY),
            Stage::Checkpoint(_) => {
                let (repo, revision) = match &self.gguf {
                    Some(f) => (&f.repo, f.revision.as_str()),
                    None => (repo, "main"),
                };
                let url = format!("{HUB}/{repo}/resolve/{revision}/{}", self.next.file);
                (url, self.next.first, MAX_INDEX)
            }
        };
        HubRead { url, first, max }
    }

    /// What is being read, for a progress line.
    pub fn progress(&self) -> String {
        match (&self.stage, self.reader.progress()) {
            (Stage::Config, _) => "Fetching config.json…".into(),
            (Stage::Api(_), _) => "Fetching the parameter count…".into(),
            (_, (_, 0)) => "Reading the checkpoint index…".into(),
            (_, (done, all)) => format!("Reading checkpoint headers: {done} of {all} files…"),
        }
    }

    /// Takes the answer to [`HubFetch::read`]: its status and body.
    pub fn feed(&mut self, status: u16, body: &[u8]) -> Result<HubStep, String> {
        let repo = &self.repo;
        match std::mem::replace(&mut self.stage, Stage::Config) {
            Stage::Config => {
                let text = match (status, std::str::from_utf8(body)) {
                    (200, Ok(text)) => text,
                    (200, Err(_)) => return Err(format!("{repo}: config.json is not UTF-8 text")),
                    (404, _) if self.gguf.is_some() => return Err(format!("{repo} has no config.json (GGUF repos rarely do): type the original model's repo id beside the GGUF file")),
                    (s, _) => return Err(format!("{repo}: config.json: {}", crate::error::http_words(s))),
                };
                self.stage = Stage::Api(text.to_string());
            }
            Stage::Api(config) => {
                // The parameter count is optional: without it the row only loses the check.
                let published = match status {
                    200 => std::str::from_utf8(body)
                        .ok()
                        .and_then(|t| crate::json::parse(t).ok())
                        .and_then(|v| v.get("safetensors")?.get("total")?.as_u64()),
                    _ => None,
                };
                // ConfigError's messages already name config.json.
                let m = CustomModel::from_config_text(&config, Some(repo), published)
                    .map_err(|e| format!("{repo}: {e}"))?;
                self.stage = Stage::Checkpoint(Box::new(m));
            }
            Stage::Checkpoint(m) => match self.reader.feed(status, body) {
                Ok(Step::Read(next)) => {
                    self.next = next;
                    self.stage = Stage::Checkpoint(m);
                }
                Ok(Step::Done(exact)) => {
                    let stored = stored_format(&exact, &m.model.config);
                    return Ok(match (m.with_exact(&exact), stored) {
                        (Some(e), Some(f)) => {
                            // The grid adds that row when it is not there (`add_custom_model`).
                            let words = format!(
                                "Added {}; weights exact (from the checkpoint headers): {} on its {} row",
                                m.model.name,
                                exact.total(),
                                f.label()
                            );
                            HubStep::Done(Box::new(e), words)
                        }
                        (None, _) => priced(m, "a stored type's name cannot travel in a link"),
                        (Some(_), None) => {
                            priced(m, "the GGUF's mix of types is none of the grid's formats")
                        }
                    });
                }
                Err(e) => return Ok(priced(m, &e.to_string())),
            },
        }
        Ok(HubStep::Read(self.read()))
    }

    /// The read could not be made (`why`: no network, no answer in time). Before config.json
    /// nothing can be added; a missing count is no loss; a missing header leaves the row priced.
    pub fn fail(&mut self, why: &str) -> Result<HubStep, String> {
        match std::mem::replace(&mut self.stage, Stage::Config) {
            Stage::Config => Err(why.to_string()),
            Stage::Api(config) => {
                self.stage = Stage::Api(config);
                self.feed(0, &[])
            }
            Stage::Checkpoint(m) => Ok(priced(m, why)),
        }
    }
}

/// The model priced from its config.json, and why its weights are not exact.
fn priced(m: Box<CustomModel>, why: &str) -> HubStep {
    let words = format!(
        "Added {}; weights priced from config.json; exact bytes unavailable: {why}",
        m.model.name
    );
    HubStep::Done(m, words)
}

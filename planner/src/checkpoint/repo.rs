//! Reading a whole checkpoint's exact bytes from its files' first bytes, without the weights:
//! which file to ask for next and how many of its bytes, fed back one answer at a time. The
//! browser answers with HTTP Range requests to the Hugging Face Hub, tests with recorded files;
//! the rules live here once (hf-mem and gguf-parser read the Hub the same way).
//!
//! safetensors: `model.safetensors.index.json` lists the shards (its absence, HTTP 404, means
//! one `model.safetensors`, as transformers `save_pretrained` writes a checkpoint under its
//! shard size); each shard's first [`FIRST_READ`] bytes usually hold its header, else a second
//! read takes exactly `8 + N`. The sums must match the index's tensor count and `total_size`.
//! GGUF: the first [`GGUF_FIRST_READ`] bytes, growing while the reader says it needs more
//! (a tokenizer's arrays run to megabytes); a split file `name-00001-of-00003.gguf` is read
//! part by part (llama.cpp `gguf-split` writes each part as a complete GGUF with its tensors).

use super::safetensors::{self, Index};
use super::{gguf, CheckpointBytes};
use crate::error::CheckpointError;

/// Bytes first asked of each safetensors shard: a 10,000-tensor header is about 1 MB, a dense
/// model's shard header a few tens of KiB, so most shards need one read.
pub const FIRST_READ: u64 = 256 << 10;
/// Bytes first asked of a GGUF file (its key-values come before the tensor table).
pub const GGUF_FIRST_READ: u64 = 1 << 20;
/// The most read of one GGUF header (a 256k-token vocabulary with merges is tens of MB).
pub const MAX_GGUF_HEADER: u64 = 256 << 20;
/// The most read of an index (DeepSeek-V3's lists 91,000 tensors in 9 MB).
pub const MAX_INDEX: u64 = 64 << 20;

/// The index's file name.
pub const INDEX: &str = "model.safetensors.index.json";

/// One request: a file of the repo and how many of its first bytes (`None`: all of it, at most
/// [`MAX_INDEX`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    /// The path inside the repo.
    pub file: String,
    /// Bytes from the start of the file.
    pub first: Option<u64>,
}

/// What comes next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Read this and [`RepoReader::feed`] the answer.
    Read(Read),
    /// The checkpoint's sums.
    Done(CheckpointBytes),
}

/// The reading under way (see the module comment).
#[derive(Clone, Debug)]
pub struct RepoReader {
    /// Still waiting for the index (safetensors only).
    at_index: bool,
    /// Whether the files are GGUF.
    gguf: bool,
    /// The header reader (a plain function, so a caller that never reads GGUF never links
    /// its reader).
    read_header: fn(&[u8]) -> Result<CheckpointBytes, CheckpointError>,
    /// The files to read, and the one being read.
    files: Vec<String>,
    at: usize,
    /// Bytes asked of `files[at]`.
    want: u64,
    index: Option<Index>,
    sum: CheckpointBytes,
}

impl RepoReader {
    /// A safetensors checkpoint: the index first.
    pub fn safetensors() -> Self {
        RepoReader {
            at_index: true,
            gguf: false,
            read_header: safetensors::read_shard,
            files: Vec::new(),
            at: 0,
            want: 0,
            index: None,
            sum: CheckpointBytes::default(),
        }
    }

    /// A GGUF file at `path` in its repo (every part of a split file).
    pub fn gguf(path: &str) -> Self {
        RepoReader {
            at_index: false,
            gguf: true,
            read_header: |b| gguf::read_header(b).map(|h| h.bytes),
            files: gguf_parts(path),
            at: 0,
            want: GGUF_FIRST_READ,
            index: None,
            sum: CheckpointBytes::default(),
        }
    }

    /// The first request.
    pub fn start(&self) -> Read {
        if self.at_index {
            Read {
                file: INDEX.into(),
                first: None,
            }
        } else {
            self.read()
        }
    }

    fn read(&self) -> Read {
        Read {
            file: self.files[self.at].clone(),
            first: Some(self.want),
        }
    }

    /// Files done and files in all (for a progress line; the index is not counted).
    pub fn progress(&self) -> (usize, usize) {
        (self.at, self.files.len())
    }

    /// Takes the answer to the last request: its HTTP status (200 or 206 for a file read) and
    /// its body (at most the bytes asked).
    pub fn feed(&mut self, status: u16, body: &[u8]) -> Result<Step, CheckpointError> {
        if self.at_index {
            self.at_index = false;
            self.want = FIRST_READ;
            if status == 404 {
                self.files = vec!["model.safetensors".into()];
                return Ok(Step::Read(self.read()));
            }
            ok_status(INDEX, status)?;
            let text = std::str::from_utf8(body)
                .map_err(|_| CheckpointError::BadIndex("is not UTF-8 text".into()))?;
            let index = safetensors::read_index(text)?;
            self.files = index.shards.clone();
            self.index = Some(index);
            return Ok(Step::Read(self.read()));
        }
        let file = &self.files[self.at];
        match (status, self.gguf, &self.index) {
            (404, false, None) => return Err(CheckpointError::NoSafetensors),
            (404, false, Some(_)) => {
                return Err(CheckpointError::MissingShard(crate::inert::clean_name(
                    file, 80,
                )))
            }
            _ => {}
        }
        ok_status(file, status)?;
        let have = body.len() as u64;
        // A body shorter than asked is the whole file: no longer read can help.
        let ended = have < self.want;
        let truncated = |needed: u64| CheckpointError::Truncated {
            file: crate::inert::clean_name(file, 80),
            have,
            needed,
        };
        let bytes = match (self.read_header)(body) {
            Ok(b) => b,
            Err(CheckpointError::NeedMore { needed, .. }) if ended => {
                return Err(truncated(needed))
            }
            Err(CheckpointError::NeedMore { needed, .. }) => {
                let limit = if self.gguf {
                    MAX_GGUF_HEADER
                } else {
                    8 + safetensors::MAX_HEADER
                };
                if needed > limit {
                    return Err(CheckpointError::HeaderTooLarge(needed));
                }
                // GGUF states only what it needs so far: at least double the read.
                let grow = if self.gguf { self.want * 2 } else { 0 };
                self.want = needed.max(grow).min(limit);
                return Ok(Step::Read(self.read()));
            }
            Err(e) => return Err(e),
        };
        self.sum.merge(&bytes)?;
        self.at += 1;
        self.want = if self.gguf {
            GGUF_FIRST_READ
        } else {
            FIRST_READ
        };
        if self.at < self.files.len() {
            return Ok(Step::Read(self.read()));
        }
        if let Some(index) = &self.index {
            index.check(&self.sum)?;
        }
        Ok(Step::Done(std::mem::take(&mut self.sum)))
    }
}

/// 200 for a whole file, 206 for a range; anything else names the file and the status.
fn ok_status(file: &str, status: u16) -> Result<(), CheckpointError> {
    match status {
        200 | 206 => Ok(()),
        _ => Err(CheckpointError::Http {
            file: crate::inert::clean_name(file, 80),
            status,
        }),
    }
}

/// Every part of a split GGUF (`…-00001-of-00003.gguf`, llama.cpp `llama_split_path`'s
/// `%s-%05d-of-%05d.gguf`), or the file alone.
pub fn gguf_parts(path: &str) -> Vec<String> {
    // The 20 bytes `-NNNNN-of-NNNNN.gguf` at the end, read by position.
    let at = path.len().saturating_sub(20);
    let tail = &path.as_bytes()[at..];
    let digits = |r: std::ops::Range<usize>| tail[r].iter().all(u8::is_ascii_digit);
    let split = tail.len() == 20
        && tail[0] == b'-'
        && digits(1..6)
        && tail[6..10] == *b"-of-"
        && digits(10..15)
        && tail[15..] == *b".gguf";
    // All ASCII, so `at` is a character boundary.
    let count = split
        .then(|| path[at + 10..at + 15].parse::<u32>().ok())
        .flatten();
    match count.filter(|n| (1..=999).contains(n)) {
        Some(n) => (1..=n)
            .map(|i| format!("{}-{i:05}-of-{n:05}.gguf", &path[..at]))
            .collect(),
        None => vec![path.to_string()],
    }
}

/// `owner/name` with the characters the Hub allows in repo ids (letters, digits, `-_.`, at
/// most 96 each).
pub fn is_repo_id(text: &str) -> bool {
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 96
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    matches!(text.split_once('/'), Some((a, b)) if ok(a) && ok(b))
}

/// A GGUF file on the Hub: its repo, revision and path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GgufAddress {
    /// `owner/name`.
    pub repo: String,
    /// A branch, tag or commit (`main` when the text names none).
    pub revision: String,
    /// The file's path in the repo.
    pub path: String,
}

/// Reads `https://huggingface.co/owner/name/resolve/main/file.gguf` (or `/blob/`, the page's
/// address) or the short `owner/name/file.gguf`. Every part is plain URL text (letters,
/// digits, `-_.+`), so the address built from it cannot point anywhere else.
pub fn gguf_address(text: &str) -> Option<GgufAddress> {
    let text = text.trim();
    let text = text
        .strip_prefix("https://huggingface.co/")
        .or_else(|| text.strip_prefix("huggingface.co/"))
        .unwrap_or(text);
    let mut parts = text.split('/');
    let repo = format!("{}/{}", parts.next()?, parts.next()?);
    let mut rest: Vec<&str> = parts.collect();
    let mut revision = "main";
    if matches!(rest.first(), Some(&"resolve" | &"blob")) && rest.len() > 2 {
        revision = rest[1];
        rest.drain(..2);
    }
    let plain = |s: &str| {
        !s.is_empty()
            && s.len() <= 200
            && !s.starts_with('.')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(&b))
    };
    let path = rest.join("/");
    let ok = is_repo_id(&repo)
        && plain(revision)
        && !rest.is_empty()
        && rest.iter().all(|s| plain(s))
        && path.ends_with(".gguf");
    ok.then(|| GgufAddress {
        repo,
        revision: revision.into(),
        path,
    })
}

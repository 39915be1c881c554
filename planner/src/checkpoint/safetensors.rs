//! safetensors headers: the first 8 bytes of a shard are the header length N (little-endian
//! `u64`), the next N bytes a JSON object of `name → {dtype, shape, data_offsets}` and an
//! optional `__metadata__` of strings. Rules as the reference reader enforces them
//! (huggingface/safetensors `safetensors/src/tensor.rs`, `read_metadata` and
//! `Metadata::validate`, v0.6): N at most 100,000,000; tensors sorted by offset tile the data
//! section from 0 with no gap or overlap; each span is `shape` product × the dtype's bits / 8.

use super::CheckpointBytes;
use crate::error::CheckpointError;
use crate::inert::clean_name;
use crate::json::{Map, Value};

/// The format's header limit (`MAX_HEADER_SIZE` in `tensor.rs`).
pub const MAX_HEADER: u64 = 100_000_000;

/// Bits per element of each dtype (`Dtype::bitsize`, safetensors 0.6: `F4` and the `F6`
/// types are sub-byte; the others whole bytes). `None`: unknown.
pub fn dtype_bits(dtype: &str) -> Option<u64> {
    Some(match dtype {
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "F8_E8M0" | "F8_E4M3FNUZ"
        | "F8_E5M2FNUZ" => 8,
        "I16" | "U16" | "F16" | "BF16" => 16,
        "I32" | "U32" | "F32" => 32,
        "I64" | "U64" | "F64" | "C64" => 64,
        _ => return None,
    })
}

/// Bytes from the start of a shard needed to read its header, from its first 8 bytes:
/// `8 + N`. Errors on fewer than 8 bytes ([`CheckpointError::NeedMore`]) or an absurd N.
pub fn header_end(prefix: &[u8]) -> Result<u64, CheckpointError> {
    let Some(first) = prefix.get(..8) else {
        return Err(CheckpointError::NeedMore {
            needed: 8,
            have: prefix.len() as u64,
        });
    };
    let mut len = [0u8; 8];
    len.copy_from_slice(first);
    let n = u64::from_le_bytes(len);
    if n > MAX_HEADER {
        return Err(CheckpointError::HeaderTooLarge(n));
    }
    Ok(8 + n)
}

/// Reads one shard's header from the first bytes of the file (at least [`header_end`]; more is
/// ignored, so the whole file or any longer prefix will do).
pub fn read_shard(prefix: &[u8]) -> Result<CheckpointBytes, CheckpointError> {
    let end = header_end(prefix)?;
    let Some(json) = prefix.get(8..end as usize) else {
        return Err(CheckpointError::NeedMore {
            needed: end,
            have: prefix.len() as u64,
        });
    };
    let text = std::str::from_utf8(json)
        .map_err(|_| CheckpointError::NotJson("the header is not UTF-8".into()))?;
    read_header_json(text)
}

/// Reads a header's JSON text alone (as a browser shows it, or a saved `header.json`).
pub fn read_header_json(text: &str) -> Result<CheckpointBytes, CheckpointError> {
    if text.len() as u64 > MAX_HEADER {
        return Err(CheckpointError::HeaderTooLarge(text.len() as u64));
    }
    let value: Value =
        crate::json::parse(text).map_err(|e| CheckpointError::NotJson(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(CheckpointError::NotJson(
            "the header is not a JSON object".into(),
        ));
    };
    read_tensors(&map)
}

/// One tensor's entry, checked: (dtype, start, end).
fn entry<'a>(name: &str, v: &'a Value) -> Result<(&'a str, u64, u64), CheckpointError> {
    let bad = |problem: &str| CheckpointError::BadTensor {
        tensor: clean_name(name, 80),
        problem: problem.into(),
    };
    let o = v.as_object().ok_or_else(|| bad("is not an object"))?;
    let dtype = o
        .get("dtype")
        .ok_or_else(|| bad("has no `dtype`"))?
        .as_str()
        .ok_or_else(|| bad("`dtype` is not a string"))?;
    let bits = dtype_bits(dtype).ok_or_else(|| CheckpointError::UnknownDtype {
        tensor: clean_name(name, 80),
        dtype: clean_name(dtype, 24),
    })?;
    let shape = o
        .get("shape")
        .ok_or_else(|| bad("has no `shape`"))?
        .as_array()
        .ok_or_else(|| bad("`shape` is not a list"))?;
    let mut elements = 1u64;
    for d in shape {
        let d = d
            .as_u64()
            .ok_or_else(|| bad("`shape` holds something other than a whole number"))?;
        elements = elements
            .checked_mul(d)
            .ok_or_else(|| CheckpointError::Overflow(clean_name(name, 80)))?;
    }
    let bits_total = elements
        .checked_mul(bits)
        .ok_or_else(|| CheckpointError::Overflow(clean_name(name, 80)))?;
    if bits_total % 8 != 0 {
        return Err(bad("its sub-byte elements do not fill whole bytes"));
    }
    let offsets = o
        .get("data_offsets")
        .ok_or_else(|| bad("has no `data_offsets`"))?
        .as_array()
        .filter(|a| a.len() == 2)
        .ok_or_else(|| bad("`data_offsets` is not a pair"))?;
    let (Some(start), Some(end)) = (offsets[0].as_u64(), offsets[1].as_u64()) else {
        return Err(bad("`data_offsets` are not whole numbers"));
    };
    if end < start {
        return Err(CheckpointError::BadOffsets {
            tensor: clean_name(name, 80),
            problem: format!("data_offsets run backwards ({start} > {end})"),
        });
    }
    if end - start != bits_total / 8 {
        return Err(CheckpointError::SizeMismatch {
            tensor: clean_name(name, 80),
            stored: end - start,
            expected: bits_total / 8,
        });
    }
    Ok((dtype, start, end))
}

/// Sums a parsed header's tensors after checking that their spans tile the data section.
fn read_tensors(map: &Map) -> Result<CheckpointBytes, CheckpointError> {
    let mut spans = Vec::with_capacity(map.len());
    for (name, v) in map {
        if name == "__metadata__" {
            continue;
        }
        let (dtype, start, end) = entry(name, v)?;
        spans.push((start, end, name.as_str(), dtype));
    }
    // The reference reader sorts by offsets, then requires each tensor to start where the
    // previous one ended; an empty tensor goes before a full one at the same offset, as when
    // sorting by the (start, end) pair. (The page's one sort, not a second one in the wasm.)
    let keys = spans
        .iter()
        .map(|s| s.0.saturating_mul(2) + u64::from(s.1 > s.0));
    let order = crate::units::order_by(keys.collect());
    let mut at = 0u64;
    let mut out = CheckpointBytes::default();
    for (start, end, name, dtype) in order.into_iter().map(|i| spans[i]) {
        if start != at {
            return Err(CheckpointError::BadOffsets {
                tensor: clean_name(name, 80),
                problem: if start < at {
                    format!("starts at {start}, inside the tensor before it (which ends at {at})")
                } else {
                    format!("starts at {start}, leaving a gap after {at}")
                },
            });
        }
        at = end;
        out.add(name, dtype, end - start)?;
    }
    Ok(out)
}

/// What a `model.safetensors.index.json` states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    /// The shard files, sorted, each once.
    pub shards: Vec<String>,
    /// Tensors listed in `weight_map`.
    pub tensors: u64,
    /// `metadata.total_size`, when present: the bytes of all tensors.
    pub total_size: Option<u64>,
}

/// Most shards an index may list (the largest public checkpoints have a few hundred).
pub const MAX_SHARDS: usize = 10_000;

/// Reads an index. Shard names must be plain file names: a caller joins them to a URL or a
/// directory, so a name with a path separator or `..` is refused.
pub fn read_index(text: &str) -> Result<Index, CheckpointError> {
    let bad = |why: &str| CheckpointError::BadIndex(why.into());
    if text.len() > 64 << 20 {
        return Err(bad("is over 64 MiB"));
    }
    let v: Value = crate::json::parse(text)
        .map_err(|e| CheckpointError::BadIndex(format!("is not valid JSON: {e}")))?;
    let map = v
        .get("weight_map")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("has no `weight_map` object"))?;
    // A set of names, sorted (the JSON reader's map type: no second map or sort in the wasm).
    let mut shards = Map::new();
    for (tensor, file) in map {
        let file = file.as_str().ok_or_else(|| {
            CheckpointError::BadIndex(format!(
                "maps `{}` to something other than a file name",
                clean_name(tensor, 80)
            ))
        })?;
        let plain = !file.is_empty()
            && file.len() <= 255
            && !file.contains(['/', '\\'])
            && file != "."
            && file != ".."
            && !file.chars().any(char::is_control);
        if !plain {
            return Err(CheckpointError::BadIndex(format!(
                "names the shard `{}`, which is not a plain file name",
                clean_name(file, 80)
            )));
        }
        shards.insert(file.to_string(), Value::Null);
    }
    if shards.len() > MAX_SHARDS {
        return Err(bad("lists more than 10,000 shards"));
    }
    let total_size = match v.get("metadata").and_then(|m| m.get("total_size")) {
        None | Some(Value::Null) => None,
        // Some writers store it as a float with no fraction.
        Some(t) => Some(
            t.as_u64()
                .or_else(|| {
                    t.as_f64()
                        .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19)
                        .map(|f| f as u64)
                })
                .ok_or_else(|| bad("has a `metadata.total_size` that is not a byte count"))?,
        ),
    };
    Ok(Index {
        shards: shards.keys().cloned().collect(),
        tensors: map.len() as u64,
        total_size,
    })
}

impl Index {
    /// Checks the summed shards against the index: the same tensor count and, where stated,
    /// `total_size` to the byte (transformers writes it as the sum of the stored tensors'
    /// bytes, `modeling_utils.py` `save_pretrained`).
    pub fn check(&self, sum: &CheckpointBytes) -> Result<(), CheckpointError> {
        let total = sum.total().0;
        let size_ok = self.total_size.is_none_or(|t| t == total);
        if sum.tensors != self.tensors || !size_ok {
            return Err(CheckpointError::IndexMismatch {
                found: format!("{} tensors, {} bytes", sum.tensors, total),
                stated: format!(
                    "{} tensors, {} bytes",
                    self.tensors,
                    self.total_size
                        .map_or("(no total)".into(), |t| t.to_string())
                ),
            });
        }
        Ok(())
    }
}

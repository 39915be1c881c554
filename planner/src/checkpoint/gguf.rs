//! GGUF headers (v2 and v3), read as llama.cpp's `ggml/src/gguf.cpp` (`gguf_init_from_file_impl`)
//! reads them: magic `GGUF`, `u32` version, `u64` tensor and key-value counts, the key-values
//! (`u64`-length strings, 13 value types, arrays of one non-array type), then per tensor its
//! name, `u32` dimension count (at most 4), `i64` dimensions, `u32` ggml type and `u64` offset
//! into the data section, each at the running offset padded to `general.alignment` (32 by
//! default). All little-endian. A prefix that ends inside the header is
//! [`CheckpointError::NeedMore`] with the bytes known to be needed so far.

use super::CheckpointBytes;
use crate::error::CheckpointError;
use crate::inert::clean_name;

/// ggml's types: (number, name, elements per block, bytes per block), from `ggml/src/ggml.c`
/// `type_traits` (`blck_size`, `type_size`) and the block structs of `ggml/src/ggml-common.h`
/// at ggml-org/llama.cpp 00bdaa105cb0 (enum values from `ggml/include/ggml.h`). Numbers 4, 5,
/// 31–33 and 36–38 are removed types (block size 0 there), refused like unknown ones.
const TYPES: [(u32, &str, u64, u64); 34] = [
    (0, "f32", 1, 4),
    (1, "f16", 1, 2),
    (2, "q4_0", 32, 18),
    (3, "q4_1", 32, 20),
    (6, "q5_0", 32, 22),
    (7, "q5_1", 32, 24),
    (8, "q8_0", 32, 34),
    (9, "q8_1", 32, 36),
    (10, "q2_K", 256, 84),
    (11, "q3_K", 256, 110),
    (12, "q4_K", 256, 144),
    (13, "q5_K", 256, 176),
    (14, "q6_K", 256, 210),
    (15, "q8_K", 256, 292),
    (16, "iq2_xxs", 256, 66),
    (17, "iq2_xs", 256, 74),
    (18, "iq3_xxs", 256, 98),
    (19, "iq1_s", 256, 50),
    (20, "iq4_nl", 32, 18),
    (21, "iq3_s", 256, 110),
    (22, "iq2_s", 256, 82),
    (23, "iq4_xs", 256, 136),
    (24, "i8", 1, 1),
    (25, "i16", 1, 2),
    (26, "i32", 1, 4),
    (27, "i64", 1, 8),
    (28, "f64", 1, 8),
    (29, "iq1_m", 256, 56),
    (30, "bf16", 1, 2),
    (34, "tq1_0", 256, 54),
    (35, "tq2_0", 256, 66),
    (39, "mxfp4", 32, 17),
    (40, "nvfp4", 64, 36),
    (41, "q1_0", 128, 18),
];

/// (name, elements per block, bytes per block) of a ggml type number.
pub fn ggml_type(t: u32) -> Option<(&'static str, u64, u64)> {
    TYPES
        .iter()
        .find(|(n, ..)| *n == t)
        .map(|&(_, name, blck, size)| (name, blck, size))
}

/// `gguf.cpp` `GGML_MAX_NAME`: the longest tensor name (63 bytes and a NUL).
const MAX_NAME: u64 = 64;
/// `GGML_MAX_DIMS`.
const MAX_DIMS: u32 = 4;
/// Longest key or string value read (a tokenizer's chat template is a few KiB; a string of a
/// gigabyte is a hostile file, not a header to wait for).
const MAX_STRING: u64 = 1 << 24;

/// A GGUF header's sums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GgufHeader {
    /// 2 or 3.
    pub version: u32,
    /// Bytes per stored type and per component.
    pub bytes: CheckpointBytes,
    /// Where the data section starts (the header's end padded to the alignment).
    pub data_start: u64,
    /// `general.alignment`.
    pub alignment: u64,
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: u64,
}

impl Reader<'_> {
    fn take(&mut self, n: u64) -> Result<&[u8], CheckpointError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| bad("a length runs past 2^64"))?;
        let have = self.buf.len() as u64;
        if end > have {
            return Err(CheckpointError::NeedMore { needed: end, have });
        }
        let s = &self.buf[self.pos as usize..end as usize];
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, CheckpointError> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> Result<u64, CheckpointError> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }

    fn string(&mut self, max: u64) -> Result<String, CheckpointError> {
        let n = self.u64()?;
        if n > max {
            return Err(bad("a key or name longer than the format allows"));
        }
        Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
    }

    /// Skips one value of GGUF type `t` (`gguf.cpp` `gguf_type_size` and the array rule:
    /// an array holds one type, never another array).
    fn skip_value(&mut self, t: u32, in_array: bool) -> Result<(), CheckpointError> {
        match t {
            0 | 1 | 7 => self.take(1).map(drop),
            2 | 3 => self.take(2).map(drop),
            4..=6 => self.take(4).map(drop),
            10..=12 => self.take(8).map(drop),
            8 => {
                let n = self.u64()?;
                if n > MAX_STRING {
                    return Err(bad("a string over 16 MiB"));
                }
                self.take(n).map(drop)
            }
            9 if !in_array => {
                let inner = self.u32()?;
                let n = self.u64()?;
                let width = match inner {
                    0 | 1 | 7 => 1,
                    2 | 3 => 2,
                    4..=6 => 4,
                    10..=12 => 8,
                    _ => 0,
                };
                if width > 0 {
                    let len = n
                        .checked_mul(width)
                        .ok_or_else(|| bad("an array runs past 2^64"))?;
                    return self.take(len).map(drop);
                }
                // Strings one by one: each takes at least 8 bytes, so a hostile count runs
                // out of buffer (NeedMore) long before it runs out of time.
                for _ in 0..n {
                    self.skip_value(inner, true)?;
                }
                Ok(())
            }
            _ => Err(bad(&format!("a value of unknown type {t}"))),
        }
    }
}

fn bad(why: &str) -> CheckpointError {
    CheckpointError::BadGguf(why.into())
}

/// Reads a GGUF header from the first bytes of the file.
pub fn read_header(prefix: &[u8]) -> Result<GgufHeader, CheckpointError> {
    let mut r = Reader {
        buf: prefix,
        pos: 0,
    };
    if r.take(4)? != b"GGUF" {
        return Err(bad("the file does not start with GGUF"));
    }
    let version = r.u32()?;
    match version {
        2 | 3 => {}
        1 => {
            return Err(bad(
                "GGUF version 1 (32-bit counts) is not read; convert the file again",
            ))
        }
        v if v.swap_bytes() <= 3 => return Err(bad("a big-endian GGUF file")),
        v => return Err(bad(&format!("unknown GGUF version {v}"))),
    }
    let n_tensors = r.u64()?;
    let n_kv = r.u64()?;
    if n_tensors > i64::MAX as u64 || n_kv > i64::MAX as u64 {
        return Err(bad("a tensor or key count past 2^63"));
    }
    let mut alignment = 32u64;
    for _ in 0..n_kv {
        let key = r.string(MAX_STRING)?;
        let t = r.u32()?;
        if key == "general.alignment" {
            if t != 4 {
                return Err(bad("general.alignment is not a u32"));
            }
            let a = u64::from(r.u32()?);
            if a == 0 || !a.is_power_of_two() {
                return Err(bad("general.alignment is not a power of two"));
            }
            alignment = a;
        } else {
            r.skip_value(t, false)?;
        }
    }
    let mut bytes = CheckpointBytes::default();
    let mut expected = 0u64;
    for _ in 0..n_tensors {
        let name = r.string(MAX_NAME)?;
        let tensor = || clean_name(&name, 80);
        let n_dims = r.u32()?;
        if n_dims > MAX_DIMS {
            return Err(CheckpointError::BadTensor {
                tensor: tensor(),
                problem: format!("has {n_dims} dimensions (at most {MAX_DIMS})"),
            });
        }
        let mut dims = [1u64; 4];
        for d in dims.iter_mut().take(n_dims as usize) {
            let v = r.u64()?;
            if v > i64::MAX as u64 {
                return Err(CheckpointError::BadTensor {
                    tensor: tensor(),
                    problem: "has a negative dimension".into(),
                });
            }
            *d = v;
        }
        let t = r.u32()?;
        let offset = r.u64()?;
        let (type_name, blck, size) =
            ggml_type(t).ok_or_else(|| CheckpointError::UnknownDtype {
                tensor: tensor(),
                dtype: format!("ggml type {t}"),
            })?;
        if dims[0] % blck != 0 {
            return Err(CheckpointError::BadTensor {
                tensor: tensor(),
                problem: format!(
                    "has rows of {} elements, not a multiple of {type_name}'s block of {blck}",
                    dims[0]
                ),
            });
        }
        // ggml_nbytes: row bytes × the other dimensions.
        let n = [dims[1], dims[2], dims[3]]
            .iter()
            .try_fold((dims[0] / blck).checked_mul(size), |acc, &d| {
                acc.map(|a| a.checked_mul(d))
            })
            .flatten()
            .ok_or_else(|| CheckpointError::Overflow(tensor()))?;
        if offset != expected {
            return Err(CheckpointError::BadOffsets {
                tensor: tensor(),
                problem: format!("is at offset {offset}, expected {expected}"),
            });
        }
        expected = n
            .checked_next_multiple_of(alignment)
            .and_then(|p| expected.checked_add(p))
            .ok_or_else(|| CheckpointError::Overflow(tensor()))?;
        bytes.add(&name, type_name, n)?;
    }
    let data_start = r
        .pos
        .checked_next_multiple_of(alignment)
        .ok_or_else(|| bad("the header runs past 2^64"))?;
    Ok(GgufHeader {
        version,
        bytes,
        data_start,
        alignment,
    })
}

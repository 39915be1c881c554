//! The compact link form of [`CheckpointBytes`]: `e.N~o.N~l.N~x.N~v.N~a.N~n.N~BF16.N~F32.N`.
//!
//! One-letter keys are the components (embedding, output, layers, experts, vision, other
//! encoders) and `n` the tensor count; longer keys are stored types with their bytes. Only
//! unreserved URL characters (letters, digits, `.`, `_`, `~`), so the value travels in a
//! query parameter without escaping. Zero components are left out; types come sorted. The
//! decoder accepts exactly what the encoder writes (canonical digits, sorted unique types)
//! and checks that the types and the components add up to the same total, so a hand-edited
//! link that no longer describes one checkpoint is refused, not half-read.

use super::CheckpointBytes;
use crate::error::CheckpointError;
use crate::units::Bytes;

/// Longest link value read (a checkpoint has a handful of types: this is generous).
pub const MAX_QUERY_LEN: usize = 1024;
/// Most stored types one value carries.
pub const MAX_TYPES: usize = 24;

const KEYS: [char; 7] = ['e', 'o', 'l', 'x', 'v', 'a', 'n'];

fn bad(why: impl Into<String>) -> CheckpointError {
    CheckpointError::BadQuery(why.into())
}

/// A type name as the link carries it: 2–16 ASCII letters, digits or `_`.
fn valid_type(name: &str) -> bool {
    (2..=16).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Canonical decimal: digits only, no sign, no leading zero (but "0"), at most 20 digits.
fn number(text: &str) -> Result<u64, CheckpointError> {
    let canonical = !text.is_empty()
        && text.len() <= 20
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return Err(bad(format!(
            "`{}` is not a byte count",
            crate::inert::clip(text, 24)
        )));
    }
    text.parse().map_err(|_| bad("a byte count is over 2^64"))
}

impl CheckpointBytes {
    /// The link form; `None` when a type name cannot travel (it came from a file that used
    /// odd characters), so the link carries no exact sizes rather than wrong ones.
    pub fn to_query(&self) -> Option<String> {
        let mut parts = Vec::new();
        let counts = self.components().into_iter().chain([Bytes(self.tensors)]);
        for (k, b) in KEYS.iter().zip(counts) {
            if b.0 > 0 {
                parts.push(format!("{k}.{}", b.0));
            }
        }
        if self.by_dtype.len() > MAX_TYPES {
            return None;
        }
        for (d, b) in &self.by_dtype {
            if !valid_type(d) {
                return None;
            }
            parts.push(format!("{d}.{}", b.0));
        }
        let s = parts.join("~");
        (s.len() <= MAX_QUERY_LEN).then_some(s)
    }

    /// Reads [`CheckpointBytes::to_query`]'s form; anything else is an error naming the fault.
    pub fn from_query(text: &str) -> Result<Self, CheckpointError> {
        if text.len() > MAX_QUERY_LEN {
            return Err(bad(format!("longer than {MAX_QUERY_LEN} characters")));
        }
        let mut c = CheckpointBytes::default();
        let mut seen = [false; KEYS.len()];
        let mut types_sum = 0u64;
        for entry in text.split('~') {
            let (key, value) = entry
                .split_once('.')
                .ok_or_else(|| bad("each entry is key.bytes"))?;
            let n = number(value)?;
            if let Some(i) = KEYS
                .iter()
                .position(|k| key.len() == 1 && key.starts_with(*k))
            {
                if seen[i] || n == 0 {
                    return Err(bad(format!("`{key}` repeated or zero")));
                }
                seen[i] = true;
                let slot = match i {
                    0 => &mut c.embedding,
                    1 => &mut c.output,
                    2 => &mut c.layers,
                    3 => &mut c.experts,
                    4 => &mut c.vision,
                    5 => &mut c.other,
                    _ => {
                        c.tensors = n;
                        continue;
                    }
                };
                *slot = Bytes(n);
                c.total_checked()
                    .ok_or_else(|| bad("the sizes add up past 2^64"))?;
            } else if valid_type(key) {
                if c.by_dtype.len() >= MAX_TYPES {
                    return Err(bad(format!("more than {MAX_TYPES} types")));
                }
                if c.by_dtype.last().is_some_and(|(d, _)| d.as_str() >= key) {
                    return Err(bad("types must be sorted and unique"));
                }
                types_sum = types_sum
                    .checked_add(n)
                    .ok_or_else(|| bad("the types add up past 2^64"))?;
                c.by_dtype.push((key.to_string(), Bytes(n)));
            } else {
                return Err(bad(format!(
                    "unknown key `{}`",
                    crate::inert::clip(key, 16)
                )));
            }
        }
        if c.by_dtype.is_empty() || types_sum != c.total().0 {
            return Err(bad(format!(
                "the types add up to {types_sum} bytes but the parts to {}",
                c.total().0
            )));
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CheckpointBytes {
        let mut c = CheckpointBytes::default();
        c.add("model.embed_tokens.weight", "BF16", 1000).unwrap();
        c.add("model.layers.0.mlp.experts.0.w1.qweight", "I32", 400)
            .unwrap();
        c.add("model.layers.0.mlp.experts.0.w1.scales", "F16", 20)
            .unwrap();
        c.add("vision_tower.x.weight", "BF16", 64).unwrap();
        c
    }

    #[test]
    fn the_link_form_round_trips() {
        let c = sample();
        let q = c.to_query().unwrap();
        assert_eq!(q, "e.1000~x.420~v.64~n.4~BF16.1064~F16.20~I32.400");
        assert_eq!(CheckpointBytes::from_query(&q).unwrap(), c);
    }

    #[test]
    fn junk_is_refused() {
        for junk in [
            "",
            "e.1000",
            "e.10~BF16.11",
            "e.10~e.10~BF16.20",
            "e.010~BF16.10",
            "e.+10~BF16.10",
            "e.10~F16.5~BF16.5",
            "e.10~BF16.5~BF16.5",
            "q.10~BF16.10",
            "e.10~B-F.10",
            "e.18446744073709551615~l.1~BF16.1",
            "e.99999999999999999999~BF16.1",
            "e.10~BF16.10~",
            "e.0~BF16.0",
        ] {
            assert!(CheckpointBytes::from_query(junk).is_err(), "{junk}");
        }
        assert!(CheckpointBytes::from_query(&"e.1~".repeat(300)).is_err());
    }

    #[test]
    fn odd_type_names_do_not_travel() {
        let mut c = CheckpointBytes::default();
        c.add("w", "a b", 10).unwrap();
        assert_eq!(c.to_query(), None);
    }
}

//! JSON as the planner reads it (config.json, safetensors headers, the catalogue, a link's custom
//! configs) with a reader and writer of its own: serde_json's generic reader was ~8 KB gzip of the
//! shipped wasm (docs/decisions.md#d25). RFC 8259's grammar; objects keep their keys sorted and
//! the last of a repeated key (as serde_json's default map did, so written configs and links are
//! unchanged); numbers keep their text (a config written back into a link is the one read).

use std::collections::BTreeMap;
use std::fmt;

/// An object's members, by key.
pub type Map = BTreeMap<String, Value>;

/// Nesting deeper than this is refused (serde_json's limit too): no real config nests more
/// than a few levels, and the reader recurses.
const MAX_DEPTH: usize = 128;

/// A parsed JSON value.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

/// A JSON number, kept as its (valid) text.
#[derive(Clone, Debug, PartialEq)]
pub struct Number(Box<str>);

/// Why a text is not JSON, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{problem} at line {line} column {column}")]
pub struct JsonError {
    /// What is wrong.
    pub problem: &'static str,
    /// 1-based line of the offending byte.
    pub line: usize,
    /// 1-based column (in bytes) of the offending byte.
    pub column: usize,
}

/// Parses a whole JSON text (whitespace around the value allowed, nothing else).
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = p.value(0)?;
    p.space();
    if p.at < p.bytes.len() {
        return Err(p.error("trailing characters"));
    }
    Ok(value)
}

impl Number {
    /// The number if it is a non-negative integer that fits `u64` (`32`, not `32.0`).
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// The number if it is an integer that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// The number as the nearest `f64` (within an ulp or two past 15 significant digits).
    pub fn as_f64(&self) -> f64 {
        let t = self.0.as_bytes();
        let negative = t.first() == Some(&b'-');
        let (mut mantissa, mut exp, mut i) = (0u64, 0i32, usize::from(negative));
        let mut fraction = false;
        while let Some(&b) = t.get(i) {
            match b {
                b'0'..=b'9' => {
                    if mantissa < 1 << 59 {
                        mantissa = mantissa * 10 + u64::from(b - b'0');
                        exp -= i32::from(fraction);
                    } else {
                        exp += i32::from(!fraction);
                    }
                }
                b'.' => fraction = true,
                _ => break,
            }
            i += 1;
        }
        if matches!(t.get(i), Some(b'e' | b'E')) {
            let e: i32 = std::str::from_utf8(&t[i + 1..])
                .ok()
                .and_then(|s| s.trim_start_matches('+').parse().ok())
                .unwrap_or(if t.get(i + 1) == Some(&b'-') {
                    i32::MIN / 2
                } else {
                    i32::MAX / 2
                });
            exp = exp.saturating_add(e);
        }
        // Powers of ten up to 1e22 are exact, so one multiplication or division rounds once.
        let mut f = mantissa as f64;
        while exp > 0 && f.is_finite() && f != 0.0 {
            let step = exp.min(22);
            f *= 10f64.powi(step);
            exp -= step;
        }
        while exp < 0 && f != 0.0 {
            let step = (-exp).min(22);
            f /= 10f64.powi(step);
            exp += step;
        }
        if negative {
            -f
        } else {
            f
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        Number(n.to_string().into())
    }
}

/// A serde_json value (the CLI's input, tests' `json!`) as this module's, through its text.
impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Self {
        parse(&v.to_string()).unwrap_or_default()
    }
}

impl Value {
    /// The member `key` of an object (`None` for anything else).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// The object's members.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The array's items.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A non-negative integer that fits `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// An integer that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// Any number, as an `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }

    /// Whether it is `null`.
    pub fn is_null(&self) -> bool {
        *self == Value::Null
    }
}

/// Compact JSON (no spaces), strings escaped as RFC 8259 requires.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write_str(f, s),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Object(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_str(f, k)?;
                    write!(f, ":{v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A JSON string literal.
fn write_str(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn error(&self, problem: &'static str) -> JsonError {
        let before = &self.bytes[..self.at.min(self.bytes.len())];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        JsonError {
            problem,
            line: before.iter().filter(|&&b| b == b'\n').count() + 1,
            column: before.len() - line_start + 1,
        }
    }

    fn space(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    /// Consumes `word` (after its first byte was seen) or fails.
    fn word(&mut self, word: &[u8], value: Value) -> Result<Value, JsonError> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.space();
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        match self.bytes.get(self.at) {
            None => Err(self.error("unexpected end of input")),
            Some(b'n') => self.word(b"null", Value::Null),
            Some(b't') => self.word(b"true", Value::Bool(true)),
            Some(b'f') => self.word(b"false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                if self.close(b']') {
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.separator(b']')? {
                        return Ok(Value::Array(items));
                    }
                }
            }
            Some(b'{') => {
                self.at += 1;
                let mut map = Map::new();
                if self.close(b'}') {
                    return Ok(Value::Object(map));
                }
                loop {
                    self.space();
                    if self.bytes.get(self.at) != Some(&b'"') {
                        return Err(self.error("expected a key"));
                    }
                    let key = self.string()?;
                    self.space();
                    if self.bytes.get(self.at) != Some(&b':') {
                        return Err(self.error("expected `:`"));
                    }
                    self.at += 1;
                    let v = self.value(depth + 1)?;
                    map.insert(key, v);
                    if self.separator(b'}')? {
                        return Ok(Value::Object(map));
                    }
                }
            }
            Some(_) => Err(self.error("expected a value")),
        }
    }

    /// Whether the container closes right away (`[]`, `{}`).
    fn close(&mut self, end: u8) -> bool {
        self.space();
        let closed = self.bytes.get(self.at) == Some(&end);
        self.at += usize::from(closed);
        closed
    }

    /// After an item: `,` (more follow) or `end` (`true`: the container is done).
    fn separator(&mut self, end: u8) -> Result<bool, JsonError> {
        self.space();
        match self.bytes.get(self.at) {
            Some(&b) if b == end => {
                self.at += 1;
                Ok(true)
            }
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            _ => Err(self.error("expected `,` or the end of the list")),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.at;
        self.at += usize::from(self.bytes[self.at] == b'-');
        let leading_zero = self.bytes.get(self.at) == Some(&b'0');
        let whole = self.digits();
        if whole == 0 || (leading_zero && whole > 1) {
            return Err(self.error("invalid number"));
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        // The grammar above admits only ASCII, so the slice is text.
        let text = String::from_utf8_lossy(&self.bytes[start..self.at]);
        let n = Number(text.into());
        if !n.as_f64().is_finite() {
            self.at = start;
            return Err(self.error("number out of range"));
        }
        Ok(Value::Number(n))
    }

    /// Four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| {
                u32::from_str_radix(h, 16)
                    .ok()
                    .filter(|_| !h.starts_with('+'))
            });
        let Some(n) = digits else {
            return Err(self.error("invalid \\u escape"));
        };
        self.at += 4;
        Ok(n)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.bytes.get(self.at) else {
                return Err(self.error("unterminated string"));
            };
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.bytes.get(self.at) else {
                        return Err(self.error("unterminated string"));
                    };
                    self.at += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi)
                                && self.bytes[self.at..].starts_with(b"\\u")
                            {
                                self.at += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("invalid surrogate pair"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            // A lone surrogate is not a character: U+FFFD, as a lossy reader does.
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => {
                            self.at -= 1;
                            return Err(self.error("invalid escape"));
                        }
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1F => {
                    self.at -= 1;
                    return Err(self.error("control character in a string"));
                }
                _ => out.push(b),
            }
        }
        // The input is a `&str`, and escapes add whole characters.
        String::from_utf8(out).map_err(|_| self.error("invalid UTF-8"))
    }
}

#[cfg(test)]
mod tests;

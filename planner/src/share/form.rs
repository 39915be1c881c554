//! `application/x-www-form-urlencoded`, as the WHATWG URL standard writes and reads it (§5.1
//! parsing, §5.2 serializing): the form a link's query takes. Serializing keeps ASCII letters,
//! digits and `*-._`, writes a space as `+` and every other byte as `%XX` (upper-case hex);
//! parsing splits on `&`, then at the first `=`, reads `+` as a space and `%XX` as its byte
//! (a `%` without two hex digits stays itself), and decodes UTF-8 lossily. The same bytes as
//! the `form_urlencoded` crate (checked against it in the tests), in a fraction of its wasm.

/// A query being written: `key=value` pairs joined by `&`.
#[derive(Default)]
pub struct Query(String);

impl Query {
    /// Appends one pair.
    pub fn append_pair(&mut self, key: &str, value: &str) {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        encode_into(&mut self.0, key);
        self.0.push('=');
        encode_into(&mut self.0, value);
    }

    /// The query text (without a leading `?`).
    pub fn finish(self) -> String {
        self.0
    }
}

fn encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
}

/// The pairs of a query (without its `?`), in order.
pub fn parse(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let pair = bytes
            .get(i + 1)
            .copied()
            .and_then(hex)
            .zip(bytes.get(i + 2).copied().and_then(hex));
        match (b, pair) {
            (b'+', _) => out.push(b' '),
            (b'%', Some((hi, lo))) => {
                out.push(hi << 4 | lo);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings with every kind of byte the two forms treat differently.
    fn samples() -> Vec<String> {
        let mut v: Vec<String> = [
            "",
            "a b+c",
            "100%",
            "%zz%4",
            "%41%e2%82%ac",
            "x=y&z",
            "日本語 ~!@#$^()[]{}|\\;:'\",<>/?`",
            "%ff%fe",
            "custom:acme/qwen~eyJh",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut seed = 11u64;
        for n in 0..200 {
            let s: Vec<u8> = (0..n % 23)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    b"ab %+&=~*-._/:,\xc3\xa9Z9"[(seed >> 59) as usize % 19]
                })
                .collect();
            v.push(String::from_utf8_lossy(&s).into_owned());
        }
        v
    }

    #[test]
    fn writes_the_bytes_form_urlencoded_writes() {
        for s in samples() {
            let mut ours = Query::default();
            ours.append_pair(&s, &s);
            ours.append_pair("k", &s);
            let mut theirs = form_urlencoded::Serializer::new(String::new());
            theirs.append_pair(&s, &s);
            theirs.append_pair("k", &s);
            assert_eq!(ours.finish(), theirs.finish(), "{s:?}");
        }
    }

    #[test]
    fn reads_what_form_urlencoded_reads() {
        for s in samples() {
            for q in [s.clone(), format!("a={s}&&{s}=b&c"), format!("{s}&x=%{s}")] {
                let theirs: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                assert_eq!(parse(&q), theirs, "{q:?}");
            }
        }
    }
}

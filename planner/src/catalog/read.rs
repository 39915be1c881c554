//! Reads the embedded catalogue files key by key from parsed JSON: one small reader for the
//! three files instead of a serde derive per entry type (which cost the page ~3 KB gzip of
//! wasm). A missing, extra or mistyped key is an error naming the file, the entry and the key.

use crate::json::{Map, Value};

/// One entry (a JSON object) of a catalogue file.
pub(super) struct Entry<'a> {
    file: &'static str,
    obj: &'a Map,
    /// Index in the file, then the entry's id once read: what errors name.
    at: String,
}

/// The entries of one file: an array of objects whose keys are all in `keys`.
pub(super) fn entries<'a>(
    file: &'static str,
    root: &'a Value,
    keys: &[&str],
    errors: &mut Vec<String>,
) -> Vec<Entry<'a>> {
    let Some(items) = root.as_array() else {
        errors.push(format!("{file}: not a JSON array"));
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let at = format!("entry {i}");
            let Some(obj) = v.as_object() else {
                errors.push(format!("{file}: {at} is not an object"));
                return None;
            };
            if let Some(k) = obj.keys().find(|k| !keys.contains(&k.as_str())) {
                errors.push(format!("{file}: {at}: unknown key `{k}`"));
                return None;
            }
            let mut e = Entry { file, obj, at };
            if let Ok(id) = e.text("id").or_else(|_| e.text("gpu")) {
                e.at = id;
            }
            Some(e)
        })
        .collect()
}

impl<'a> Entry<'a> {
    fn fail(&self, key: &str, problem: &str) -> String {
        format!("{}: {}: `{key}` {problem}", self.file, self.at)
    }

    /// The value of `key`, if present and not null.
    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    /// A required string.
    pub(super) fn text(&self, key: &str) -> Result<String, String> {
        match self.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(self.fail(key, "must be a string")),
            None => Err(self.fail(key, "is missing")),
        }
    }

    /// A required whole number.
    pub(super) fn number(&self, key: &str) -> Result<u64, String> {
        self.maybe_number(key)?
            .ok_or_else(|| self.fail(key, "is missing"))
    }

    /// An optional whole number (absent or null: `None`).
    pub(super) fn maybe_number(&self, key: &str) -> Result<Option<u64>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.fail(key, "must be a whole number")),
        }
    }

    /// An optional list of strings (absent: empty).
    pub(super) fn texts(&self, key: &str) -> Result<Vec<String>, String> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<_>>()
                .ok_or_else(|| self.fail(key, "must be a list of strings")),
            Some(_) => Err(self.fail(key, "must be a list of strings")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_missing_and_mistyped_keys_are_named() {
        let root: Value = crate::json::parse(
            r#"[{"id":"a","n":1},{"id":"b","n":"x"},{"id":"c"},{"id":"d","zz":1},7]"#,
        )
        .unwrap();
        let mut errors = Vec::new();
        let got = entries("t.json", &root, &["id", "n"], &mut errors);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].number("n"), Ok(1));
        assert_eq!(
            got[1].number("n"),
            Err("t.json: b: `n` must be a whole number".into())
        );
        assert_eq!(got[2].number("n"), Err("t.json: c: `n` is missing".into()));
        assert_eq!(
            errors,
            [
                "t.json: entry 3: unknown key `zz`",
                "t.json: entry 4 is not an object"
            ]
        );
    }
}

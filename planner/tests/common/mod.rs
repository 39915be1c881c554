//! Lookups the planner's integration tests share. Each test binary uses a part of them.
#![allow(dead_code)]

use planner::catalog::{catalog, Gpu, Model};
use planner::plan::Workload;
use planner::Engine;

/// A catalogue model.
pub fn model(id: &str) -> &'static Model {
    catalog().model(id).expect("in the catalogue")
}

/// A catalogue GPU.
pub fn gpu(id: &str) -> &'static Gpu {
    catalog().gpu(id).expect("in the catalogue")
}

/// The default workload on `engine`.
pub fn on(engine: Engine) -> Workload {
    Workload {
        engine,
        ..Workload::default()
    }
}

/// The number after `key` in a measured row's notes ("TP=2", "gpu_memory_utilization 0.95"),
/// skipping spaces and `=` between them.
pub fn number_after(text: &str, key: &str) -> Option<f64> {
    let i = text.find(key)? + key.len();
    let rest: String = text[i..]
        .chars()
        .skip_while(|c| *c == ' ' || *c == '=')
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    rest.parse().ok()
}

/// One row of a data file under `tests/data/`, read by column name.
#[derive(Debug)]
pub struct Record(std::collections::HashMap<String, String>);

impl std::ops::Index<&str> for Record {
    type Output = str;
    fn index(&self, column: &str) -> &str {
        self.0
            .get(column)
            .unwrap_or_else(|| panic!("no column {column}"))
    }
}

impl Record {
    /// The column parsed as a number, or `None` when empty or not a number.
    pub fn num<T: std::str::FromStr>(&self, column: &str) -> Option<T> {
        self[column].trim().parse().ok()
    }
}

/// Every row of `tests/data/<file>`, each with its source page (`source_url`) checked.
pub fn data_rows(file: &str) -> Vec<Record> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let headers = reader.headers().expect("a header row").clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("{file}: {e}"));
            let row = Record(
                headers
                    .iter()
                    .map(String::from)
                    .zip(r.iter().map(String::from))
                    .collect(),
            );
            assert!(
                row["source_url"].starts_with("https://"),
                "no page: {row:?}"
            );
            row
        })
        .collect()
}

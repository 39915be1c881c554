//! The published speed measurements in `data/speed.csv` (llama-bench tables, vLLM and SGLang
//! benchmark reports) that the speed model will be checked against: every row names its page
//! and quotes the line its value was read from, so each number can be checked by hand.

mod common;
use common::data_rows;
use std::collections::BTreeSet;

#[test]
fn every_speed_row_is_sourced_and_quoted() {
    let metrics = [
        "decode_tps_per_seq",
        "decode_tps_total",
        "prefill_tps",
        "ttft_ms",
        "tpot_ms",
    ];
    let mut engines = BTreeSet::new();
    let mut n = 0;
    for row in data_rows("speed.csv") {
        assert!(
            metrics.contains(&&row["metric"]),
            "metric {}",
            &row["metric"]
        );
        let v: f64 = row["value"].parse().expect("a number");
        assert!(v > 0.0 && v.is_finite(), "{row:?}");
        // The value as the source printed it (thousands separators aside).
        assert!(
            row["quote"].replace(',', "").contains(&row["value"]),
            "value not in its quote: {row:?}"
        );
        engines.insert(row["engine"].to_string());
        n += 1;
    }
    assert!(n >= 150, "{n} rows");
    assert!(engines.len() >= 3, "{engines:?}");
}

//! The grid as CSV and as a Markdown table, with exactly the text the page shows
//! ([`CellText`]), so an export always matches the view it came from.

use crate::grid::{CellText, Grid, Mode};
use crate::plan::Thresholds;
use crate::units::{Bytes, Unit};

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn md_field(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn cell_words(c: &CellText) -> String {
    if c.fit == "unsupported" {
        "unsupported".into()
    } else {
        format!("{} {}", c.value, c.label)
    }
}

/// CSV: one row per model × format, one column per GPU; cells as `58% safe`.
pub fn to_csv(grid: &Grid, mode: Mode, thresholds: Thresholds, unit: Unit) -> String {
    let mut out = String::from("model,format");
    for c in &grid.columns {
        out.push(',');
        out.push_str(&csv_field(&format!(
            "{} ({})",
            c.name,
            Bytes(c.memory_bytes).display(unit)
        )));
    }
    out.push('\n');
    for (r, row) in grid.rows.iter().enumerate() {
        out.push_str(&csv_field(&row.model_id));
        out.push(',');
        out.push_str(&csv_field(row.format.label()));
        for c in 0..row.cells.len() {
            out.push(',');
            out.push_str(&csv_field(&cell_words(&grid.text(r, c, mode, thresholds))));
        }
        out.push('\n');
    }
    out
}

/// A GitHub-flavoured Markdown table of the grid, symbols included.
pub fn to_markdown(grid: &Grid, mode: Mode, thresholds: Thresholds, unit: Unit) -> String {
    let mut out = String::from("| Model | Format |");
    for c in &grid.columns {
        out.push_str(&format!(
            " {} ({}) |",
            md_field(&c.name),
            Bytes(c.memory_bytes).display(unit)
        ));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(grid.columns.len()));
    out.push('\n');
    for (r, row) in grid.rows.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} |",
            md_field(&row.model_id),
            row.format.label()
        ));
        for c in 0..row.cells.len() {
            let t = grid.text(r, c, mode, thresholds);
            out.push_str(&format!(" {} {} |", t.symbol, cell_words(&t)));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "\n{} · bands: caution ≥ {} %, warning ≥ {} %, critical ≥ {} %\n",
        mode.label(),
        thresholds.caution,
        thresholds.warning,
        thresholds.critical
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::grid::{evaluate, GridConfig};

    #[test]
    fn exports_have_one_line_per_row_and_quote_commas() {
        let config = GridConfig {
            mode: Mode::MaxContext,
            ..GridConfig::default()
        };
        let grid = evaluate(&config, catalog());
        let csv = to_csv(&grid, config.mode, config.thresholds, Unit::GiB);
        assert_eq!(csv.lines().count(), 1 + 12);
        assert!(csv.starts_with("model,format,RTX 3090 (23.59 GiB),"));
        // Token counts have thousands separators, so those fields are quoted.
        assert!(csv.lines().nth(1).unwrap().contains(",\""), "{csv}");
        let md = to_markdown(&grid, config.mode, config.thresholds, Unit::GB);
        assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 1 + 12);
        assert!(md.contains("(25.33 GB)"), "{md}");
    }

    #[test]
    fn markdown_escapes_pipes_in_names() {
        assert_eq!(md_field("a|b"), "a\\|b");
        assert_eq!(csv_field("say \"hi\", all"), "\"say \"\"hi\"\", all\"");
    }
}

//! The grid as CSV and as a Markdown table, with exactly the text the page shows
//! ([`CellText`]), so an export always matches the view it came from.

use crate::grid::{CellText, Grid, Mode};
use crate::plan::Thresholds;
use crate::units::{Bytes, Unit};

/// One CSV field. A field a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
/// `@`, tab or CR: OWASP "CSV Injection") gets a leading `'` and is quoted, so a GPU named
/// `=HYPERLINK(…)` stays text; fields with separators or quotes are quoted (RFC 4180).
fn csv_field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula {
        format!("\"'{}\"", s.replace('"', "\"\""))
    } else if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One Markdown table field, inert wherever the file is rendered: HTML metacharacters become
/// entities (a GPU named `<img src=x onerror=…>` shows as text even where HTML is allowed),
/// Markdown punctuation that could start a link, emphasis or code is backslash-escaped, pipes
/// cannot end the cell, and line breaks cannot end the row.
fn md_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\\' | '|' | '[' | ']' | '(' | ')' | '`' | '*' | '_' | '!' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if crate::inert::is_hazard(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
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
        out.push_str(&csv_field(&row.format_label));
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
            md_field(&row.format_label)
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
            view: crate::grid::ViewSettings {
                mode: Mode::MaxContext,
                ..Default::default()
            },
            ..GridConfig::default()
        };
        let grid = evaluate(&config, catalog());
        let csv = to_csv(&grid, config.view.mode, config.view.thresholds, Unit::GiB);
        assert_eq!(csv.lines().count(), 1 + 12);
        assert!(csv.starts_with("model,format,RTX 3090 (23.59 GiB),"));
        // Token counts have thousands separators, so those fields are quoted.
        assert!(csv.lines().nth(1).unwrap().contains(",\""), "{csv}");
        let md = to_markdown(&grid, config.view.mode, config.view.thresholds, Unit::GB);
        assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 1 + 12);
        assert!(md.contains("(25.33 GB)"), "{md}");
    }

    #[test]
    fn markdown_escapes_pipes_and_html_in_names() {
        assert_eq!(md_field("a|b"), "a\\|b");
        assert_eq!(
            md_field("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert\\(1\\)&gt;"
        );
        assert_eq!(md_field("[x](javascript:y)"), "\\[x\\]\\(javascript:y\\)");
        assert_eq!(md_field("a\nb\rc"), "a b c");
        assert_eq!(md_field("H100 80GB-SXM"), "H100 80GB-SXM");
        assert_eq!(csv_field("say \"hi\", all"), "\"say \"\"hi\"\", all\"");
    }

    #[test]
    fn csv_formulas_are_neutralised() {
        for f in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\")",
        ] {
            let out = csv_field(f);
            assert!(out.starts_with("\"'"), "{f:?} → {out}");
        }
        assert_eq!(csv_field("=a\"b"), "\"'=a\"\"b\"");
        assert_eq!(csv_field("RTX 3090"), "RTX 3090");
    }

    #[test]
    fn hostile_gpu_names_are_inert_in_both_exports() {
        let gpu =
            crate::catalog::custom_gpu::custom_gpu("<img src=x onerror=alert(1)>", 24_576, None)
                .unwrap();
        let formula =
            crate::catalog::custom_gpu::custom_gpu("=cmd|' /C calc'!A0", 24_576, None).unwrap();
        let config = GridConfig {
            gpus: vec![gpu.id.clone(), formula.id.clone()],
            custom_gpus: vec![gpu, formula],
            ..GridConfig::default()
        };
        let grid = evaluate(&config, catalog());
        let md = to_markdown(&grid, config.view.mode, config.view.thresholds, Unit::GiB);
        assert!(!md.contains('<'), "{md}");
        assert!(
            md.contains("&lt;img src=x onerror=alert\\(1\\)&gt; (24.00 GiB)"),
            "{md}"
        );
        let csv = to_csv(&grid, config.view.mode, config.view.thresholds, Unit::GiB);
        let header = csv.lines().next().unwrap();
        assert!(
            header.ends_with(",\"'=cmd|' /C calc'!A0 (24.00 GiB)\""),
            "{header}"
        );
    }
}

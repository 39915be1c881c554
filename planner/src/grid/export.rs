//! The grid as CSV and as a Markdown table, with exactly the text the page shows
//! ([`CellText`]) and the scenario line it assumes, so an export always matches the view it
//! came from and can be read on its own.

use crate::grid::{CellText, Grid, GridConfig, Mode};
use crate::units::Bytes;

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
    // HTML metacharacters and hazards as `inert::xml` writes them (its entities hold no
    // Markdown punctuation), then the punctuation escaped.
    let html = crate::inert::xml(s);
    let mut out = String::with_capacity(html.len());
    for c in html.chars() {
        if matches!(
            c,
            '\\' | '|' | '[' | ']' | '(' | ')' | '`' | '*' | '_' | '!' | '#' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
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

/// What the numbers of a cell mean in `mode`: the unit of the CSV's `value` column.
fn value_unit(mode: Mode) -> &'static str {
    match mode {
        Mode::Utilization => "percent",
        Mode::MaxContext => "tokens",
        Mode::MaxConcurrency => "sequences",
        Mode::Cost => "gpus",
        Mode::Speed => "tokens_per_s",
    }
}

/// CSV: a header block of `#` comment lines (the scenario, what the cells show, the bands, the link
/// back), then one row per cell with numbers in their own columns, so a spreadsheet can sort
/// and filter them: `percent` of the GPU, `total_bytes` per GPU, `value` in the mode's
/// `value_unit`, the `band` token, `fits`, the `reason` when it does not, and the page's words.
pub fn to_csv(grid: &Grid, config: &GridConfig, link: &str) -> String {
    let (mode, thresholds) = (config.view.mode, config.view.thresholds);
    let mut out = String::new();
    // `#` comment lines, unquoted, so CSV readers with a comment character (pandas
    // `comment="#"`, R `comment.char`) skip them; the link's commas are percent-encoded.
    for line in header_lines(config, &link.replace(',', "%2C")) {
        out.push_str("# ");
        out.push_str(&line.replace(['\n', '\r'], " "));
        out.push('\n');
    }
    out.push_str("model,format,gpu,gpu_name,gpus,gpu_memory_bytes,band,fits,reason,percent,total_bytes,value,value_unit,usd_per_hour,shown\n");
    let gpus = config.workload.gpus();
    for (r, row) in grid.rows.iter().enumerate() {
        for (c, col) in grid.columns.iter().enumerate() {
            let t = grid.text(r, c, mode, thresholds);
            let count = row.counts.get(c).copied();
            let mut fields = vec![
                csv_field(&row.model_id),
                csv_field(&row.format_label),
                csv_field(&col.id),
                csv_field(&col.name),
                count.unwrap_or(gpus).to_string(),
                col.memory_bytes.to_string(),
                t.fit.to_string(),
            ];
            match &row.cells[c] {
                Ok(p) => {
                    let value = match mode {
                        Mode::Utilization => p.utilization_percent().to_string(),
                        Mode::MaxContext => p.max_context.to_string(),
                        Mode::MaxConcurrency => p.max_concurrency.to_string(),
                        Mode::Cost => count
                            .filter(|&n| n > 0)
                            .map_or(String::new(), |n| n.to_string()),
                        Mode::Speed => p.speed.map_or(String::new(), |s| {
                            crate::units::fixed(s.decode_tokens_per_s, 1)
                        }),
                    };
                    let price = match (mode, count, col.price) {
                        (Mode::Cost, Some(n), Some(pr)) if n > 0 => pr.times(n).dollars(),
                        _ => String::new(),
                    };
                    fields.extend([
                        p.fits.to_string(),
                        if p.fits {
                            String::new()
                        } else {
                            p.reason.as_str().into()
                        },
                        p.utilization_percent().to_string(),
                        p.total_bytes.to_string(),
                        value,
                        value_unit(mode).into(),
                        price,
                    ]);
                }
                Err(_) => fields.extend(
                    ["", "unsupported", "", "", "", value_unit(mode), ""].map(String::from),
                ),
            }
            fields.push(csv_field(&cell_words(&t)));
            out.push_str(&fields.join(","));
            out.push('\n');
        }
    }
    out
}

/// The lines every copy starts with: the scenario, what the cells show with their bands, and
/// the link that reproduces the view (left out when there is none, e.g. the CLI).
fn header_lines(config: &GridConfig, link: &str) -> Vec<String> {
    let t = config.view.thresholds;
    let mut lines = vec![
        format!("Fitgrid · {}", config.scenario_line()),
        format!(
            "{} · bands: caution ≥ {} %, warning ≥ {} %, critical ≥ {} %{}",
            config.caption(),
            t.caution,
            t.warning,
            t.critical,
            if config.view.mode == Mode::Speed {
                format!(", fast enough ≥ {} tokens/s per user", t.speed)
            } else {
                String::new()
            }
        ),
    ];
    if !link.is_empty() {
        lines.push(format!("Open in Fitgrid: {link}"));
    }
    lines
}

/// A GitHub-flavoured Markdown table of the grid, symbols included, under its scenario line
/// and above the bands and a link back to the view.
pub fn to_markdown(grid: &Grid, config: &GridConfig, link: &str) -> String {
    let (mode, thresholds, unit) = (config.view.mode, config.view.thresholds, config.view.unit);
    let lines = header_lines(config, "");
    let mut out = format!("**{}**\n\n| Model | Weights |", md_field(&lines[0]));
    let gpus = config.workload.gpus();
    for c in &grid.columns {
        out.push_str(&format!(
            " {} ({}) |",
            md_field(&c.title(gpus)),
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
    out.push_str(&format!("\n{}\n", md_field(&lines[1])));
    if !link.is_empty() {
        // A query string is percent-encoded: no parenthesis or space can end the link early.
        out.push_str(&format!("\n[Open in Fitgrid]({link})\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::grid::{evaluate, GridConfig};

    #[test]
    fn exports_name_their_scenario_and_csv_has_numeric_columns() {
        let mut config = GridConfig::default();
        config.workload.context = 12345;
        config.view.mode = Mode::MaxContext;
        let grid = evaluate(&config, catalog());
        let csv = to_csv(&grid, &config, "https://example.org/fitgrid/?ctx=12345");
        let lines: Vec<&str> = csv.lines().collect();
        // Three header lines, the column names, one row per cell (12 rows × 5 GPUs).
        assert_eq!(lines.len(), 3 + 1 + 12 * 5);
        assert!(lines[0].contains("12,345 tokens × 1"), "{}", lines[0]);
        assert!(lines[0].starts_with("# Fitgrid · vLLM"), "{}", lines[0]);
        assert_eq!(
            lines[2],
            "# Open in Fitgrid: https://example.org/fitgrid/?ctx=12345"
        );
        // Read as a CSV reader with a comment character does.
        let mut commented = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(csv.as_bytes());
        assert_eq!(&commented.headers().unwrap()[0], "model");
        assert_eq!(commented.records().count(), 12 * 5);
        // After the header block, a table any CSV reader takes.
        let table = &csv[csv.find("\nmodel,").unwrap() + 1..];
        let mut reader = csv::Reader::from_reader(table.as_bytes());
        let header = reader.headers().unwrap().clone();
        let col = |n: &str| header.iter().position(|h| h == n).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 12 * 5);
        let fields = &rows[0];
        assert_eq!(&fields[col("model")], "Qwen/Qwen2.5-0.5B");
        assert_eq!(&fields[col("gpu")], "rtx-3090-24gb");
        assert_eq!(&fields[col("value_unit")], "tokens");
        // Numbers a spreadsheet reads as numbers.
        for c in ["percent", "total_bytes", "value", "gpu_memory_bytes"] {
            assert!(fields[col(c)].parse::<u64>().is_ok(), "{c}: {fields:?}");
        }
        let p = grid.rows[0].cells[0].as_ref().unwrap();
        assert_eq!(&fields[col("value")], p.max_context.to_string());
        assert_eq!(&fields[col("total_bytes")], p.total_bytes.to_string());
        // A cell that does not fit names its reason.
        let refused = lines.iter().find(|l| l.contains(",false,")).unwrap();
        assert!(
            refused.contains(",weights_exceed_gpu,") || refused.contains(",over_"),
            "{refused}"
        );
        let md = to_markdown(&grid, &config, "https://example.org/fitgrid/?ctx=12345");
        assert!(
            md.starts_with("**Fitgrid · vLLM V1 \\(0.19\\) · 12,345 tokens × 1"),
            "{md}"
        );
        assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 1 + 12);
        assert!(
            md.ends_with("[Open in Fitgrid](https://example.org/fitgrid/?ctx=12345)\n"),
            "{md}"
        );
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
        let md = to_markdown(&grid, &config, "");
        assert!(!md.contains('<'), "{md}");
        assert!(
            md.contains("&lt;img src=x onerror=alert\\(1\\)&gt; (24.00 GiB)"),
            "{md}"
        );
        let csv = to_csv(&grid, &config, "");
        assert!(csv.contains(",\"'=cmd|' /C calc'!A0\","), "{csv}");
    }
}

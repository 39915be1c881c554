//! The grid as a standalone SVG image, for pages that take only images: the scenario line,
//! the grid with each cell's colour, symbol, number and words (never colour alone), the
//! legend, and the link that reproduces the view, in the light theme's colours
//! (style/main.css). Every name is XML-escaped text.

use super::{Grid, GridConfig, Mode};
use crate::inert::xml;
use crate::units::Bytes;
use std::fmt::Write;

/// Column widths and row heights, px.
const MODEL_W: u64 = 190;
const FORMAT_W: u64 = 130;
const CELL_W: u64 = 210;
const ROW_H: u64 = 26;
const HEAD_H: u64 = 40;
const PAD: u64 = 12;

/// Background and text colour of a cell's `data-fit` token (the light theme's tokens).
fn colours(fit: &str) -> (&'static str, &'static str) {
    match fit {
        "safe" | "fast" => ("#d8efe4", "#0b5a3a"),
        "caution" => ("#fdf1c7", "#6b5200"),
        "warning" | "slow" => ("#fbdcc0", "#7a3a00"),
        "critical" => ("#f6c9d6", "#7c1037"),
        "offload" => ("#d6ebf7", "#0b4a6e"),
        "does-not-fit" => ("#e4e4e4", "#3a3a3a"),
        _ => ("#ffffff", "#5b6570"),
    }
}

/// One line of text at (`x`, `y`), bold or not, in `fill`.
fn text(out: &mut String, x: u64, y: u64, fill: &str, bold: bool, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{x}" y="{y}" fill="{fill}"{}>{}</text>"#,
        if bold { r#" font-weight="700""# } else { "" },
        xml(s)
    );
}

/// The legend's parts: each band's symbol, word and range.
fn legend_text(mode: Mode, thresholds: crate::plan::Thresholds) -> Vec<String> {
    let mut parts: Vec<String> = match mode {
        Mode::Speed => vec![
            format!("» fast enough ≥ {} tokens/s per user", thresholds.speed),
            "▽ too slow".into(),
            "? no speed figure".into(),
        ],
        _ => vec![
            format!("✓ safe < {} %", thresholds.caution),
            format!("◐ caution ≥ {} %", thresholds.caution),
            format!("▲ warning ≥ {} %", thresholds.warning),
            format!("‼ critical ≥ {} %", thresholds.critical),
        ],
    };
    parts.push("✗ does not fit (the cell says why)".into());
    parts.push(format!("{} unsupported", super::cell::UNSUPPORTED_SYMBOL));
    parts
}

/// `parts` joined by " · " into lines of at most `room` characters (a part longer than a
/// line has one of its own).
fn wrap(parts: &[String], room: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for part in parts {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 3 + part.chars().count() <= room => {
                line.push_str(" · ");
                line.push_str(part);
            }
            _ => lines.push(part.clone()),
        }
    }
    lines
}

/// The grid of `config` as an SVG document.
pub fn to_svg(grid: &Grid, config: &GridConfig, link: &str) -> String {
    let (mode, thresholds, unit) = (config.view.mode, config.view.thresholds, config.view.unit);
    let width = 2 * PAD + MODEL_W + FORMAT_W + CELL_W * grid.columns.len() as u64;
    let top = PAD + 58;
    let body = top + HEAD_H;
    let bottom = body + ROW_H * grid.rows.len() as u64;
    // The legend by its parts and the link by characters, in lines as wide as the image
    // (~7 px a character at 13 px).
    let room = ((width - 2 * PAD) / 7).max(20) as usize;
    let legend = wrap(&legend_text(mode, thresholds), room);
    // A link's characters run wider than prose's (~8 px).
    let link_lines: Vec<String> = link
        .chars()
        .collect::<Vec<_>>()
        .chunks(room * 7 / 8)
        .map(|c| c.iter().collect())
        .collect();
    let height = bottom + 30 + 18 * (legend.len() + link_lines.len()) as u64;
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" font-size="13"><rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    text(&mut s, PAD, PAD + 16, "#1b1f24", true, "Fitgrid");
    text(
        &mut s,
        PAD,
        PAD + 36,
        "#1b1f24",
        true,
        &config.scenario_line(),
    );
    text(&mut s, PAD, PAD + 54, "#5b6570", false, &config.caption());
    // Header row: the GPUs with their memory per GPU.
    let _ = write!(
        s,
        r##"<rect x="{PAD}" y="{top}" width="{}" height="{HEAD_H}" fill="#f5f7f9"/>"##,
        width - 2 * PAD
    );
    text(&mut s, PAD + 6, top + 24, "#1b1f24", true, "Model");
    text(
        &mut s,
        PAD + MODEL_W + 6,
        top + 24,
        "#1b1f24",
        true,
        "Weights",
    );
    let gpus = config.workload.gpus();
    for (c, col) in grid.columns.iter().enumerate() {
        let x = PAD + MODEL_W + FORMAT_W + CELL_W * c as u64 + 6;
        text(&mut s, x, top + 17, "#1b1f24", true, &col.title(gpus));
        text(
            &mut s,
            x,
            top + 33,
            "#5b6570",
            false,
            &Bytes(col.memory_bytes).display(unit),
        );
    }
    for (r, row) in grid.rows.iter().enumerate() {
        let y = body + ROW_H * r as u64;
        if r == 0 || grid.rows[r - 1].model_id != row.model_id {
            let _ = write!(
                s,
                r##"<line x1="{PAD}" y1="{y}" x2="{}" y2="{y}" stroke="#d5dae0"/>"##,
                width - PAD
            );
            text(&mut s, PAD + 6, y + 18, "#1b1f24", true, &row.model_name);
        }
        text(
            &mut s,
            PAD + MODEL_W + 6,
            y + 18,
            "#1b1f24",
            false,
            &row.format_label,
        );
        for c in 0..row.cells.len() {
            let t = grid.text(r, c, mode, thresholds);
            let (bg, fg) = colours(t.fit);
            let x = PAD + MODEL_W + FORMAT_W + CELL_W * c as u64;
            let _ = write!(
                s,
                r##"<rect x="{x}" y="{y}" width="{CELL_W}" height="{ROW_H}" fill="{bg}" stroke="#ffffff"/>"##
            );
            let words = if t.fit == "unsupported" {
                format!("{} unsupported", t.symbol)
            } else {
                format!("{} {} {}", t.symbol, t.value, t.label)
            };
            text(&mut s, x + 6, y + 18, fg, false, &words);
        }
    }
    // The legend, then the link back (a link in an SVG viewer; all of it readable in the PNG).
    let mut y = bottom + 24;
    for line in legend {
        text(&mut s, PAD, y, "#1b1f24", false, &line);
        y += 18;
    }
    if !link.is_empty() {
        let _ = write!(s, r#"<a href="{}">"#, xml(link));
        for line in link_lines {
            text(&mut s, PAD, y + 4, "#0b5cad", false, &line);
            y += 18;
        }
        s.push_str("</a>");
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::grid::evaluate;

    #[test]
    fn the_image_has_the_scenario_every_cell_and_inert_names() {
        let mut config = GridConfig::default();
        config.workload.context = 12345;
        let grid = evaluate(&config, catalog());
        let svg = to_svg(&grid, &config, "https://example.org/?ctx=12345&a=<b>");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("12,345 tokens × 1"), "{svg}");
        // One coloured rectangle per cell, each with its words.
        assert_eq!(svg.matches("<rect x=").count(), 1 + 12 * 5);
        assert!(svg.contains("✗ 167% over model context"), "{svg}");
        assert!(svg.contains("?ctx=12345&amp;a=&lt;b&gt;"));
        // A long link is all there, over as many lines as it needs, and is a link.
        let long = format!("https://example.org/fitgrid/?{}", "m=x,".repeat(200));
        let svg = to_svg(&grid, &config, &long);
        let shown: String = svg
            .split("<a href=")
            .nth(1)
            .unwrap()
            .split("<text ")
            .skip(1)
            .map(|t| t.split('>').nth(1).unwrap().trim_end_matches("</text"))
            .collect();
        assert_eq!(shown, long);
        let unsupported = GridConfig {
            formats: vec![crate::model::weights::WeightFormat::Q4KM],
            ..config.clone()
        };
        let svg = to_svg(&evaluate(&unsupported, catalog()), &unsupported, "");
        assert!(
            svg.contains("⊘ unsupported") && !svg.contains("— unsupported"),
            "{svg}"
        );
        assert!(!svg.contains("<b>"));
        let gpu =
            crate::catalog::custom_gpu::custom_gpu("<script>x</script>", 24_576, None).unwrap();
        let hostile = GridConfig {
            gpus: vec![gpu.id.clone()],
            custom_gpus: vec![gpu],
            ..GridConfig::default()
        };
        let svg = to_svg(&evaluate(&hostile, catalog()), &hostile, "");
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;x&lt;/script&gt;"));
    }
}

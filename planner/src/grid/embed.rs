//! The embed: the iframe code a wiki page takes, sized from the grid it shows.
//!
//! The embedded page lays itself out in its frame (style/main.css, `[data-embed="true"]`): the
//! scenario line, the grid, the legend and the "Open in Fitgrid" link always fit, and only the
//! grid scrolls inside when the frame is smaller than the grid. The height written into the
//! code is the grid's natural height, so at the copied size nothing scrolls: the rows and
//! headers at the embed's compact size plus the lines around them, with room for a horizontal
//! scrollbar on wide grids. The embedded page also posts its natural height to its parent
//! (`fitgrid-height:<px>`), which the self-resizing variant listens to, for hosts that allow
//! scripts.

use super::Grid;

/// One grid row in the embed (0.85rem text, 0.2rem padding, 1px rule): 27.1 px, in tenths.
const ROW_TENTHS: u64 = 271;
/// The GPU header row, with a name that wraps to two lines.
const HEAD_PX: u64 = 66;
/// Everything else: the title, the scenario line, the caption, two lines of legend, the link
/// out and the paddings between them (224 px measured in 700–1,000 px wide frames).
const CHROME_PX: u64 = 232;
/// A horizontal scrollbar under grids of more than [`WIDE_COLUMNS`] GPUs.
const WIDE_PX: u64 = 24;
const WIDE_COLUMNS: usize = 6;
/// The tallest frame the code asks for; a taller grid scrolls inside it.
pub const MAX_PX: u64 = 1_200;

/// The frame height, px, that shows `grid` whole in the embed layout (at most [`MAX_PX`]) in
/// a frame 700–1,000 px wide; narrower frames wrap the legend and the headers further (the
/// self-resizing code follows them).
pub fn height(grid: &Grid) -> u64 {
    let wide = if grid.columns.len() > WIDE_COLUMNS {
        WIDE_PX
    } else {
        0
    };
    let rows = (ROW_TENTHS * grid.rows.len() as u64).div_ceil(10);
    (CHROME_PX + HEAD_PX + rows + wide).min(MAX_PX)
}

/// The iframe code for `url` (the view with `embed=1`) at `height` px. With `resizing`, a
/// script follows it that sets the frame's height to what the embedded page reports, from
/// that page's origin only.
pub fn snippet(url: &str, height: u64, resizing: bool) -> String {
    let frame = format!(
        "<iframe src=\"{}\" title=\"Fitgrid\" width=\"100%\" height=\"{height}\" style=\"border:0\" loading=\"lazy\"></iframe>",
        crate::inert::xml(url)
    );
    if !resizing {
        return frame;
    }
    // The origin the messages must come from: scheme and host of the URL.
    let origin = url
        .find("://")
        .map(|i| {
            let rest = &url[i + 3..];
            &url[..i + 3 + rest.find('/').unwrap_or(rest.len())]
        })
        .unwrap_or("");
    format!(
        "{frame}\n<script>(function(f){{addEventListener(\"message\",function(e){{var m=/^fitgrid-height:(\\d+)$/.exec(e.data);if(e.source===f.contentWindow&&e.origin===\"{}\"&&m)f.height=m[1];}});}})(document.currentScript.previousElementSibling);</script>",
        origin.replace(['"', '\\', '<'], "")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::grid::{evaluate, GridConfig};

    #[test]
    fn the_code_is_as_tall_as_its_grid_and_inert() {
        let small = evaluate(&GridConfig::default(), catalog());
        // 12 rows × 5 GPUs: rows, headers and the lines around them.
        assert_eq!(height(&small), 232 + 66 + 326);
        let mut one = GridConfig::default();
        one.models.truncate(1);
        one.gpus.truncate(2);
        assert!(height(&evaluate(&one, catalog())) < height(&small));
        let code = snippet("https://w.example/t/?m=a&embed=1\"><b>", 600, false);
        assert_eq!(
            code,
            "<iframe src=\"https://w.example/t/?m=a&amp;embed=1&quot;&gt;&lt;b&gt;\" title=\"Fitgrid\" width=\"100%\" height=\"600\" style=\"border:0\" loading=\"lazy\"></iframe>"
        );
        let auto = snippet("https://w.example/t/?embed=1", 600, true);
        assert!(auto.contains("e.origin===\"https://w.example\""), "{auto}");
        assert!(auto.ends_with("</script>"));
    }
}

//! Which rows and GPU columns of a large grid are rendered: the window around the viewport,
//! measured from the rendered table (docs/decisions.md#d3: a browser cannot restyle, lay out
//! and paint a 12,480-cell table within a frame). Pure arithmetic plus one DOM measurement; the grid view
//! owns the signal and the spacers.

use wasm_bindgen::JsCast;

/// Grids with more cells than this render only the rows and GPU columns near the viewport,
/// with spacers for the rest. Benchmark (docs/decisions.md#d3) (control change → next frame painted, 2-core
/// machine): a browser needs ~0.4 s for all 12,480 cells of the full catalogue, ~100 ms for
/// the 1,900 cells of 48 rows × 39 columns, ~20 ms for a hundred cells.
const WINDOW_CELLS: usize = 600;
/// Rows rendered above and below the visible ones (keyboard focus and fast scrolling stay
/// inside rendered rows).
const OVERSCAN_ROWS: usize = 6;
/// GPU columns rendered left and right of the visible ones.
const OVERSCAN_COLS: usize = 1;

/// Which spacer.
#[derive(Clone, Copy)]
pub(crate) enum Side {
    Above,
    Below,
    Left,
    Right,
}

/// The rendered window of a large grid, and the measured row height and column width that
/// size the spacers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Window {
    /// Rendered rows: `len` of them from `start`.
    pub(crate) start: usize,
    pub(crate) len: usize,
    /// Average rendered row height (model names may wrap).
    pub(crate) row_px: f64,
    /// Rendered GPU columns: `col_len` of them from `col_start`.
    pub(crate) col_start: usize,
    pub(crate) col_len: usize,
    /// Average rendered GPU column width.
    pub(crate) col_px: f64,
    /// Everything is rendered (while printing).
    pub(crate) all: bool,
}

impl Default for Window {
    /// What a 1280 × 900 window shows before anything is measured.
    fn default() -> Self {
        Window {
            start: 0,
            len: 30,
            row_px: 34.0,
            col_start: 0,
            col_len: 8,
            col_px: 160.0,
            all: false,
        }
    }
}

/// Whether the rendered items `lo..hi` of `total` cover the visible ones `a..b` with `spare`
/// items to spare on each side (none needed at an end of the grid).
fn covers((a, b): (usize, usize), (lo, hi): (usize, usize), total: usize, spare: usize) -> bool {
    (a >= lo + spare || lo == 0) && (b.min(total) + spare <= hi || hi == total)
}

/// `len` items from `start`, kept inside `total`.
fn clamp(start: usize, len: usize, total: usize) -> (usize, usize) {
    let start = start.min(total.saturating_sub(len.min(total)));
    (start, (start + len).min(total))
}

impl Window {
    /// Whether a grid of `rows` × `cols` is windowed at all.
    fn windowed(&self, rows: usize, cols: usize) -> bool {
        !self.all && rows * cols > WINDOW_CELLS
    }

    /// Rendered row range (all rows of small grids).
    pub(crate) fn rows(&self, rows: usize, cols: usize) -> (usize, usize) {
        if self.windowed(rows, cols) {
            clamp(self.start, self.len, rows)
        } else {
            (0, rows)
        }
    }

    /// Rendered GPU column range (all columns of small grids).
    pub(crate) fn cols(&self, rows: usize, cols: usize) -> (usize, usize) {
        if self.windowed(rows, cols) {
            clamp(self.col_start, self.col_len, cols)
        } else {
            (0, cols)
        }
    }

    /// The window for what is on screen now, measured from the rendered table; `None` while
    /// the rendered one still covers it (small scrolls and value changes re-render nothing).
    pub(crate) fn measured(
        &self,
        rows: usize,
        cols: usize,
        body: &web_sys::HtmlTableSectionElement,
        wrap: &web_sys::HtmlDivElement,
        win: &web_sys::Window,
    ) -> Option<Window> {
        if !self.windowed(rows, cols) {
            return None;
        }
        let (start, end) = self.rows(rows, cols);
        let (c0, c1) = self.cols(rows, cols);
        let rect = |e: Option<web_sys::Element>| e.map(|e| e.get_bounding_client_rect());
        let px = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
        // Rows: the spacer rows before and after the rendered ones (the first and last rows of
        // the body) stand for `row_px` per row.
        let trs = body.rows();
        let (above, below) = (
            rect(trs.item(0))?,
            rect(trs.item(trs.length().checked_sub(1)?))?,
        );
        // Visible: inside the grid's own scroll container and the browser window.
        let frame = wrap.get_bounding_client_rect();
        let viewport = px(win.inner_height()).unwrap_or(900.0);
        let (first, last, row_px) = Axis {
            before: (above.top(), above.bottom()),
            after: below.top(),
            rendered: (start, end),
            size: self.row_px,
        }
        .visible(frame.top().max(0.0), frame.bottom().min(viewport));
        let row_start = first.saturating_sub(OVERSCAN_ROWS);
        let row_end = last + OVERSCAN_ROWS;
        // Columns: the spacer headers, likewise; visible is right of the sticky model column,
        // inside the wrapper and the browser window.
        let spacers = wrap.query_selector_all("thead .grid__colspacer").ok()?;
        let spacer = |i| rect(spacers.item(i).and_then(|n| n.dyn_into().ok()));
        let (left, right) = (spacer(0)?, spacer(1)?);
        // Right of the sticky model and format columns.
        let sticky = rect(wrap.query_selector("thead th + th").ok()?)?.right();
        let width = px(win.inner_width()).unwrap_or(1280.0);
        let (from, to, col_px) = Axis {
            before: (left.left(), left.right()),
            after: right.left(),
            rendered: (c0, c1),
            size: self.col_px,
        }
        .visible(sticky.max(frame.left()), frame.right().min(width));
        // What is rendered already covers what is visible (with a row to spare, unless at an
        // end of the grid): keep it. Values that change cell widths, or a short scroll, then
        // re-render nothing.
        if (row_px, col_px) == (self.row_px, self.col_px)
            && covers((first, last), (start, end), rows, 1)
            && covers((from, to), (c0, c1), cols, 0)
        {
            return None;
        }
        let col_start = from.saturating_sub(OVERSCAN_COLS);
        let next = Window {
            start: row_start,
            len: row_end.saturating_sub(row_start).max(1),
            row_px,
            col_start,
            col_len: (to + OVERSCAN_COLS).saturating_sub(col_start).max(1),
            col_px,
            all: false,
        };
        (next != *self).then_some(next)
    }
}

/// One axis of the rendered table (rows down, columns across), in viewport pixels.
struct Axis {
    /// Where the spacer for the items before the rendered ones starts and ends.
    before: (f64, f64),
    /// Where the spacer for the items after them starts.
    after: f64,
    /// The rendered items.
    rendered: (usize, usize),
    /// Pixels per item the spacers use.
    size: f64,
}

impl Axis {
    /// The items between `from` and `to` (first, one past the last), and the item size the
    /// next spacers should use. Positions map exactly: spacers at `size` per item, rendered
    /// items at their average. That average becomes the new size only when it differs by more
    /// than 10 % (a mode change): averages of what is rendered wobble as the window moves, and
    /// following every wobble fed back (the grid's new size moved the scroll position, which
    /// measured again) and never settled. The overscan absorbs the small difference.
    fn visible(&self, from: f64, to: f64) -> (usize, usize, f64) {
        let (n0, n1) = self.rendered;
        let average = if n1 > n0 {
            ((self.after - self.before.1) / (n1 - n0) as f64).max(8.0)
        } else {
            self.size
        };
        let at = |pos: f64| {
            if pos < self.before.1 {
                (pos - self.before.0) / self.size
            } else if pos < self.after {
                n0 as f64 + (pos - self.before.1) / average
            } else {
                n1 as f64 + (pos - self.after) / self.size
            }
        };
        let size = if (average - self.size).abs() > self.size * 0.1 {
            average
        } else {
            self.size
        };
        (
            at(from).max(0.0) as usize,
            at(to).max(0.0).ceil() as usize,
            size,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Figures worked by hand: 100 rows; rows 10..20 rendered between a 340 px spacer (10 rows
    // at 34 px) starting at y = 0 and a spacer starting at y = 740 (so they average 40 px).
    fn rows() -> Axis {
        Axis {
            before: (0.0, 340.0),
            after: 740.0,
            rendered: (10, 20),
            size: 34.0,
        }
    }

    #[test]
    fn positions_map_through_spacers_and_rendered_rows() {
        // y 500 is 160 px into the rendered rows: row 10 + 4; y 900 is 160 px into the spacer
        // after them: row 20 + 4.7, so up to row 25 (exclusive).
        let (first, last, _) = rows().visible(500.0, 900.0);
        assert_eq!((first, last), (14, 25));
        // Inside the spacer before: 170 px / 34 = row 5.
        assert_eq!(rows().visible(170.0, 200.0).0, 5);
    }

    #[test]
    fn the_item_size_follows_only_changes_over_ten_percent() {
        // 40 px rendered against 34 px assumed is 18 % more: taken.
        assert_eq!(rows().visible(0.0, 100.0).2, 40.0);
        // 35 px against 34 px (3 %): the spacers keep 34 px, so nothing moves.
        let close = Axis {
            after: 690.0,
            ..rows()
        };
        assert_eq!(close.visible(0.0, 100.0).2, 34.0);
    }

    #[test]
    fn a_window_that_covers_the_visible_rows_is_kept() {
        // Rendered 10..40, visible 15..30: covered with a row to spare.
        assert!(covers((15, 30), (10, 40), 320, 1));
        // Visible up to the last rendered row: nothing to spare, re-window.
        assert!(!covers((15, 40), (10, 40), 320, 1));
        // At the ends of the grid nothing is needed beyond them.
        assert!(covers((0, 30), (0, 40), 320, 1));
        assert!(covers((300, 320), (290, 320), 320, 1));
        // Visible past the end of the grid (the page below it) counts as the end.
        assert!(covers((300, 330), (290, 320), 320, 1));
    }

    #[test]
    fn small_grids_are_rendered_whole_and_printing_renders_everything() {
        let w = Window::default();
        // 12 rows × 5 GPUs (the seed study): no window.
        assert_eq!((w.rows(12, 5), w.cols(12, 5)), ((0, 12), (0, 5)));
        // The full catalogue: the default window.
        assert_eq!((w.rows(320, 39), w.cols(320, 39)), ((0, 30), (0, 8)));
        let print = Window { all: true, ..w };
        assert_eq!(
            (print.rows(320, 39), print.cols(320, 39)),
            ((0, 320), (0, 39))
        );
        // A window past the end is pulled back inside the grid.
        let late = Window { start: 310, ..w };
        assert_eq!(late.rows(320, 39), (290, 320));
    }
}

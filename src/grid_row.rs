//! One model × format row of the grid and its cells: the cell markup, where the GPU columns
//! sit among the header and spacer columns, and patching a rendered row in place. Every column
//! offset of the grid's DOM is defined here.

use leptos::prelude::*;
use planner::grid::{CellText, Mode};
use planner::FastMap;
use planner::{Grid, GridConfig, WeightFormat};

/// Header rows above the first grid row (the GPU header).
pub(crate) const HEADER_ROWS: usize = 1;
/// Header columns before the GPUs (model, weights).
pub(crate) const HEADER_COLS: usize = 2;

/// `aria-colindex` (1-based) of GPU column `c`.
pub(crate) fn aria_col(c: usize) -> usize {
    HEADER_COLS + c + 1
}

/// `aria-colcount` of a grid with `gpus` columns.
pub(crate) fn aria_colcount(gpus: usize) -> usize {
    HEADER_COLS + gpus
}

/// The last GPU column of a grid whose `aria-colcount` is `colcount`.
pub(crate) fn last_col(colcount: i64) -> i64 {
    colcount - HEADER_COLS as i64 - 1
}

/// Columns a full-width row spans: the headers, the two column spacers and the rendered GPUs.
pub(crate) fn span_all(rendered: usize) -> usize {
    HEADER_COLS + 2 + rendered
}

/// Index among a row's `td`s of rendered GPU column `c` (the first `td` is the left spacer).
fn td_index(c: usize) -> u32 {
    c as u32 + 1
}

/// What a rendered row shows: its first GPU column and the texts from there.
pub(crate) type Shown = (usize, Vec<CellText>);

/// A row's identity and structure: what cannot change without re-rendering it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RowKey {
    pub(crate) model_id: String,
    pub(crate) format: WeightFormat,
    /// Position in the grid (`data-r`).
    pub(crate) index: usize,
    /// Rows of this model when this is its first row (the model header's rowspan), else 0.
    pub(crate) span: usize,
    /// The rendered GPU columns.
    pub(crate) cols: (usize, usize),
    /// Hash of the rendered column ids, in order.
    pub(crate) columns: u64,
    /// The first rendered row: its first cell is the grid's one Tab stop (arrow keys move on
    /// from there), so Tab passes the grid in one step instead of one per cell.
    pub(crate) tab_stop: bool,
}

/// One model × format row, rendered for its [`RowKey`] from the grid of the moment (value
/// changes are patched by the table's effect). Cells are plain markup: thousands of per-cell
/// subscriptions, per-row memos or re-rendering rows on every change are all much slower on a
/// full-catalogue grid (docs/decisions.md#d3).
#[component]
pub(crate) fn GridRow(
    /// The configuration.
    config: RwSignal<GridConfig>,
    /// The evaluated grid.
    grid: Memo<Grid>,
    /// The row's identity and structure.
    key: RowKey,
    /// What every rendered row shows, for the table's patching effect.
    shown: StoredValue<FastMap<(String, WeightFormat), Shown>>,
) -> impl IntoView {
    let index = key.index;
    let (c0, c1) = key.cols;
    let cheapest = {
        let id = key.model_id.clone();
        move || {
            config.with(|c| {
                (c.view.mode == Mode::Cost)
                    .then(|| grid.with(|g| c.cheapest_line(g, &id, planner::catalog())))
            })
        }
    };
    // Built from the values of the moment; later value changes are patched by the table's
    // one effect (`FitGrid`), not per row.
    let (mode, thresholds) = config.with_untracked(|c| (c.view.mode, c.view.thresholds));
    let (name, format_label, first_cells) = grid.with_untracked(|g| {
        let Some(row) = g.rows.get(index) else {
            return (String::new(), String::new(), Vec::new());
        };
        let cells = (c0..c1.min(g.columns.len()))
            .map(|c| (g.text(index, c, mode, thresholds), g.columns[c].id.clone()))
            .collect::<Vec<_>>();
        (row.model_name.clone(), row.format_label.clone(), cells)
    });
    // Record what this row shows now, so the next change is patched against it.
    shown.update_value(|m| {
        m.insert(
            (key.model_id.clone(), key.format),
            (c0, first_cells.iter().map(|(t, _)| t.clone()).collect()),
        );
    });
    view! {
        <tr class="grid__row" data-model=key.model_id.clone() data-format=key.format.id()
            aria-rowindex=index + HEADER_ROWS + 1>
            {(key.span > 0).then(|| view! {
                <th scope="rowgroup" rowspan=key.span class="grid__model">
                    {name.clone()}
                    {move || cheapest().map(|w| view! {
                        <span class="grid__cheapest" data-testid="cheapest">{w}</span>
                    })}
                </th>
            })}
            <th scope="row" class="grid__format">{format_label}</th>
            <td class="grid__colspacer" aria-hidden="true"></td>
            {first_cells.into_iter().enumerate().map(|(i, (text, gpu_id))| {
                cell(gpu_id, text, (index, c0 + i), key.tab_stop && i == 0)
            }).collect_view()}
            <td class="grid__colspacer" aria-hidden="true"></td>
        </tr>
    }
}

/// Updates the cells of `tr` whose text differs between `prev` (on screen) and `next`.
pub(crate) fn patch_row(tr: &web_sys::Element, prev: &[CellText], next: &[CellText]) {
    let tds = tr.get_elements_by_tag_name("td");
    for (c, (old, new)) in prev.iter().zip(next).enumerate() {
        if old == new {
            continue;
        }
        let Some(td) = tds.item(td_index(c)) else {
            continue;
        };
        if old.fit != new.fit {
            td.set_attribute("data-fit", new.fit).ok();
        }
        let spans = td.children();
        // Update the existing text node (one characterData change), not the span's children.
        let set = |i: u32, text: &str| {
            if let Some(node) = spans.item(i).and_then(|el| el.first_child()) {
                node.set_node_value(Some(text));
            }
        };
        if old.symbol != new.symbol {
            set(0, new.symbol);
        }
        if old.value != new.value {
            set(1, &new.value);
        }
        if old.label != new.label {
            set(2, new.label);
        }
    }
}

/// One grid cell: symbol, number and band in words (never colour alone). A `td` of a
/// `role="grid"` table is a gridcell without saying so (HTML-AAM). Plain markup: the
/// table's delegated listeners open its detail (click, Enter) and show the tooltip (hover, focus).
/// A plain function, not a component, so that Leptos' `erase_components` (which keeps the wasm
/// small) does not box the grid's thousands of cells: its text is what screen readers announce,
/// with the row and column headers; the shared tooltip adds the numbers via `aria-describedby`.
fn cell(
    gpu_id: String,
    text: CellText,
    (row, col): (usize, usize),
    tab_stop: bool,
) -> impl IntoView {
    view! {
        <td class="grid__cell" data-fit=text.fit data-gpu=gpu_id data-r=row data-c=col tabindex=if tab_stop { "0" } else { "-1" }
            aria-describedby="grid-tip" aria-colindex=aria_col(col)>
            <span class="grid__symbol" aria-hidden="true">{text.symbol}</span>
            <span class="grid__pct">{text.value}</span>
            <span class="grid__band">{text.label}</span>
        </td>
    }
}

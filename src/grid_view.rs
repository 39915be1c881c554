//! The grid table. Rows are keyed by (model, format), cells by GPU id, and every cell reads its
//! own memoised slice of the grid: a control change updates attributes and text in place instead
//! of rebuilding thousands of cells. One shared tooltip shows the numbers of the hovered or
//! focused cell; arrow keys move between cells.

use leptos::prelude::*;
use planner::grid::CellText;
use planner::FastMap;
use planner::{Bytes, Grid, GridConfig, Unit, WeightFormat};
use wasm_bindgen::JsCast;

use crate::grid_focus::{focused_cell, move_focus, refocus};
use crate::grid_row::{aria_col, aria_colcount, patch_row, span_all, GridRow, RowKey, Shown};
use crate::grid_tooltip::Tooltip;
use crate::grid_window::{Side, Window};

/// The cell under the pointer or keyboard focus, and where to draw its tooltip.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Active {
    pub(crate) model_id: String,
    pub(crate) format: WeightFormat,
    pub(crate) gpu_id: String,
    pub(crate) x: f64,
    pub(crate) y: f64,
    /// The tooltip opens above the cell (no room below it).
    pub(crate) above: bool,
}

/// The tooltip's width (`.grid__tip`: `min(22rem, 100vw - 1rem)`) and the room it needs below
/// a cell, in CSS pixels: it is placed so that it stays inside the viewport.
const TIP_WIDTH: f64 = 352.0;
const TIP_ROOM: f64 = 220.0;

/// Tells the page that embeds this one how tall it would be with nothing scrolling inside
/// (`fitgrid-height:<px>`, what the self-resizing embed code listens for): the page's height
/// plus what the grid's frame hides.
fn post_height(win: &web_sys::Window, wrap: &web_sys::HtmlDivElement) {
    let Some(doc) = win.document().and_then(|d| d.document_element()) else {
        return;
    };
    let hidden = wrap.scroll_height() - wrap.client_height();
    let height = doc.scroll_height() + hidden.max(0);
    if let Ok(Some(parent)) = win.parent() {
        parent
            .post_message(&format!("fitgrid-height:{height}").into(), "*")
            .ok();
    }
}

/// The grid's one Tab stop follows keyboard focus (roving tabindex): Shift+Tab back into the
/// grid returns to the cell last used, not to the first one.
fn keep_tab_stop(target: Option<web_sys::EventTarget>) {
    let Some(cell) = target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .filter(|el| el.matches("td.grid__cell").unwrap_or(false))
    else {
        return;
    };
    if let Ok(Some(table)) = cell.closest("table") {
        if let Ok(Some(old)) = table.query_selector("td.grid__cell[tabindex=\"0\"]") {
            old.set_attribute("tabindex", "-1").ok();
        }
    }
    cell.set_attribute("tabindex", "0").ok();
}

/// The feasibility grid: one row group per model, one sub-row per format, one column per GPU.
#[component]
pub fn FitGrid(
    /// The configuration (mode, thresholds, units, selection).
    config: RwSignal<GridConfig>,
    /// The evaluated grid (the rendered part of it).
    grid: Memo<Grid>,
    /// Which rows and columns are rendered (and evaluated).
    window: RwSignal<Window>,
) -> impl IntoView {
    let active = RwSignal::new(None::<Active>);
    let body = NodeRef::<leptos::html::Tbody>::new();
    let wrap = NodeRef::<leptos::html::Div>::new();
    // The DOM edge: on scroll and resize (and after the grid changed), work out which rows
    // and columns are near the viewport.
    let measure = move || {
        let (Some(body), Some(wrap), Some(win)) = (
            body.get_untracked(),
            wrap.get_untracked(),
            web_sys::window(),
        ) else {
            return;
        };
        let (rows, cols) = grid.with_untracked(|g| (g.rows.len(), g.columns.len()));
        let current = window.get_untracked();
        if let Some(next) = current.measured(rows, cols, &body, &wrap, &win) {
            window.set(next);
        }
        if config.with_untracked(|c| c.view.embed) {
            post_height(&win, &wrap);
        }
    };
    // What each row shows, by (model, format): compared with the next grid so that a control
    // change touches only the cells whose text changed. This is the DOM edge of the grid.
    let shown = StoredValue::new(FastMap::<(String, WeightFormat), Shown>::default());
    Effect::new(move |_| {
        let (mode, thresholds) = config.with(|c| (c.view.mode, c.view.thresholds));
        let Some(body) = body.get() else { return };
        let rows = body.rows();
        grid.with(|g| {
            shown.update_value(|shown| {
                for i in 0..rows.length() {
                    let Some(tr) = rows.item(i) else { continue };
                    let (Some(model), Some(format)) = (
                        tr.get_attribute("data-model"),
                        tr.get_attribute("data-format")
                            .and_then(|f| WeightFormat::parse(&f)),
                    ) else {
                        continue;
                    };
                    let key = (model, format);
                    let Some(&r) = g.row_index.get(&key) else {
                        continue;
                    };
                    // Every rendered row recorded its columns and texts when it was built.
                    // Rows and columns the window just left are about to be replaced; their
                    // cells are no longer evaluated.
                    let (rows, cols) = (g.span.rows, g.span.cols);
                    if let Some((from, prev)) = shown.get_mut(&key).filter(|(from, prev)| {
                        (rows.0..rows.1).contains(&r)
                            && *from >= cols.0
                            && *from + prev.len() <= cols.1
                    }) {
                        let next: Vec<CellText> = (*from
                            ..(*from + prev.len()).min(g.columns.len()))
                            .map(|c| g.text(r, c, mode, thresholds))
                            .collect();
                        patch_row(&tr, prev, &next);
                        *prev = next;
                    }
                }
            });
        });
        // New values can change cell sizes (another mode's texts are narrower or wider): check
        // once laid out that the window still covers the viewport. (Re-rendered rows check
        // for themselves, in `body_rows`.)
        request_animation_frame(measure);
    });
    // A row's structure is its key: position, model header span and the rendered columns. A
    // change of structure (sort, added GPU, the window moving) re-renders the rows; a change of
    // values patches them in place.
    let keys = move || {
        let w = window.get();
        grid.with(|g| {
            let (c0, c1) = w.cols(g.rows.len(), g.columns.len());
            let columns =
                crate::fingerprint(g.columns[c0..c1].iter().map(|c| &c.id).collect::<Vec<_>>());
            // Large grids render only the rows and columns near the viewport (see `Window`).
            let (start, end) = w.rows(g.rows.len(), g.columns.len());
            (start..end)
                .map(|i| {
                    let r = &g.rows[i];
                    // The first rendered row of a group carries the model header, spanning the
                    // group's rows that are rendered.
                    let first = i == start || g.rows[i - 1].model_id != r.model_id;
                    let span = if first {
                        g.rows[i..end]
                            .iter()
                            .take_while(|x| x.model_id == r.model_id)
                            .count()
                    } else {
                        0
                    };
                    RowKey {
                        model_id: r.model_id.clone(),
                        format: r.format,
                        index: i,
                        span,
                        cols: (c0, c1),
                        columns,
                        tab_stop: i == start,
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    // The rendered rows, re-rendered when their structure changes (scrolling, sorting, another
    // column set); value changes are patched in place by the effect above. A plain list keyed
    // by one fingerprint is 4.3 KB gzip smaller than a keyed `For` (docs/decisions.md#d2), and
    // with the window there are only a few dozen rows to rebuild.
    let structure = Memo::new(move |_| crate::fingerprint(keys()));
    let body_rows = move || {
        let _ = structure.get();
        // Keyboard focus belongs to a cell, not to the element that showed it: rows are rebuilt
        // in place, so once they are, put focus back on the same (row, column), without
        // scrolling to it (the user may be scrolling away).
        if let Some((el, r, c)) = focused_cell() {
            request_animation_frame(move || refocus(el, r, c));
        }
        // The new rows may be taller or shorter than the ones they replace (wrapped names,
        // other columns): check once they are laid out that they still fill the viewport.
        request_animation_frame(measure);
        untrack(keys)
            .into_iter()
            .map(|key| view! { <GridRow config=config grid=grid key=key shown=shown /> })
            .collect_view()
    };
    // Spacer sizes standing in for the rows above and below, and the columns left and right of
    // the rendered window.
    let spacer = move |side: Side| {
        let w = window.get();
        grid.with(|g| {
            let (rows, cols) = (g.rows.len(), g.columns.len());
            let (start, end) = w.rows(rows, cols);
            let (c0, c1) = w.cols(rows, cols);
            let px = match side {
                Side::Above => start as f64 * w.row_px,
                Side::Below => (rows - end) as f64 * w.row_px,
                Side::Left => c0 as f64 * w.col_px,
                Side::Right => (cols - c1) as f64 * w.col_px,
            };
            format!("{}px", planner::units::fixed(px, 0))
        })
    };
    // The rendered GPU columns.
    let col_range = move || {
        let w = window.get();
        grid.with(|g| w.cols(g.rows.len(), g.columns.len()))
    };
    let span_all = move || {
        let (c0, c1) = col_range();
        span_all(c1 - c0)
    };
    // The headers change with the rendered columns (and units), not with every value or
    // vertical scroll.
    let columns = Memo::new(move |_| {
        let range = col_range();
        let look = config.with(|c| (c.view.unit == Unit::GiB, c.workload.gpus()));
        grid.with(|g| crate::fingerprint((&g.columns, range, look)))
    });
    let _ = window_event_listener(leptos::ev::scroll, move |_| measure());
    let _ = window_event_listener(leptos::ev::resize, move |_| measure());
    // Printing shows the whole grid; the window comes back after.
    let _ = window_event_listener(leptos::ev::beforeprint, move |_| {
        window.update(|w| w.all = true)
    });
    let _ = window_event_listener(leptos::ev::afterprint, move |_| {
        window.update(|w| w.all = false)
    });
    let caption = move || config.with(GridConfig::caption);
    let unit = move || config.with(|c| c.view.unit);
    // Event delegation: one set of listeners on the table instead of five per cell.
    let cell_at =
        move |target: Option<web_sys::EventTarget>| -> Option<(web_sys::Element, Active)> {
            let el = target?
                .dyn_into::<web_sys::Element>()
                .ok()?
                .closest("td.grid__cell")
                .ok()??;
            let (r, c) = crate::grid_focus::coordinates::<usize>(&el)?;
            let rect = el.get_bounding_client_rect();
            let size = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
            let win = web_sys::window()?;
            let (vw, vh) = (size(win.inner_width())?, size(win.inner_height())?);
            let above = rect.bottom() + TIP_ROOM > vh && rect.top() > TIP_ROOM;
            let a = grid.with(|g| {
                let row = g.rows.get(r)?;
                Some(Active {
                    model_id: row.model_id.clone(),
                    format: row.format,
                    gpu_id: g.columns.get(c)?.id.clone(),
                    x: rect
                        .left()
                        .min(vw - TIP_WIDTH.min(vw - 16.0) - 8.0)
                        .max(8.0),
                    y: if above { rect.top() } else { rect.bottom() },
                    above,
                })
            })?;
            Some((el, a))
        };
    let open = move |a: Active| {
        // The tooltip would cover the detail (and, on a phone, the rows under the finger).
        active.set(None);
        config.update(|c| c.view.selected = Some((a.model_id, a.format, a.gpu_id)));
        // An embed has no room for the detail: it opens in the full page.
        if config.with_untracked(|c| c.view.embed) {
            let url = crate::url_state::full_view_link(config);
            config.update(|c| c.view.selected = None);
            leptos::prelude::window()
                .open_with_url_and_target(&url, "_blank")
                .ok();
            return;
        }
        // A cell chosen low on the screen (a phone, a long grid) brings its detail into view.
        request_animation_frame(|| {
            let detail = document().query_selector(".detail").ok().flatten();
            let vh = leptos::prelude::window()
                .inner_height()
                .ok()
                .and_then(|v| v.as_f64());
            if let (Some(el), Some(vh)) = (detail, vh) {
                if el.get_bounding_client_rect().top() > vh - 80.0 {
                    el.scroll_into_view();
                }
            }
        });
    };
    let show = move |target: Option<web_sys::EventTarget>| {
        let next = cell_at(target).map(|(_, a)| a);
        if active.with_untracked(|cur| cur != &next) {
            active.set(next);
        }
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" || ev.key() == " " {
            if let Some((_, a)) = cell_at(ev.target()) {
                ev.prevent_default();
                open(a);
            }
        } else {
            move_focus(ev);
        }
    };
    view! {
        <div class="grid-wrap" id="grid" node_ref=wrap on:mouseleave=move |_| active.set(None)
            on:scroll=move |_| measure()>
            <table class="grid" data-testid="grid" role="grid" on:keydown=keydown
                aria-rowcount=move || grid.with(|g| g.rows.len() + 1)
                aria-colcount=move || grid.with(|g| aria_colcount(g.columns.len()))
                on:click=move |ev| if let Some((_, a)) = cell_at(ev.target()) { open(a) }
                on:mouseover=move |ev| show(ev.target())
                on:focusin=move |ev| { keep_tab_stop(ev.target()); show(ev.target()) }
                on:focusout=move |_| active.set(None)>
                <caption class="grid__caption">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col" class="grid__corner">"Model"</th>
                        <th scope="col" class="grid__corner">"Weights"</th>
                        // Plain headers re-rendered in place when the columns or units change
                        // (cheaper in wasm size than a keyed list of reactive cells).
                        <th class="grid__colspacer" aria-hidden="true" style:min-width=move || spacer(Side::Left)></th>
                        {move || {
                            let _ = columns.get();
                            let unit = untrack(unit);
                            let gpus = config.with_untracked(|c| c.workload.gpus());
                            let (c0, c1) = untrack(col_range);
                            grid.with_untracked(|g| g.columns[c0..c1.min(g.columns.len())].iter().enumerate().map(|(i, col)| view! {
                                <th scope="col" class="grid__gpu" data-gpu=col.id.clone() aria-colindex=aria_col(c0 + i)>
                                    {col.title(gpus)}
                                    <span class="grid__gpu-mem">{Bytes(col.memory_bytes).display(unit)}</span>
                                </th>
                            }).collect_view())
                        }}
                        <th class="grid__colspacer" aria-hidden="true" style:min-width=move || spacer(Side::Right)></th>
                    </tr>
                </thead>
                <tbody node_ref=body>
                    <tr class="grid__spacer" aria-hidden="true">
                        <td colspan=span_all style:height=move || spacer(Side::Above)></td>
                    </tr>
                    {body_rows}
                    <tr class="grid__spacer" aria-hidden="true">
                        <td colspan=span_all style:height=move || spacer(Side::Below)></td>
                    </tr>
                </tbody>
            </table>
            <Tooltip config=config grid=grid active=active />
        </div>
    }
}

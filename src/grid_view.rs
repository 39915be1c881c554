//! The grid table. Rows are keyed by (model, format), cells by GPU id, and every cell reads its
//! own memoised slice of the grid: a control change updates attributes and text in place instead
//! of rebuilding thousands of cells. One shared tooltip shows the numbers of the hovered or
//! focused cell; arrow keys move between cells.

use leptos::prelude::*;
use planner::grid::{CellText, Mode};
use planner::{Bytes, Grid, GridConfig, Plan, Unit, WeightFormat};
use std::collections::HashMap;
use wasm_bindgen::JsCast;

/// The cell under the pointer or keyboard focus, and where to draw its tooltip.
#[derive(Clone, Debug, PartialEq)]
struct Active {
    model_id: String,
    format: WeightFormat,
    gpu_id: String,
    x: f64,
    y: f64,
}

/// The feasibility grid: one row group per model, one sub-row per format, one column per GPU.
#[component]
pub fn FitGrid(
    /// The configuration (mode, thresholds, units, selection).
    config: RwSignal<GridConfig>,
    /// The evaluated grid.
    grid: Memo<Grid>,
) -> impl IntoView {
    let active = RwSignal::new(None::<Active>);
    let body = NodeRef::<leptos::html::Tbody>::new();
    let window = RwSignal::new(Window::default());
    // What each row shows, by (model, format): compared with the next grid so that a control
    // change touches only the cells whose text changed. This is the DOM edge of the grid.
    let shown = StoredValue::new(HashMap::<(String, WeightFormat), Vec<CellText>>::new());
    Effect::new(move |_| {
        let (mode, thresholds) = config.with(|c| (c.mode, c.thresholds));
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
                    let next: Vec<CellText> = (0..g.columns.len())
                        .map(|c| g.text(r, c, mode, thresholds))
                        .collect();
                    // Every rendered row recorded its texts when it was built.
                    if let Some(prev) = shown.get_mut(&key) {
                        patch_row(&tr, prev, &next);
                        *prev = next;
                    }
                }
            });
        });
    });
    // A row's structure is its key: position, model header span and the column set. A change
    // of structure (sort, added GPU) re-creates rows; a change of values patches them in place.
    let keys = move || {
        grid.with(|g| {
            let columns = g.columns.iter().fold(0u64, |h, c| {
                c.id.bytes().fold(h.rotate_left(7) ^ 0x9e37, |h, b| {
                    h.wrapping_mul(31) ^ u64::from(b)
                })
            });
            // Large grids render only the rows near the viewport (see `Window`).
            let (start, end) = window.get().range(g.rows.len());
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
                        columns,
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    // Spacer heights standing in for the rows above and below the rendered window.
    let spacer = move |above: bool| {
        let total = grid.with(|g| g.rows.len());
        let w = window.get();
        let (start, end) = w.range(total);
        let rows = if above { start } else { total - end };
        format!("{:.0}px", rows as f64 * w.row_px)
    };
    let span_all = move || grid.with(|g| g.columns.len() + 2);
    // The DOM edge: on scroll and resize, work out which rows are near the viewport.
    let measure = move || {
        let (Some(body_el), Some(win)) = (body.get_untracked(), web_sys::window()) else {
            return;
        };
        let total = grid.with_untracked(|g| g.rows.len());
        if total <= WINDOW_FROM {
            return;
        }
        let current = window.get_untracked();
        let (start, end) = current.range(total);
        // The average height of the rendered rows (model names may wrap): the body's height
        // less the spacers, which are `row_px` per row they stand for.
        let rect = body_el.get_bounding_client_rect();
        let spacer_px = (total - (end - start)) as f64 * current.row_px;
        let row_px = if end > start {
            ((rect.height() - spacer_px) / (end - start) as f64).max(8.0)
        } else {
            current.row_px
        };
        let viewport = win
            .inner_height()
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(900.0);
        let first = (-rect.top() / row_px).max(0.0) as usize;
        let visible = (viewport / row_px).ceil() as usize + 1;
        let next = Window::around(first, visible, row_px);
        if next.start != current.start
            || next.len != current.len
            || (row_px - current.row_px).abs() > 2.0
        {
            window.set(next);
        }
    };
    let _ = window_event_listener(leptos::ev::scroll, move |_| measure());
    let _ = window_event_listener(leptos::ev::resize, move |_| measure());
    // Measure once the first rows are on screen (row heights are known only then); later
    // measurements come with scrolling and resizing.
    request_animation_frame(measure);
    let caption = move || {
        config.with(|c| match c.mode {
            Mode::Utilization => {
                "Per-GPU memory needed, as % of what the GPU really offers".to_string()
            }
            Mode::MaxContext => format!(
                "Longest context (tokens) that fits at {} concurrent sequences",
                c.concurrency
            ),
            Mode::MaxConcurrency => {
                format!("Concurrent sequences of {} tokens that fit", c.context)
            }
            Mode::Cost => format!(
                "Fewest GPUs of each type (1, 2, 4 or 8, tensor parallel) that serve {} × {} tokens, and their price per hour",
                c.concurrency, c.context
            ),
        })
    };
    let unit = move || config.with(|c| c.unit);
    // Event delegation: one set of listeners on the table instead of five per cell.
    let cell_at =
        move |target: Option<web_sys::EventTarget>| -> Option<(web_sys::Element, Active)> {
            let el = target?
                .dyn_into::<web_sys::Element>()
                .ok()?
                .closest("td.grid__cell")
                .ok()??;
            let num = |k: &str| el.get_attribute(k)?.parse::<usize>().ok();
            let (r, c) = (num("data-r")?, num("data-c")?);
            let rect = el.get_bounding_client_rect();
            let a = grid.with(|g| {
                let row = g.rows.get(r)?;
                Some(Active {
                    model_id: row.model_id.clone(),
                    format: row.format,
                    gpu_id: g.columns.get(c)?.id.clone(),
                    x: rect.left(),
                    y: rect.bottom(),
                })
            })?;
            Some((el, a))
        };
    let open =
        move |a: Active| config.update(|c| c.selected = Some((a.model_id, a.format, a.gpu_id)));
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
        <div class="grid-wrap" on:mouseleave=move |_| active.set(None)>
            <table class="grid" data-testid="grid" role="grid" on:keydown=keydown
                aria-rowcount=move || grid.with(|g| g.rows.len() + 1)
                on:click=move |ev| if let Some((_, a)) = cell_at(ev.target()) { open(a) }
                on:mouseover=move |ev| show(ev.target())
                on:focusin=move |ev| show(ev.target())
                on:focusout=move |_| active.set(None)>
                <caption class="grid__caption">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col" class="grid__corner">"Model"</th>
                        <th scope="col" class="grid__corner">"Weights"</th>
                        // Plain headers re-rendered in place when the columns or units change
                        // (cheaper in wasm size than a keyed list of reactive cells).
                        {move || {
                            let unit = unit();
                            grid.with(|g| g.columns.iter().map(|col| view! {
                                <th scope="col" class="grid__gpu" data-gpu=col.id.clone()>
                                    {col.name.clone()}
                                    <span class="grid__gpu-mem">{Bytes(col.memory_bytes).display(unit)}</span>
                                </th>
                            }).collect_view())
                        }}
                    </tr>
                </thead>
                <tbody node_ref=body>
                    <tr class="grid__spacer" aria-hidden="true">
                        <td colspan=span_all style:height=move || spacer(true)></td>
                    </tr>
                    <For each=keys key=|k| k.clone() let:key>
                        <GridRow config=config grid=grid key=key shown=shown />
                    </For>
                    <tr class="grid__spacer" aria-hidden="true">
                        <td colspan=span_all style:height=move || spacer(false)></td>
                    </tr>
                </tbody>
            </table>
            <Tooltip config=config grid=grid active=active />
        </div>
    }
}

/// Arrow keys move between cells (`data-r`/`data-c` coordinates); Home/End to row ends.
fn move_focus(ev: leptos::ev::KeyboardEvent) {
    // (Called from the table's delegated keydown.)
    let Some(cell) = crate::event_element(&ev).filter(|e| e.has_attribute("data-r")) else {
        return;
    };
    let num = |k: &str| {
        cell.get_attribute(k)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let (r, c) = (num("data-r"), num("data-c"));
    let (r, c) = match ev.key().as_str() {
        "ArrowUp" => (r - 1, c),
        "ArrowDown" => (r + 1, c),
        "ArrowLeft" => (r, c - 1),
        "ArrowRight" => (r, c + 1),
        "Home" => (r, 0),
        "End" => (r, 10_000),
        _ => return,
    };
    ev.prevent_default();
    let doc = document();
    let target = doc
        .query_selector(&format!("td[data-r=\"{r}\"][data-c=\"{c}\"]"))
        .ok()
        .flatten()
        .or_else(|| {
            let all = doc
                .query_selector_all(&format!("td[data-r=\"{r}\"]"))
                .ok()?;
            all.item(all.length().checked_sub(1)?)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        });
    if let Some(el) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// Grids with more rows than this render only a window of rows around the viewport, with
/// spacer rows for the rest: a browser needs ~0.4 s to restyle, lay out and paint a
/// 12,480-cell table after each change (issue 7 benchmark), ~30 ms for a few hundred rows.
const WINDOW_FROM: usize = 300;
/// Rows rendered above and below the visible ones (keyboard focus and fast scrolling stay
/// inside rendered rows).
const OVERSCAN: usize = 20;

/// The rendered window of a large grid: `len` rows from `start`, and the measured row height.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Window {
    start: usize,
    len: usize,
    row_px: f64,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            start: 0,
            len: 2 * OVERSCAN + 30,
            row_px: 34.0,
        }
    }
}

impl Window {
    /// The window around `visible` rows from `first`, its start rounded down to 10 rows so
    /// that small scrolls do not re-render.
    fn around(first: usize, visible: usize, row_px: f64) -> Window {
        let start = first.saturating_sub(OVERSCAN) / 10 * 10;
        Window {
            start,
            len: (first - start) + visible + OVERSCAN,
            row_px,
        }
    }

    /// Rendered row range for a grid of `total` rows (all of them for small grids).
    fn range(&self, total: usize) -> (usize, usize) {
        if total <= WINDOW_FROM {
            return (0, total);
        }
        let start = self.start.min(total.saturating_sub(self.len.min(total)));
        (start, (start + self.len).min(total))
    }
}

/// A row's identity and structure (the `For` key): what cannot change without re-creating it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct RowKey {
    model_id: String,
    format: WeightFormat,
    /// Position in the grid (`data-r`).
    index: usize,
    /// Rows of this model when this is its first row (the model header's rowspan), else 0.
    span: usize,
    /// Hash of the column ids, in order.
    columns: u64,
}

/// One model × format row, built once per [`RowKey`] from the grid of the moment. Cells are
/// plain markup: thousands of per-cell subscriptions, per-row memos or re-rendering whole rows
/// are all much slower on a full-catalogue grid (issue 7 benchmark).
#[component]
fn GridRow(
    /// The configuration.
    config: RwSignal<GridConfig>,
    /// The evaluated grid.
    grid: Memo<Grid>,
    /// The row's identity and structure.
    key: RowKey,
    /// What every rendered row shows, for the table's patching effect.
    shown: StoredValue<HashMap<(String, WeightFormat), Vec<CellText>>>,
) -> impl IntoView {
    let index = key.index;
    let cheapest = {
        let id = key.model_id.clone();
        move || {
            config
                .with(|c| (c.mode == Mode::Cost).then(|| grid.with(|g| cheapest_words(g, c, &id))))
        }
    };
    // Built from the values of the moment; later value changes are patched by the table's
    // one effect (`FitGrid`), not per row.
    let (mode, thresholds) = config.with_untracked(|c| (c.mode, c.thresholds));
    let (name, first_cells) = grid.with_untracked(|g| {
        let Some(row) = g.rows.get(index) else {
            return (String::new(), Vec::new());
        };
        let cells = g
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| (g.text(index, c, mode, thresholds), col.id.clone()))
            .collect::<Vec<_>>();
        (row.model_name.clone(), cells)
    });
    // Record what this row shows now, so the next change is patched against it.
    shown.update_value(|m| {
        m.insert(
            (key.model_id.clone(), key.format),
            first_cells.iter().map(|(t, _)| t.clone()).collect(),
        );
    });
    view! {
        <tr class="grid__row" data-model=key.model_id.clone() data-format=key.format.id()
            aria-rowindex=index + 2>
            {(key.span > 0).then(|| view! {
                <th scope="rowgroup" rowspan=key.span class="grid__model">
                    {name.clone()}
                    {move || cheapest().map(|w| view! {
                        <span class="grid__cheapest" data-testid="cheapest">{w}</span>
                    })}
                </th>
            })}
            <th scope="row" class="grid__format">{key.format.label()}</th>
            {first_cells.into_iter().enumerate().map(|(c, (text, gpu_id))| {
                cell(gpu_id, text, index, c)
            }).collect_view()}
        </tr>
    }
}

/// Updates the cells of `tr` whose text differs between `prev` (on screen) and `next`.
fn patch_row(tr: &web_sys::Element, prev: &[CellText], next: &[CellText]) {
    let tds = tr.get_elements_by_tag_name("td");
    for (c, (old, new)) in prev.iter().zip(next).enumerate() {
        if old == new {
            continue;
        }
        let Some(td) = tds.item(c as u32) else {
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

/// "Cheapest: 2 × L40S · AWQ · $1.72/h" for a model in cost mode.
fn cheapest_words(g: &Grid, config: &GridConfig, model_id: &str) -> String {
    match g.cheapest.get(model_id) {
        Some(c) => {
            // The user's own GPUs can be the cheapest too: look them up where the grid does.
            let gpu = config
                .find_gpu(&c.gpu_id, planner::catalog())
                .map_or_else(|| c.gpu_id.clone(), |g| g.name.clone());
            format!(
                "cheapest: {} × {gpu} · {} · {}",
                c.count,
                c.format.label(),
                c.per_hour
            )
        }
        None => "cheapest: no priced GPU fits".into(),
    }
}

/// The numbers behind a cell, for the tooltip.
fn describe(p: &Plan, unit: Unit) -> String {
    let b = |n: u64| Bytes(n).display(unit);
    format!(
        "{} of {} ({:.0}%). Weights {}, KV cache {}, activations {}, overhead {}. KV capacity {} tokens; {} sequences fit at this context; max context {} at this concurrency.",
        b(p.total_bytes),
        b(p.gpu_memory_bytes),
        p.utilization * 100.0,
        b(p.weights_bytes),
        b(p.kv_cache_bytes),
        b(p.activation_bytes),
        b(p.overhead_bytes),
        planner::grid::group_digits(p.kv_capacity_tokens),
        p.max_concurrency,
        planner::grid::group_digits(p.max_context),
    )
}

/// One grid cell: symbol, number and band in words (never colour alone). Plain markup: the
/// table's delegated listeners open its detail (click, Enter) and show the tooltip (hover, focus).
/// A plain function, not a component, so that Leptos' `erase_components` (which keeps the wasm
/// small) does not box the grid's thousands of cells: its text is what screen readers announce,
/// with the row and column headers; the shared tooltip adds the numbers via `aria-describedby`.
fn cell(gpu_id: String, text: CellText, row: usize, col: usize) -> impl IntoView {
    view! {
        <td class="grid__cell" data-fit=text.fit data-gpu=gpu_id data-r=row data-c=col tabindex="0"
            role="gridcell" aria-describedby="grid-tip">
            <span class="grid__symbol" aria-hidden="true">{text.symbol}</span>
            <span class="grid__pct">{text.value}</span>
            <span class="grid__band">{text.label}</span>
        </td>
    }
}

/// The one tooltip: the full numbers of the active cell, next to it.
#[component]
fn Tooltip(
    /// The configuration (units).
    config: RwSignal<GridConfig>,
    /// The evaluated grid.
    grid: Memo<Grid>,
    /// The cell under the pointer or focus.
    active: RwSignal<Option<Active>>,
) -> impl IntoView {
    let content = move || {
        let unit = config.with(|c| c.unit);
        active.with(|a| {
            let a = a.as_ref()?;
            grid.with(|g| {
                let name = g
                    .rows
                    .get(*g.row_index.get(&(a.model_id.clone(), a.format))?)?
                    .model_name
                    .clone();
                let c = *g.column_index.get(&a.gpu_id)?;
                let gpu = g.columns.get(c)?.name.clone();
                let r = *g.row_index.get(&(a.model_id.clone(), a.format))?;
                let what = match g.rows[r].counts.get(c) {
                    Some(0) => format!("{name} {} on up to 8 × {gpu}", a.format.label()),
                    Some(n) => format!("{name} {} on {n} × {gpu} (per GPU)", a.format.label()),
                    None => format!("{name} {} on {gpu}", a.format.label()),
                };
                Some(match g.cell(&a.model_id, a.format, &a.gpu_id)? {
                    Ok(p) => format!("{what}: {} — {}", p.status.label(), describe(p, unit)),
                    Err(u) => format!("{what}: {}", u.reason),
                })
            })
        })
    };
    let pos = move || active.with(|a| a.as_ref().map(|a| (a.x, a.y)).unwrap_or((0.0, 0.0)));
    view! {
        <div id="grid-tip" class="grid__tip" role="tooltip" data-testid="tooltip"
            data-open=move || content().is_some().to_string()
            style:left=move || format!("{:.0}px", pos().0)
            style:top=move || format!("{:.0}px", pos().1)>
            {move || content().unwrap_or_default()}
        </div>
    }
}

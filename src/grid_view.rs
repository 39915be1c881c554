//! The grid table. Rows are keyed by (model, format), cells by GPU id, and every cell reads its
//! own memoised slice of the grid: a control change updates attributes and text in place instead
//! of rebuilding thousands of cells. One shared tooltip shows the numbers of the hovered or
//! focused cell; arrow keys move between cells.

use leptos::prelude::*;
use planner::grid::{CellText, Mode};
use planner::{Bytes, Grid, GridConfig, Plan, Unit, WeightFormat};
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
    let keys = move || {
        grid.with(|g| {
            g.rows
                .iter()
                .map(|r| (r.model_id.clone(), r.format))
                .collect::<Vec<_>>()
        })
    };
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
                <tbody>
                    <For each=keys key=|k| k.clone() let:key>
                        <GridRow config=config grid=grid model_id=key.0 format=key.1 />
                    </For>
                </tbody>
            </table>
            <Tooltip config=config grid=grid active=active />
        </div>
    }
}

/// Arrow keys move between cells (`data-r`/`data-c` coordinates); Home/End to row ends.
fn move_focus(ev: leptos::ev::KeyboardEvent) {
    // (Called from the table's delegated keydown.)
    let Some(cell) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .filter(|e| e.has_attribute("data-r"))
    else {
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

/// What one row shows; compared so that only rows whose text changed are redrawn.
#[derive(Clone, PartialEq)]
struct RowView {
    index: usize,
    first: bool,
    span: usize,
    name: String,
    cheapest: Option<String>,
    cells: Vec<(String, CellText)>,
}

/// One model × format row. The row is a memoised slice of the grid: a control change rebuilds
/// only the rows whose cells changed, with plain (non-reactive) cells, which is much cheaper
/// than thousands of per-cell subscriptions on a full-catalogue grid.
#[component]
fn GridRow(
    /// The configuration.
    config: RwSignal<GridConfig>,
    /// The evaluated grid.
    grid: Memo<Grid>,
    /// Model id of the row (stable key).
    model_id: String,
    /// Weight format of the row.
    format: WeightFormat,
) -> impl IntoView {
    let id = model_id.clone();
    let view_row = Memo::new(move |_| {
        let (mode, thresholds) = config.with(|c| (c.mode, c.thresholds));
        grid.with(|g| {
            let index = *g.row_index.get(&(id.clone(), format))?;
            let row = &g.rows[index];
            let first = index == 0 || g.rows[index - 1].model_id != id;
            let span = if first {
                g.rows[index..]
                    .iter()
                    .take_while(|r| r.model_id == id)
                    .count()
            } else {
                0
            };
            let cells = g
                .columns
                .iter()
                .enumerate()
                .map(|(c, col)| (col.id.clone(), g.text(index, c, mode, thresholds)))
                .collect();
            let cheapest = (first && mode == Mode::Cost).then(|| cheapest_words(g, &id));
            Some(RowView {
                index,
                first,
                span,
                name: row.model_name.clone(),
                cheapest,
                cells,
            })
        })
    });
    let model = StoredValue::new(model_id.clone());
    move || {
        view_row.get().map(|r| {
            let name = r.name.clone();
            view! {
                <tr class="grid__row" data-model=model.get_value() data-format=format.id()>
                    {r.first.then(|| view! {
                        <th scope="rowgroup" rowspan=r.span class="grid__model">
                            {name.clone()}
                            {r.cheapest.clone().map(|w| view! {
                                <span class="grid__cheapest" data-testid="cheapest">{w}</span>
                            })}
                        </th>
                    })}
                    <th scope="row" class="grid__format">{format.label()}</th>
                    {r.cells.into_iter().enumerate().map(|(c, (gpu_id, text))| view! {
                        <Cell gpu_id=gpu_id text=text row=r.index col=c />
                    }).collect_view()}
                </tr>
            }
        })
    }
}

/// "Cheapest: 2 × L40S · AWQ · $1.72/h" for a model in cost mode.
fn cheapest_words(g: &Grid, model_id: &str) -> String {
    match g.cheapest.get(model_id) {
        Some(c) => {
            let gpu = planner::catalog()
                .gpu(&c.gpu_id)
                .map(|g| g.name.clone())
                .unwrap_or_else(|_| c.gpu_id.clone());
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
#[component]
fn Cell(
    /// Column key: GPU id.
    gpu_id: String,
    /// What the cell shows (its text is what screen readers announce, with the row and column
    /// headers of the table; the shared tooltip adds the numbers via `aria-describedby`).
    text: CellText,
    /// Row index (keyboard navigation, delegated events).
    row: usize,
    /// Column index.
    col: usize,
) -> impl IntoView {
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

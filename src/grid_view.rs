//! The grid table: keyed rows, cells with symbol + number + band, a focus/hover tooltip, and
//! arrow-key navigation between cells.

use leptos::prelude::*;
use planner::grid::{CellText, Mode};
use planner::plan::Thresholds;
use planner::{Bytes, Grid, GridConfig, Plan, Unit, WeightFormat};
use wasm_bindgen::JsCast;

/// The feasibility grid: one row group per model, one sub-row per format, one column per GPU.
#[component]
pub fn FitGrid(
    /// The configuration (mode, thresholds, units, selection).
    config: RwSignal<GridConfig>,
    /// The evaluated grid.
    grid: Memo<Grid>,
) -> impl IntoView {
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
        })
    };
    let unit = move || config.with(|c| c.unit);
    view! {
        <div class="grid-wrap">
            <table class="grid" data-testid="grid" role="grid" on:keydown=move_focus>
                <caption class="grid__caption">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col" class="grid__corner">"Model"</th>
                        <th scope="col" class="grid__corner">"Weights"</th>
                        <For each=move || grid.with(|g| g.columns.clone()) key=|c| c.id.clone() let:col>
                            <th scope="col" class="grid__gpu" data-gpu=col.id.clone()>
                                {col.name.clone()}
                                <span class="grid__gpu-mem">
                                    {move || Bytes(col.memory_bytes).display(unit())}
                                </span>
                            </th>
                        </For>
                    </tr>
                </thead>
                <tbody>
                    <For each=keys key=|k| k.clone() let:key>
                        <GridRow config=config grid=grid model_id=key.0 format=key.1 />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// Arrow keys move between cells (`data-r`/`data-c` coordinates); Home/End to row ends.
fn move_focus(ev: leptos::ev::KeyboardEvent) {
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
            // End: the last cell of the row.
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

/// One model × format row; re-renders only when its own cells change.
#[component]
fn GridRow(
    /// The configuration (for mode, thresholds, selection).
    config: RwSignal<GridConfig>,
    /// The evaluated grid.
    grid: Memo<Grid>,
    /// Model id of the row (stable key).
    model_id: String,
    /// Weight format of the row.
    format: WeightFormat,
) -> impl IntoView {
    let id = model_id.clone();
    // A slice of the grid: this row, its index, whether it opens its model's group.
    let row = Memo::new(move |_| {
        grid.with(|g| {
            let idx = g
                .rows
                .iter()
                .position(|r| r.model_id == id && r.format == format)?;
            let first = idx == 0 || g.rows[idx - 1].model_id != id;
            let span = g.rows.iter().filter(|r| r.model_id == id).count();
            Some((g.rows[idx].clone(), idx, first, span, g.columns.clone()))
        })
    });
    let view_opts = Memo::new(move |_| config.with(|c| (c.mode, c.thresholds, c.unit)));
    move || {
        let (mode, thresholds, unit) = view_opts.get();
        row.get().map(|(r, idx, first, span, columns)| {
            let name = r.model_name.clone();
            view! {
                <tr class="grid__row" data-model=r.model_id.clone() data-format=r.format.id()>
                    {first.then(|| view! {
                        <th scope="rowgroup" rowspan=span class="grid__model" title=r.model_id.clone()>{name.clone()}</th>
                    })}
                    <th scope="row" class="grid__format">{r.format.label()}</th>
                    {r.cells.iter().zip(columns.iter()).enumerate().map(|(c, (cell, col))| {
                        let what = format!("{} {} on {}", r.model_name, r.format.label(), col.name);
                        let select = (r.model_id.clone(), r.format, col.id.clone());
                        view! {
                            <Cell cell=cell.clone() what=what gpu=col.id.clone() row=idx col=c
                                mode=mode thresholds=thresholds unit=unit
                                on_open=Callback::new(move |_| config.update(|cfg| cfg.selected = Some(select.clone()))) />
                        }
                    }).collect_view()}
                </tr>
            }
        })
    }
}

/// The numbers behind a cell, for its tooltip and screen readers.
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

/// One grid cell: symbol, number and band in words, never colour alone; click or Enter opens
/// its detail.
#[component]
fn Cell(
    /// The plan, or why there is none.
    cell: Result<Plan, planner::Unsupported>,
    /// "model format on GPU", for the tooltip.
    what: String,
    /// GPU id of the column.
    gpu: String,
    /// Row index (keyboard navigation).
    row: usize,
    /// Column index (keyboard navigation).
    col: usize,
    /// What the cell shows.
    mode: Mode,
    /// Band thresholds.
    thresholds: Thresholds,
    /// Units for the tooltip.
    unit: Unit,
    /// Opens the detail.
    on_open: Callback<()>,
) -> impl IntoView {
    let text = CellText::of(&cell, mode, thresholds);
    let tip = match &cell {
        Ok(p) => format!("{what}: {} — {}", text.label, describe(p, unit)),
        Err(u) => format!("{what}: {}", u.reason),
    };
    let label = tip.clone();
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" || ev.key() == " " {
            ev.prevent_default();
            on_open.run(());
        }
    };
    view! {
        <td class="grid__cell" data-fit=text.fit data-gpu=gpu data-r=row data-c=col tabindex="0"
            role="gridcell" aria-label=label on:click=move |_| on_open.run(()) on:keydown=keydown>
            <span class="grid__symbol" aria-hidden="true">{text.symbol}</span>
            <span class="grid__pct">{text.value.clone()}</span>
            <span class="grid__band">{text.label}</span>
            <span class="grid__tip" role="tooltip">{tip}</span>
        </td>
    }
}

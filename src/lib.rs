//! Fitgrid's web front-end: renders the planner's grid and keeps the configuration in the URL.
//!
//! One `RwSignal<GridConfig>` holds the state, one `Memo<Grid>` evaluates it, and the views
//! only render. Effects exist only at the edges (the URL).

use leptos::prelude::*;
use planner::share::{field_name, Ignored};
use planner::{catalog, evaluate, Band, Engine, Grid, GridConfig, KvDtype, Plan, Unit};

mod picker;
mod url_state;

/// Shows an error banner instead of a blank page if anything ever panics.
pub fn install_panic_banner() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let (Ok(el), Some(body)) = (doc.create_element("div"), doc.body()) {
            el.set_id("panic-banner");
            el.set_class_name("banner banner--error");
            el.set_attribute("role", "alert").ok();
            el.set_text_content(Some(
                "Fitgrid hit an internal error and stopped. Reload the page; your link still holds your settings.",
            ));
            body.prepend_with_node_1(&el).ok();
        }
    }));
}

/// The whole page: header, notices, controls, grid and legend.
#[component]
pub fn App() -> impl IntoView {
    let (initial, ignored) = GridConfig::from_query(&url_state::initial_query(), catalog());
    let config = RwSignal::new(initial);
    // The grid is read by every row and cell, so it is a Memo: evaluated once per change.
    let grid = Memo::new(move |_| config.with(|c| evaluate(c, catalog())));
    url_state::sync_config_to_url(config);
    view! {
        <header class="header">
            <h1 class="header__title">"Fitgrid"</h1>
            <p class="header__tagline">
                "Will this model fit on that GPU? Per-GPU memory under each engine's own rules."
            </p>
        </header>
        <Notices initial=ignored />
        <main class="main">
            <Controls config=config />
            <picker::GridContents config=config />
            <FitGrid grid=grid />
            <Legend />
        </main>
    }
}

/// Dismissible notices for link parameters that could not be used.
#[component]
fn Notices(
    /// The parameters the URL decoder ignored.
    initial: Vec<Ignored>,
) -> impl IntoView {
    let items = RwSignal::new(initial.into_iter().enumerate().collect::<Vec<_>>());
    view! {
        <ul class="notices" aria-live="polite">
            <For each=move || items.get() key=|(i, _)| *i let:item>
                {
                    let (id, ignored) = item;
                    let dismiss = move |_| items.update(|v| v.retain(|(i, _)| *i != id));
                    view! {
                        <li class="notice" data-testid="notice" data-field=ignored.field.clone()>
                            <span class="notice__text">
                                "Link parameter " <code>{ignored.field.clone()}</code> " ("
                                {field_name(&ignored.field)} ") = “" {ignored.value.clone()} "”: "
                                {ignored.reason.clone()}
                            </span>
                            <button class="notice__close" aria-label="Dismiss" on:click=dismiss>
                                "×"
                            </button>
                        </li>
                    }
                }
            </For>
        </ul>
    }
}

/// Workload controls: context, concurrency, KV-cache dtype, engine.
#[component]
fn Controls(
    /// The configuration the controls edit.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    let number = move |ev: leptos::ev::Event, max: u64, set: fn(&mut GridConfig, u64)| {
        if let Ok(n) = event_target_value(&ev).trim().parse::<u64>() {
            if (1..=max).contains(&n) {
                config.update(|c| set(c, n));
            }
        }
    };
    view! {
        <form class="controls" on:submit=|ev| ev.prevent_default()>
            <label class="controls__field">
                <span>"Context (tokens)"</span>
                <input type="number" name="ctx" min="1" step="1" inputmode="numeric"
                    prop:value=move || config.with(|c| c.context.to_string())
                    on:input=move |ev| number(ev, planner::share::MAX_CONTEXT, |c, n| c.context = n) />
            </label>
            <label class="controls__field">
                <span>"Concurrent sequences"</span>
                <input type="number" name="n" min="1" step="1" inputmode="numeric"
                    prop:value=move || config.with(|c| c.concurrency.to_string())
                    on:input=move |ev| number(ev, planner::share::MAX_CONCURRENCY, |c, n| c.concurrency = n) />
            </label>
            <label class="controls__field">
                <span>"KV cache"</span>
                <select name="kv"
                    prop:value=move || config.with(|c| c.kv_dtype.id())
                    on:change=move |ev| if let Some(k) = KvDtype::parse(&event_target_value(&ev)) {
                        config.update(|c| c.kv_dtype = k)
                    }>
                    {planner::kv_cache::ALL_KV_DTYPES.iter().map(|k| view! {
                        <option value=k.id()>{k.id()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="controls__field">
                <span>"GPUs per model (TP)"</span>
                <select name="tp"
                    prop:value=move || config.with(|c| c.tensor_parallel.to_string())
                    on:change=move |ev| number(ev, 1024, |c, n| c.tensor_parallel = n)>
                    {[1u64, 2, 4, 8].iter().map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <label class="controls__field">
                <span>"vLLM memory utilization %"</span>
                <input type="number" name="util" min="10" max="100" step="1" inputmode="numeric"
                    prop:value=move || config.with(|c| c.gpu_util_pct.to_string())
                    on:input=move |ev| number(ev, 100, |c, n| if n >= 10 { c.gpu_util_pct = n }) />
            </label>
            <label class="controls__field">
                <span>"Engine"</span>
                <select name="e"
                    prop:value=move || config.with(|c| c.engine.id())
                    on:change=move |ev| if let Some(e) = Engine::parse(&event_target_value(&ev)) {
                        config.update(|c| c.engine = e)
                    }>
                    {planner::engine::ALL_ENGINES.iter().map(|e| view! {
                        <option value=e.id()>{e.label()}</option>
                    }).collect_view()}
                </select>
            </label>
        </form>
    }
}

/// The feasibility grid: one row group per model, one sub-row per format, one column per GPU.
#[component]
fn FitGrid(
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
    view! {
        <div class="grid-wrap">
            <table class="grid" data-testid="grid">
                <caption class="grid__caption">
                    "Per-GPU memory needed as % of what the GPU really offers"
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"Model"</th>
                        <th scope="col">"Weights"</th>
                        <For each=move || grid.with(|g| g.columns.clone()) key=|c| c.id.clone() let:col>
                            <th scope="col" class="grid__gpu" data-gpu=col.id.clone()>
                                {col.name.clone()}
                                <span class="grid__gpu-mem">
                                    {planner::Bytes(col.memory_bytes).display(Unit::GiB)}
                                </span>
                            </th>
                        </For>
                    </tr>
                </thead>
                <tbody>
                    <For each=keys key=|k| k.clone() let:key>
                        <GridRow grid=grid model_id=key.0 format=key.1 />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// One model × format row; re-renders only when its own cells change.
#[component]
fn GridRow(
    /// The evaluated grid.
    grid: Memo<Grid>,
    /// Model id of the row (stable key).
    model_id: String,
    /// Weight format of the row.
    format: planner::WeightFormat,
) -> impl IntoView {
    let id = model_id.clone();
    // A slice of the grid: this row's cells and whether it opens its model's group.
    let row = Memo::new(move |_| {
        grid.with(|g| {
            let idx = g
                .rows
                .iter()
                .position(|r| r.model_id == id && r.format == format)?;
            let first = idx == 0 || g.rows[idx - 1].model_id != id;
            let span = g.rows.iter().filter(|r| r.model_id == id).count();
            Some((g.rows[idx].clone(), first, span, g.columns.clone()))
        })
    });
    move || {
        row.get().map(|(r, first, span, columns)| {
            let name = r.model_name.clone();
            view! {
                <tr class="grid__row" data-model=r.model_id.clone() data-format=r.format.id()>
                    {first.then(|| view! {
                        <th scope="rowgroup" rowspan=span class="grid__model">{name.clone()}</th>
                    })}
                    <th scope="row" class="grid__format">{r.format.label()}</th>
                    {r.cells.iter().zip(columns.iter()).map(|(cell, col)| {
                        let what = format!("{} {} on {}", r.model_name, r.format.label(), col.name);
                        view! { <Cell cell=cell.clone() what=what gpu=col.id.clone() /> }
                    }).collect_view()}
                </tr>
            }
        })
    }
}

/// One grid cell: symbol, percentage and band, never colour alone.
#[component]
fn Cell(
    /// The plan, or why there is none.
    cell: Result<Plan, planner::Unsupported>,
    /// "model format on GPU", for the tooltip.
    what: String,
    /// GPU id of the column.
    gpu: String,
) -> impl IntoView {
    match cell {
        Ok(p) => {
            let pct = format!("{:.0}%", p.utilization * 100.0);
            let title = format!(
                "{what}: {} of {} ({pct}), {}. Weights {}, KV cache {}, activations {}, overhead {}. KV capacity {} tokens; max {} sequences at this context.",
                planner::Bytes(p.total_bytes),
                planner::Bytes(p.gpu_memory_bytes),
                p.status.label(),
                planner::Bytes(p.weights_bytes),
                planner::Bytes(p.kv_cache_bytes),
                planner::Bytes(p.activation_bytes),
                planner::Bytes(p.overhead_bytes),
                p.kv_capacity_tokens,
                p.max_concurrency,
            );
            view! {
                <td class="grid__cell" data-fit=p.status.as_str() data-gpu=gpu title=title.clone()
                    aria-label=title>
                    <span class="grid__symbol" aria-hidden="true">{p.status.symbol()}</span>
                    <span class="grid__pct">{pct}</span>
                    <span class="grid__band">{p.status.label()}</span>
                </td>
            }
            .into_any()
        }
        Err(u) => view! {
            <td class="grid__cell" data-fit="unsupported" data-gpu=gpu title=u.reason.clone()>
                <span class="grid__symbol" aria-hidden="true">"—"</span>
                <span class="grid__band">"unsupported"</span>
            </td>
        }
        .into_any(),
    }
}

/// The band legend with thresholds.
#[component]
fn Legend() -> impl IntoView {
    let bands = [
        (Band::Safe, "< 60 %"),
        (Band::Caution, "60–75 %"),
        (Band::Warning, "75–90 %"),
        (Band::Critical, "90–100 %"),
        (Band::DoesNotFit, "> 100 % or over the engine budget"),
    ];
    view! {
        <ul class="legend" aria-label="Legend">
            {bands.into_iter().map(|(b, range)| view! {
                <li class="legend__item" data-fit=b.as_str()>
                    <span class="grid__symbol" aria-hidden="true">{b.symbol()}</span>
                    {b.label()} " " <span class="legend__range">{range}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

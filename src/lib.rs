//! Fitgrid's web front-end: renders the planner's grid and keeps the configuration in the URL.
//!
//! One `RwSignal<GridConfig>` holds the state, one `Memo<Grid>` evaluates it (the part of a
//! large grid that is rendered), and the views only render. Effects exist only at the edges (the URL).

use knobs::{EngineKnobs, NumberField};
use leptos::prelude::*;
use planner::grid::evaluate_part;
use planner::plan::ranges::Field;
use planner::share::Ignored;
use planner::{catalog, Engine, GridConfig, KvDtype};
use wasm_bindgen::JsCast;

mod byo;
mod charts;
mod colo;
mod detail;
mod fetch_model;
mod find;
mod grid_focus;
mod grid_row;
mod grid_tooltip;
mod grid_view;
mod grid_window;
mod hub;
mod knobs;
mod picker;
mod png;
mod prices;
mod toolbar;
mod url_state;

/// The element an event fired on: what the delegated listeners (one per list instead of one
/// per item) look at.
pub(crate) fn event_element(ev: &web_sys::Event) -> Option<web_sys::Element> {
    ev.target()?.dyn_into().ok()
}

/// A fingerprint of part of the state. A view that reads `Memo::new(… fingerprint(part))`
/// instead of the whole configuration re-renders when that part changes, not on every
/// keystroke elsewhere. (Read it with `get`: `track` alone never runs a memo, so it never
/// subscribes to anything.) One `Memo<u64>` type for all of them keeps the wasm small (a memo of
/// each part's own type costs ~0.7 KB gzip apiece, docs/decisions.md#d1).
pub(crate) fn fingerprint(part: impl std::hash::Hash) -> u64 {
    planner::hash_of(part)
}

/// Removes `index.html`'s loading message (with its "could not start" help) once the app runs.
pub fn remove_boot_message() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        el.remove();
    }
}

/// Shows an error banner instead of a blank page if anything ever panics.
pub fn install_panic_banner() {
    std::panic::set_hook(Box::new(|info| {
        // The message and where it happened, for a bug report (the banner says what to do).
        web_sys::console::error_1(&info.to_string().into());
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
    // The grid is read by every row and cell, so it is a Memo: evaluated once per change of
    // what is planned. View settings (theme, units, the selected cell, modes other than cost)
    // leave the fingerprint unchanged, so they re-plan nothing.
    let computed = Memo::new(move |_| config.with(GridConfig::compute_fingerprint));
    // Only the rows and columns a large grid renders are planned (the exports plan the whole
    // grid when asked); the window moves as the grid scrolls.
    let window = RwSignal::new(grid_window::Window::default());
    let grid = Memo::new(move |_| {
        let _ = computed.get();
        let w = window.get();
        config.with_untracked(|c| {
            evaluate_part(c, catalog(), &|rows, cols| planner::grid::Span {
                rows: w.rows(rows, cols),
                cols: w.cols(rows, cols),
            })
        })
    });
    url_state::sync_config_to_url(config);
    let theme = move || config.with(|c| c.view.theme.id());
    let embed = move || config.with(|c| c.view.embed);
    let scenario = move || config.with(GridConfig::scenario_line);
    // The settings start open where there is room for them next to the grid; on a phone the
    // scenario line stands for them, so the grid is on the first screen.
    let wide = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w > 640.0);
    view! {
        <div class="app" data-theme=theme data-embed=move || embed().to_string()>
            <a class="skip-link" href="#grid" on:click=skip_to_grid>"Skip to the grid"</a>
            <header class="header">
                <h1 class="header__title">"Fitgrid"</h1>
                <p class="header__tagline">
                    "Will this model fit on that GPU? Per-GPU memory under each engine's own rules."
                </p>
            </header>
            <Notices initial=ignored />
            <Show when=move || grid.with(|g| g.left_out_models > 0)>
                <p class="notice notice--cap" role="status" data-testid="cell-cap">
                    {move || grid.with(|g| format!(
                        "{} models are left off the grid: Fitgrid shows at most {} cells at once. Choose fewer models, GPUs or formats to see them.",
                        g.left_out_models,
                        planner::grid::group_digits(planner::grid::MAX_CELLS as u64)
                    ))}
                </p>
            </Show>
            // Esc closes the cell detail, from the grid (focus stays on the cell) or from inside it.
            <main class="main" on:keydown=move |ev| if ev.key() == "Escape" && config.with_untracked(|c| c.view.selected.is_some()) {
                config.update(|c| c.view.selected = None)
            }>
                // In an embed the summary is only the scenario line: it cannot be opened (CSS).
                <details class="setup" open=wide && !embed()>
                    <summary class="setup__summary">
                        <span class="scenario" data-testid="scenario">{scenario}</span>
                        <span class="setup__toggle" aria-hidden="true"></span>
                    </summary>
                    <Controls config=config />
                    <picker::GridContents config=config />
                    <byo::BringYourOwn config=config />
                    <colo::Colocate config=config />
                </details>
                <Show when=move || !embed()>
                    // Outside the settings, so that it is there on a phone, where they start closed.
                    <find::Find config=config />
                    <toolbar::Toolbar config=config grid=grid />
                    <Show when=move || config.with(|c| c.view.mode == planner::grid::Mode::Cost)>
                        <prices::PriceList config=config />
                    </Show>
                </Show>
                <grid_view::FitGrid config=config grid=grid window=window />
                <toolbar::Legend config=config />
                <detail::CellDetail config=config />
                <Show when=embed>
                    <p class="embed-footer">
                        <a href=move || url_state::full_view_link(config) target="_blank" rel="noopener">
                            "Open in Fitgrid"
                        </a>
                    </p>
                </Show>
            </main>
        </div>
    }
    .into_any()
}

/// The skip link: keyboard focus to the grid's first cell (arrow keys move on from there)
/// without tabbing through every control.
fn skip_to_grid(ev: web_sys::MouseEvent) {
    let cell = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("#grid td.grid__cell").ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(cell) = cell {
        ev.prevent_default();
        cell.focus().ok();
    }
}

/// Dismissible notices for link parameters that could not be used (plain items, one delegated
/// click listener for the dismiss buttons).
#[component]
fn Notices(
    /// The parameters the URL decoder ignored.
    initial: Vec<Ignored>,
) -> impl IntoView {
    let items = RwSignal::new(initial.into_iter().enumerate().collect::<Vec<_>>());
    let dismiss = move |ev: web_sys::MouseEvent| {
        let id = event_element(&ev)
            .and_then(|el| el.get_attribute("data-dismiss"))
            .and_then(|v| v.parse::<usize>().ok());
        if let Some(id) = id {
            items.update(|v| v.retain(|(i, _)| *i != id));
        }
    };
    let list = move || {
        items.with(|v| {
            v.iter()
                .map(|(id, ignored)| {
                    view! {
                        <li class="notice" data-testid="notice" data-field=ignored.field.clone()>
                            <span class="notice__text">{ignored.to_string()}</span>
                            <button class="notice__close" aria-label="Dismiss" data-dismiss=id.to_string()>
                                "×"
                            </button>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let many = move || items.with(|v| v.len() > 1);
    view! {
        <ul class="notices" aria-live="polite" on:click=dismiss>{list}</ul>
        <Show when=many>
            <button type="button" class="button notices__all" name="dismiss-all"
                on:click=move |_| items.set(Vec::new())>"Dismiss all notices"</button>
        </Show>
    }
    .into_any()
}

/// Workload controls: context, concurrency, KV-cache dtype, TP, engine and its own knobs.
#[component]
fn Controls(
    /// The configuration the controls edit.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    // A TP from a link that is not one of the usual choices is still shown, as chosen.
    let tp = Memo::new(move |_| config.with(|c| c.workload.tensor_parallel));
    let engine = Memo::new(move |_| config.with(|c| c.workload.engine));
    view! {
        <form class="controls" on:submit=|ev| ev.prevent_default()>
            <NumberField config name="ctx" label="Context (tokens)" field=Field::Context
                get=|c| Some(c.workload.context) set=|c, n| if let Some(n) = n { c.workload.context = n } />
            <NumberField config name="n" label="Concurrent sequences" field=Field::Concurrency
                get=|c| Some(c.workload.concurrency) set=|c, n| if let Some(n) = n { c.workload.concurrency = n } />
            <label class="controls__field">
                <span>"Engine"</span>
                <select name="e"
                    prop:value=move || config.with(|c| c.workload.engine.id())
                    on:change=move |ev| if let Some(e) = Engine::parse(&event_target_value(&ev)) {
                        config.update(|c| c.set_engine(e))
                    }>
                    {planner::engines::ALL_ENGINES.iter().map(|e| view! {
                        <option value=e.id()>{e.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="controls__field">
                <span>"KV cache"</span>
                // Types the engine does not offer stay listed (a link may ask for one) but say so.
                <select name="kv"
                    prop:value=move || config.with(|c| c.workload.kv_dtype.id())
                    on:change=move |ev| if let Some(k) = KvDtype::parse(&event_target_value(&ev)) {
                        config.update(|c| c.workload.kv_dtype = k)
                    }>
                    {move || planner::model::kv_cache::ALL_KV_DTYPES.iter().map(|&k| {
                        let offered = planner::engines::support::offers_kv(engine.get(), k);
                        view! {
                            <option value=k.id()>{k.id()}{(!offered).then_some(" — not offered by this engine")}</option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <label class="controls__field">
                <span>"GPUs per model (TP)"</span>
                // The cost mode chooses the count per GPU itself (the scenario line says so).
                <select name="tp" disabled=move || config.with(|c| c.view.mode == planner::grid::Mode::Cost)
                    title=move || config.with(|c| (c.view.mode == planner::grid::Mode::Cost).then_some("the cost mode picks the fewest GPUs that fit"))
                    prop:value=move || config.with(|c| c.workload.tensor_parallel.to_string())
                    on:change=move |ev| if let Ok(n) = Field::TensorParallel.parse(&event_target_value(&ev)) {
                        config.update(|c| c.workload.tensor_parallel = n)
                    }>
                    {move || planner::plan::ranges::tp_choices(tp.get()).into_iter().map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <EngineKnobs config />
        </form>
    }
    .into_any()
}

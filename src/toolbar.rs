//! View settings (mode, sort, units, theme), sharing (link, embed code) and exports, and the
//! legend with editable band thresholds.

use crate::url_state;
use leptos::prelude::*;
use planner::grid::export::{to_csv, to_markdown};
use planner::grid::image::to_svg;
use planner::grid::{Mode, Sort, Theme};
use planner::plan::{Band, SpeedBand, Thresholds};
use planner::{Grid, GridConfig, Unit};

/// A `data:` URL for a download link.
fn data_url(mime: &str, text: &str) -> String {
    format!(
        "data:{mime};charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(text))
    )
}

/// Points the clicked download link at `url` (its click handler runs before the browser follows
/// the link).
fn set_href(ev: &web_sys::MouseEvent, url: String) {
    use wasm_bindgen::JsCast;
    if let Some(a) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    {
        a.set_attribute("href", &url).ok();
    }
}

/// Mode, sort, units and theme switches; copy link / embed code; CSV, Markdown, SVG and PNG
/// downloads.
#[component]
pub fn Toolbar(
    /// The configuration the switches edit.
    config: RwSignal<GridConfig>,
    /// The evaluated grid (its size, for the embed code).
    grid: Memo<Grid>,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let copy =
        move |what: &'static str, text: String| url_state::copy_and_report(what, text, status);
    // 0: CSV, 1: Markdown, 2: SVG image.
    let export = move |kind: u8| {
        let link = url_state::full_view_link(config);
        // Every cell: the page's grid holds only the rendered part of a large one.
        config.with_untracked(|c| {
            let g = &planner::evaluate(c, planner::catalog());
            match kind {
                0 => data_url("text/csv", &to_csv(g, c, &link)),
                1 => data_url("text/markdown", &to_markdown(g, c, &link)),
                _ => data_url("image/svg+xml", &to_svg(g, c, &link)),
            }
        })
    };
    view! {
        <div class="toolbar" role="toolbar" aria-label="View, share and export">
            <label class="toolbar__field">"Show "
                <select name="mode" prop:value=move || config.with(|c| c.view.mode.id())
                    on:change=move |ev| if let Some(m) = Mode::parse(&event_target_value(&ev)) { config.update(|c| c.view.mode = m) }>
                    {planner::grid::ALL_MODES.into_iter().map(|m| view! {
                        <option value=m.id()>{m.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="toolbar__field">"Sort "
                <select name="sort" prop:value=move || config.with(|c| c.view.sort.id())
                    on:change=move |ev| if let Some(s) = Sort::parse(&event_target_value(&ev)) { config.update(|c| c.view.sort = s) }>
                    <option value="chosen">"as chosen"</option>
                    <option value="size">"by size"</option>
                    <option value="fit">"by fit"</option>
                </select>
            </label>
            <button type="button" class="button" name="units"
                aria-label=move || format!("Units: {}; switch", config.with(|c| c.view.unit.symbol()))
                on:click=move |_| config.update(|c| c.view.unit = if c.view.unit == Unit::GiB { Unit::GB } else { Unit::GiB })>
                {move || config.with(|c| if c.view.unit == Unit::GiB { "GiB (2³⁰)" } else { "GB (10⁹)" })}
            </button>
            <button type="button" class="button" name="theme"
                on:click=move |_| config.update(|c| c.view.theme = match c.view.theme { Theme::Auto => Theme::Dark, Theme::Dark => Theme::Light, Theme::Light => Theme::Auto })>
                {move || config.with(|c| match c.view.theme { Theme::Auto => "Theme: auto", Theme::Dark => "Theme: dark", Theme::Light => "Theme: light" })}
            </button>
            <button type="button" class="button" name="copy-link"
                on:click=move |_| copy("Link", url_state::share_link(config))>"Copy link"</button>
            <button type="button" class="button" name="copy-embed"
                on:click=move |_| copy("Embed code", grid.with_untracked(|g| url_state::embed_snippet(config, g, false)))>"Copy embed code"</button>
            <button type="button" class="button" name="copy-embed-auto" title="For pages that allow scripts: the frame follows the grid's height"
                on:click=move |_| copy("Self-resizing embed code", grid.with_untracked(|g| url_state::embed_snippet(config, g, true)))>"Copy auto-height embed"</button>
            // The file is written when the link is clicked (before the browser follows it), not
            // on every change: a full-catalogue export is ~0.5 MB of text.
            <a class="button" download="fitgrid.csv" href="data:text/csv," on:click=move |ev| set_href(&ev, export(0))>"CSV"</a>
            <a class="button" download="fitgrid.md" href="data:text/markdown," on:click=move |ev| set_href(&ev, export(1))>"Markdown"</a>
            <a class="button" download="fitgrid.svg" href="data:image/svg+xml," on:click=move |ev| set_href(&ev, export(2))>"SVG image"</a>
            <button type="button" class="button" name="png" on:click=move |_| crate::png::download(export(2))>"PNG image"</button>
            <span class="toolbar__status" role="status" aria-live="polite">{move || status.get()}</span>
        </div>
    }
    .into_any()
}

/// The band legend; the three thresholds are editable and kept in the URL.
#[component]
pub fn Legend(
    /// The configuration holding the thresholds.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    let t = move || config.with(|c| c.view.thresholds);
    // 0–2: the memory bands, 3: the speed target. A value that is refused is said next to the
    // field (the browser's validity bubble) and the field goes back to the value in effect.
    let set = move |which: usize, ev: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&ev);
        let v = input.value().trim().parse::<u64>().ok();
        let t = config.with_untracked(|c| c.view.thresholds);
        let next = v
            .and_then(|v| match which {
                0 => Thresholds::new(v, t.warning, t.critical),
                1 => Thresholds::new(t.caution, v, t.critical),
                2 => Thresholds::new(t.caution, t.warning, v),
                _ => Some(t),
            })
            .and_then(|n| n.with_speed(if which == 3 { v.unwrap_or(0) } else { t.speed }));
        match next {
            Some(n) => {
                input.set_custom_validity("");
                config.update(|c| c.view.thresholds = n);
            }
            None => {
                input.set_value(&[t.caution, t.warning, t.critical, t.speed][which].to_string());
                input.set_custom_validity(&format!(
                    "not taken: {}",
                    planner::plan::band::THRESHOLD_RULE
                ));
                input.report_validity();
            }
        }
    };
    let input = move |which: usize, name: &'static str| {
        view! {
            <input type="number" class="legend__input" name=name min="1" max="99" step="1"
                aria-label=format!("{name} threshold, percent")
                prop:value=move || { let t = t(); [t.caution, t.warning, t.critical][which].to_string() }
                on:change=move |ev| set(which, ev) />
        }
    };
    // One static list: the stylesheet shows the memory bands or the speed target by mode
    // (`data-mode`), and the offload band with llama.cpp (`data-llama`).
    view! {
        <ul class="legend" aria-label="Legend"
            data-mode=move || config.with(|c| c.view.mode.id())
            data-llama=move || config.with(|c| (c.workload.engine == planner::Engine::LlamaCpp).to_string())>
            <li class="legend__item" data-fit=Band::Safe.as_str() data-for="memory">
                <span class="grid__symbol" aria-hidden="true">{Band::Safe.symbol()}</span>"safe < " {move || t().caution} " %"
            </li>
            <li class="legend__item" data-fit=Band::Caution.as_str() data-for="memory">
                <span class="grid__symbol" aria-hidden="true">{Band::Caution.symbol()}</span>"caution ≥ " {input(0, "caution")} " %"
            </li>
            <li class="legend__item" data-fit=Band::Warning.as_str() data-for="memory">
                <span class="grid__symbol" aria-hidden="true">{Band::Warning.symbol()}</span>"warning ≥ " {input(1, "warning")} " %"
            </li>
            <li class="legend__item" data-fit=Band::Critical.as_str() data-for="memory">
                <span class="grid__symbol" aria-hidden="true">{Band::Critical.symbol()}</span>"critical ≥ " {input(2, "critical")} " %"
            </li>
            <li class="legend__item" data-fit=SpeedBand::Fast.as_str() data-for="speed">
                <span class="grid__symbol" aria-hidden="true">{SpeedBand::Fast.symbol()}</span>"fast enough ≥ "
                <input type="number" class="legend__input" name="tps" min="1" max="100000" step="1"
                    aria-label="speed target, decode tokens/s per user"
                    prop:value=move || t().speed.to_string()
                    on:change=move |ev| set(3, ev) />
                " tokens/s per user"
            </li>
            <li class="legend__item" data-fit=SpeedBand::Slow.as_str() data-for="speed">
                <span class="grid__symbol" aria-hidden="true">"▽"</span>"too slow · ? no speed figure"
            </li>
            <li class="legend__item" data-fit=Band::Offload.as_str() data-for="llama">
                <span class="grid__symbol" aria-hidden="true">{Band::Offload.symbol()}</span>"offload: fits with layers in system RAM"
            </li>
            <li class="legend__item" data-fit=Band::DoesNotFit.as_str()>
                <span class="grid__symbol" aria-hidden="true">{Band::DoesNotFit.symbol()}</span>"does not fit (the cell says why)"
            </li>
            <li class="legend__item" data-fit="unsupported">
                <span class="grid__symbol" aria-hidden="true">{planner::grid::cell::UNSUPPORTED_SYMBOL}</span>"the engine cannot run it (the detail says why)"
            </li>
        </ul>
    }
    .into_any()
}

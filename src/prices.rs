//! The price list for the cost mode: $/GPU-hour per shown GPU, with the catalogue's provider,
//! date and source page, editable (edits live in the URL and override the catalogue).
//!
//! Rows are plain markup rendered from the configuration, with one delegated listener on the
//! table (the wasm stays within its size budget; per-row components cost ~5 KB gzip).

use leptos::prelude::*;
use planner::catalog::price::UsdPerHour;
use planner::{catalog, GridConfig};

/// One GPU's row, from the configuration's current price.
fn price_row(c: &GridConfig, gpu_id: &str, name: &str, invalid: bool) -> impl IntoView {
    let info = c.price_info(gpu_id, catalog());
    let (edited, note) = (info.edited, info.note);
    let price = info.per_hour;
    let source = info
        .provider
        .zip(info.source)
        .map(|(provider, url)| (url, provider, info.offering));
    // "your price" is followed by the reset button.
    let note = if edited { "your price " } else { note };
    view! {
        <tr class="prices__row" data-gpu=gpu_id.to_string() data-edited=edited.to_string()>
            <th scope="row">{name.to_string()}</th>
            <td>
                <input type="text" inputmode="decimal" class="prices__input" name="price" data-gpu=gpu_id.to_string()
                    aria-label=format!("{name} price in dollars per GPU-hour") aria-invalid=invalid.to_string()
                    placeholder="no price" prop:value=price.map(|p| p.dollars()).unwrap_or_default() />
                {invalid.then(|| view! { <span class="prices__error" role="alert">"a dollar amount, e.g. 2.49"</span> })}
            </td>
            <td class="prices__source">
                {note}
                {edited.then(|| view! {
                    <button type="button" class="button button--small" name="price-reset" data-gpu=gpu_id.to_string()>"reset"</button>
                })}
                {source.map(|(url, provider, rest)| view! {
                    <a href=url target="_blank" rel="noopener noreferrer">{provider}</a>{rest}
                })}
            </td>
        </tr>
    }
}

/// One editable price per GPU column (shown in cost mode).
#[component]
pub fn PriceList(
    /// The configuration holding the user's prices.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    // The GPU whose last typed price was not a dollar amount (its message shows until fixed).
    let invalid = RwSignal::new(None::<String>);
    // The rows re-render when the shown GPUs change and when a price is committed (change,
    // reset), not on every keystroke: a typed price reprices the grid as it is typed, and the
    // field keeps its focus.
    let shown = Memo::new(move |_| config.with(|c| crate::fingerprint(&c.gpus)));
    let committed = RwSignal::new(0u32);
    let rows = move || {
        let bad = invalid.get();
        let _ = (shown.get(), committed.get());
        config.with_untracked(|c| {
            c.gpus
                .iter()
                .filter_map(|id| c.find_gpu(id, catalog()))
                .map(|g| price_row(c, &g.id, &g.name, bad.as_deref() == Some(g.id.as_str())))
                .collect_view()
        })
    };
    let target = |ev: &web_sys::Event| {
        let el = crate::event_element(ev)?;
        Some((el.get_attribute("data-gpu")?, el))
    };
    // `input`: a dollar amount applies at once; `change` (Enter, leaving the field) also says
    // when the text is not one, and shows the row as edited.
    let apply = move |ev: web_sys::Event| {
        let Some((gpu, _)) = target(&ev) else { return };
        let text = event_target_value(&ev);
        let parsed = UsdPerHour::parse_dollars(&text);
        let commit = ev.type_() == "change";
        if commit {
            committed.update(|n| *n += 1);
        }
        if parsed.is_none() && !text.trim().is_empty() {
            if commit {
                invalid.set(Some(gpu));
            }
            return;
        }
        if commit {
            invalid.set(None);
        }
        // Empty: back to the catalogue's price.
        config.update(|c| {
            c.prices.retain(|(g, _)| *g != gpu);
            if let Some(p) = parsed {
                c.prices.push((gpu, p));
            }
        });
    };
    let click = move |ev: web_sys::MouseEvent| {
        if let Some((gpu, el)) = target(&ev) {
            if el.get_attribute("name").as_deref() == Some("price-reset") {
                invalid.set(None);
                committed.update(|n| *n += 1);
                config.update(|c| c.prices.retain(|(g, _)| *g != gpu));
            }
        }
    };
    view! {
        <details class="prices" open data-testid="prices">
            <summary>"GPU prices ($ per GPU-hour) — edit to use your own"</summary>
            <table class="prices__table" on:change=apply on:input=apply on:click=click>
                <thead>
                    <tr><th scope="col">"GPU"</th><th scope="col">"$/h"</th><th scope="col">"Source"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
    .into_any()
}

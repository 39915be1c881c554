//! The price list for the cost mode: $/GPU-hour per shown GPU, with the catalogue's provider,
//! date and source page, editable (edits live in the URL and override the catalogue).
//!
//! Rows are plain markup rendered from the configuration, with one delegated listener on the
//! table (the wasm stays within its size budget; per-row components cost ~5 KB gzip).

use leptos::prelude::*;
use planner::catalog::price::UsdPerHour;
use planner::{catalog, GridConfig};

/// One GPU's row, from the configuration's current price; `typed` is what the user typed when
/// it is not a dollar amount (kept in the field, with the message).
fn price_row(c: &GridConfig, gpu_id: &str, name: &str, typed: Option<String>) -> impl IntoView {
    let invalid = typed.is_some();
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
                    aria-describedby=invalid.then(|| format!("price-error-{gpu_id}"))
                    placeholder="no price" prop:value=typed.unwrap_or_else(|| price.map(|p| p.dollars()).unwrap_or_default()) />
                {invalid.then(|| view! { <span class="prices__error" role="alert" id=format!("price-error-{gpu_id}")>"not a dollar amount (e.g. 2.49); the published price is used"</span> })}
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

/// Before the rows re-render: the focused field, button or link of the list gets focus back
/// once they have (found by its row's GPU, its tag and its name), or its row's price field if it
/// is gone (a reset button).
fn keep_focus() {
    use wasm_bindgen::JsCast;
    let Some(el) = document().active_element() else {
        return;
    };
    let Some(gpu) = el
        .closest(".prices tr[data-gpu]")
        .ok()
        .flatten()
        .and_then(|tr| tr.get_attribute("data-gpu"))
    else {
        return;
    };
    let (tag, name) = (el.tag_name(), el.get_attribute("name"));
    request_animation_frame(move || {
        let Ok(list) = document().query_selector_all(".prices tr[data-gpu] :is(input, button, a)")
        else {
            return;
        };
        let mut row = Vec::new();
        for i in 0..list.length() {
            let Some(el) = list
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            else {
                continue;
            };
            let tr = el.closest("tr").ok().flatten();
            if tr.and_then(|tr| tr.get_attribute("data-gpu")).as_deref() != Some(gpu.as_str()) {
                continue;
            }
            if el.tag_name() == tag && el.get_attribute("name") == name {
                el.focus().ok();
                return;
            }
            row.push(el);
        }
        // Failing that, what follows the row's price field (Tab left the field for a link
        // that an edited row no longer shows: its reset button comes next), or the field.
        let left_field = tag != "INPUT";
        if let Some(el) = row.get(usize::from(left_field)).or(row.first()) {
            el.focus().ok();
        }
    });
}

/// One editable price per GPU column (shown in cost mode).
#[component]
pub fn PriceList(
    /// The configuration holding the user's prices.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    // The GPU whose last typed price was not a dollar amount, and that text (its message
    // shows until fixed).
    let invalid = RwSignal::new(None::<(String, String)>);
    // The rows re-render when the shown GPUs change and when a price is committed (change,
    // reset), not on every keystroke: a typed price reprices the grid as it is typed, and the
    // field keeps its focus.
    let shown = Memo::new(move |_| config.with(|c| crate::fingerprint(&c.gpus)));
    let committed = RwSignal::new(0u32);
    let rows = move || {
        let bad = invalid.get();
        let _ = (shown.get(), committed.get());
        keep_focus();
        config.with_untracked(|c| {
            c.gpus
                .iter()
                .filter_map(|id| c.find_gpu(id, catalog()))
                .map(|g| {
                    let typed = bad
                        .as_ref()
                        .filter(|(id, _)| *id == g.id)
                        .map(|b| b.1.clone());
                    price_row(c, &g.id, &g.name, typed)
                })
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
        let parsed = UsdPerHour::parse_typed(&text);
        let bad = parsed.is_none() && !text.trim().is_empty();
        // Empty or not a dollar amount: the catalogue's price (the grid never uses a price
        // the field does not show).
        config.update(|c| {
            c.prices.retain(|(g, _)| *g != gpu);
            if let Some(p) = parsed {
                c.prices.push((gpu.clone(), p));
            }
        });
        // The rows re-render once focus has moved on (Tab fires `change` before it moves, and
        // a re-rendered row would take the next field away), then focus returns to its field.
        if ev.type_() == "change" {
            request_animation_frame(move || {
                invalid.set(bad.then_some((gpu, text)));
                committed.update(|n| *n += 1);
            });
        }
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

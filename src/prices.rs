//! The price list for the cost mode: $/GPU-hour per shown GPU, with the catalogue's provider,
//! date and source page, editable (edits live in the URL and override the catalogue).

use leptos::prelude::*;
use planner::cost::UsdPerHour;
use planner::{catalog, GridConfig};

/// One editable price per GPU column (shown in cost mode).
#[component]
pub fn PriceList(
    /// The configuration holding the user's prices.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    let rows = move || {
        config.with(|c| {
            c.gpus
                .iter()
                .filter_map(|id| c.find_gpu(id, catalog()))
                .map(|g| (g.id.clone(), g.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <details class="prices" open data-testid="prices">
            <summary>"GPU prices ($ per GPU-hour) — edit to use your own"</summary>
            <table class="prices__table">
                <thead>
                    <tr><th scope="col">"GPU"</th><th scope="col">"$/h"</th><th scope="col">"Source"</th></tr>
                </thead>
                <tbody>
                    <For each=rows key=|r| r.0.clone() let:row>
                        <PriceRow config=config gpu_id=row.0 name=row.1 />
                    </For>
                </tbody>
            </table>
        </details>
    }
}

/// One GPU's price: an input, where the catalogue price comes from, and a reset.
#[component]
fn PriceRow(
    /// The configuration.
    config: RwSignal<GridConfig>,
    /// GPU id (stable key).
    gpu_id: String,
    /// GPU display name.
    name: String,
) -> impl IntoView {
    let id = StoredValue::new(gpu_id.clone());
    let price = move || config.with(|c| c.price(&id.get_value(), catalog()));
    let invalid = RwSignal::new(false);
    let set = move |text: String| {
        let gpu = id.get_value();
        if text.trim().is_empty() {
            invalid.set(false);
            config.update(|c| c.prices.retain(|(g, _)| *g != gpu));
            return;
        }
        match UsdPerHour::parse_dollars(&text) {
            Some(p) => {
                invalid.set(false);
                config.update(|c| {
                    c.prices.retain(|(g, _)| *g != gpu);
                    c.prices.push((gpu, p));
                });
            }
            None => invalid.set(true),
        }
    };
    let reset = move |_| {
        let gpu = id.get_value();
        invalid.set(false);
        config.update(|c| c.prices.retain(|(g, _)| *g != gpu));
    };
    let source = catalog().price(&gpu_id).cloned();
    view! {
        <tr class="prices__row" data-gpu=gpu_id.clone()
            data-edited=move || price().is_some_and(|p| p.1).to_string()>
            <th scope="row">{name.clone()}</th>
            <td>
                <input type="text" inputmode="decimal" class="prices__input" name=format!("price-{gpu_id}")
                    aria-label=format!("{name} price in dollars per GPU-hour")
                    aria-invalid=move || invalid.get().to_string()
                    placeholder="no price"
                    prop:value=move || price().map(|p| p.0.dollars()).unwrap_or_default()
                    on:change=move |ev| set(event_target_value(&ev)) />
                <Show when=move || invalid.get()>
                    <span class="prices__error" role="alert">"a dollar amount, e.g. 2.49"</span>
                </Show>
            </td>
            <td class="prices__source">
                {move || match (price(), source.clone()) {
                    (Some((_, true)), _) => view! {
                        <span>"your price "</span>
                        <button type="button" class="button button--small" on:click=reset>"reset"</button>
                    }.into_any(),
                    (_, Some(s)) => view! {
                        <a href=s.source.clone() target="_blank" rel="noopener noreferrer">{s.provider.clone()}</a>
                        {format!(", {} (as of {})", s.offering, s.as_of)}
                    }.into_any(),
                    _ => view! { <span>"no published price found; enter yours"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}

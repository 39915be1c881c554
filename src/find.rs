//! The one search box above the pickers: a model, GPU or format of the catalogue (or the user's
//! own) goes on the grid; an unknown `owner/name` goes to the Hub fetch.

use leptos::prelude::*;
use planner::grid::find::{find, Found};
use planner::inert::xml;
use planner::{catalog, GridConfig};
use wasm_bindgen::JsCast;

/// The suggestions: every catalogue model, GPU and format, as `<option>` markup (names
/// escaped: they are text). One string rather than a view per option keeps the wasm small.
fn suggestions() -> String {
    let cat = catalog();
    let models = cat.models.iter().map(|m| (m.id.as_str(), m.name.as_str()));
    let gpus = cat
        .gpus
        .iter()
        .map(|g| (g.id.as_str(), g.full_name.as_str()));
    let formats = planner::model::weights::ALL_FORMATS
        .iter()
        .map(|f| (f.id(), f.label()));
    models
        .chain(gpus)
        .chain(formats)
        .map(|(id, label)| format!("<option value=\"{}\">{}</option>", xml(id), xml(label)))
        .collect()
}

/// Hands `repo` to the Hub fetch (`fetch_model::FetchModel`): its repo field, its panel opened, its
/// Fetch button pressed: the fetch, its progress, Cancel and errors are that panel's.
fn hand_to_hub_fetch(repo: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let find = |sel: &str| doc.query_selector(sel).ok().flatten();
    if let Some(input) =
        find("input[name=repo]").and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.set_value(repo);
        if let Ok(ev) = web_sys::Event::new("input") {
            input.dispatch_event(&ev).ok();
        }
    }
    if let Some(panel) = find("details.byo") {
        panel.set_attribute("open", "").ok();
    }
    if let Some(button) =
        find("button[name=fetch]").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        button.click();
    }
}

/// Search box with the whole catalogue as suggestions; Enter adds what it names, or fetches
/// an unknown `owner/name` from the Hub.
#[component]
pub fn Find(
    /// The configuration that receives what is found.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    // What the last search did.
    let said = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(el) = web_sys::window()
            .and_then(|w| w.document()?.get_element_by_id("find"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let q = el.value();
        let found = config.with_untracked(|c| find(&q, c, catalog()));
        let mut added = false;
        config.update(|c| added = c.add_found(&found));
        let q = q.trim();
        if found != Found::Nothing {
            el.set_value("");
        }
        said.set(match found {
            Found::Hub(repo) => {
                let text = format!("{repo} is not in the catalogue: fetching its config.json from the Hugging Face Hub (in “Add your own model or GPU”)");
                hand_to_hub_fetch(&repo);
                text
            }
            Found::Nothing => format!("Nothing in the catalogue is called \u{201c}{q}\u{201d}: pick a suggestion, or type a Hugging Face id (owner/name)"),
            // Named by the id the grid uses (an alias or a name is read as its entry).
            Found::Model(id) | Found::Gpu(id) if added => format!("Added {id} to the grid"),
            Found::Model(id) | Found::Gpu(id) => format!("{id} is already on the grid"),
            _ if added => format!("Added {q} to the grid"),
            _ => format!("{q} is already on the grid"),
        });
    };
    view! {
        <form class="find" role="search" on:submit=add>
            <label class="find__label" for="find">"Add to the grid"</label>
            <input id="find" name="find" type="search" list="find-list" autocomplete="off"
                placeholder="model, GPU, format or Hugging Face id" />
            <datalist id="find-list" inner_html=suggestions()></datalist>
            <button type="submit" class="button">"Add"</button>
            <p class="find__said" aria-live="polite">{said}</p>
        </form>
    }
    .into_any()
}

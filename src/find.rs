//! The one search box above the pickers: a model, GPU or format of the catalogue (or the user's
//! own) goes on the grid; an unknown `owner/name` is offered to the Hub fetch.

use leptos::html::Input;
use leptos::prelude::*;
use planner::grid::find::{find, Found};
use planner::inert::xml;
use planner::{catalog, GridConfig};

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

/// Search box with the whole catalogue as suggestions; Enter adds what it names.
#[component]
pub fn Find(
    /// The configuration that receives what is found.
    config: RwSignal<GridConfig>,
    /// Where a repo id to fetch from the Hub is sent (`byo::FetchModel` fetches it).
    hub: RwSignal<Option<String>>,
) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    // What the last search said, and the repo id it offers to fetch.
    let said = RwSignal::new(None::<(String, Option<String>)>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(el) = input.get_untracked() else {
            return;
        };
        let q = el.value();
        let found = config.with_untracked(|c| find(&q, c, catalog()));
        let mut text = String::new();
        config.update(|c| text = c.add_found(&found, &q, catalog()));
        let repo = match found {
            Found::Hub(r) => Some(r),
            Found::Several(_) | Found::Nothing => None,
            _ => {
                el.set_value("");
                None
            }
        };
        said.set(Some((text, repo)));
    };
    view! {
        <form class="find" role="search" on:submit=add>
            <label class="find__label" for="find">"Add to the grid"</label>
            <input id="find" name="find" type="search" list="find-list" autocomplete="off" node_ref=input
                placeholder="a model, GPU, format or Hugging Face id, then Enter" />
            <datalist id="find-list" inner_html=suggestions()></datalist>
            <button type="submit" class="button">"Add"</button>
            {move || said.get().map(|(text, repo)| view! {
                <p class="find__said" role="status">
                    {text}
                    {repo.map(|r| view! {
                        <button type="button" class="button" name="find-fetch"
                            on:click=move |_| hub.set(Some(r.clone()))>"Fetch it"</button>
                    })}
                </p>
            })}
        </form>
    }
    .into_any()
}

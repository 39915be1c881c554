//! The only code that touches the browser URL: read the query once at start, and mirror the
//! configuration back with a debounced `history.replaceState` (no history entry per keystroke;
//! browsers throttle replaceState at ~100 calls per 30 s).

use leptos::prelude::*;
use planner::GridConfig;
use std::time::Duration;
use wasm_bindgen::JsValue;

/// Delay between the last change and the URL write.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// The current `location.search`, or empty when there is no window.
pub fn initial_query() -> String {
    window().location().search().unwrap_or_default()
}

/// Mirrors `config` into the address bar.
pub fn sync_config_to_url(config: RwSignal<GridConfig>) {
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let query = config.with(GridConfig::to_query);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                let path = window().location().pathname().unwrap_or_default();
                let url = format!("{path}?{query}");
                if let Ok(history) = window().history() {
                    // A failure here only means the URL is stale; the page keeps working.
                    let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
                }
            },
            DEBOUNCE,
        )
        .ok();
        pending.set_value(handle);
    });
}

/// This page's address without the query (where the app is served).
pub fn base_url() -> String {
    let loc = window().location();
    format!(
        "{}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default()
    )
}

/// The shareable link of the current view.
pub fn share_link(config: RwSignal<GridConfig>) -> String {
    format!(
        "{}?{}",
        base_url(),
        config.with_untracked(GridConfig::to_query)
    )
}

/// The same view without `embed`, for the embed's "Open in Fitgrid" link.
pub fn full_view_link(config: RwSignal<GridConfig>) -> String {
    let query = config.with(|c| {
        let mut full = c.clone();
        full.view.embed = false;
        full.to_query()
    });
    format!("{}?{query}", base_url())
}

/// The iframe code that embeds the current grid in a wiki page, as tall as the grid
/// (`planner::grid::embed`); with `resizing`, followed by the script that keeps it so.
pub fn embed_snippet(config: RwSignal<GridConfig>, grid: &planner::Grid, resizing: bool) -> String {
    let query = config.with_untracked(|c| {
        let mut embedded = c.clone();
        embedded.view.embed = true;
        embedded.view.selected = None;
        embedded.to_query()
    });
    let url = format!("{}?{query}", base_url());
    planner::grid::embed::snippet(&url, planner::grid::embed::height(grid), resizing)
}

/// Copies `text` and reports the outcome in `status` ("Link copied", or why it could not).
pub fn copy_and_report(what: &'static str, text: String, status: RwSignal<String>) {
    leptos::task::spawn_local(async move {
        let ok = copy_to_clipboard(text).await;
        status.set(if ok {
            format!("{what} copied")
        } else {
            format!("Could not copy the {what}; your browser refused clipboard access")
        });
    });
}

/// Writes `text` to the clipboard; resolves to whether it worked.
pub async fn copy_to_clipboard(text: String) -> bool {
    let clipboard = window().navigator().clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text))
        .await
        .is_ok()
}

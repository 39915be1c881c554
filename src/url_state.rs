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

//! In-browser smoke test: mounts the app, checks the grid renders from the planner and reacts
//! to a control. Runs under wasm-bindgen-test in headless Chromium (`make test`).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn cells() -> Vec<String> {
    let list = document().query_selector_all("td.grid__cell").unwrap();
    (0..list.length())
        .map(|i| {
            list.item(i)
                .unwrap()
                .unchecked_into::<web_sys::Element>()
                .get_attribute("data-fit")
                .unwrap_or_default()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn grid_renders_and_follows_the_context_control() {
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let _handle = leptos::mount::mount_to(host.unchecked_into(), fitgrid::App);
    leptos::task::tick().await;

    // Seed study: 3 models × 4 formats × 5 GPUs.
    let before = cells();
    assert_eq!(before.len(), 60);
    assert!(before.iter().all(|b| !b.is_empty()));
    assert!(before.iter().any(|b| b == "safe"));
    assert!(before.iter().any(|b| b == "does-not-fit"));

    // A long context pushes cells into worse bands.
    let input: web_sys::HtmlInputElement = document()
        .query_selector("input[name=ctx]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_value("4096");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    leptos::task::tick().await;
    let after = cells();
    assert_eq!(after.len(), 60);
    assert_ne!(before, after, "doubling the context must change some cell");
}

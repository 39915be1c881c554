//! Keyboard focus in the grid: arrow keys, Home and End move between cells by their
//! `data-r`/`data-c` coordinates, and focus stays with its cell when a large grid's rows are
//! re-rendered in place (see `grid_window`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A cell's (row, column) in the grid, from its `data-r`/`data-c`.
pub(crate) fn coordinates<T: std::str::FromStr>(el: &web_sys::Element) -> Option<(T, T)> {
    let num = |k: &str| el.get_attribute(k)?.parse::<T>().ok();
    Some((num("data-r")?, num("data-c")?))
}

/// The rendered cell (`r`, `c`), if it is rendered.
fn rendered_cell(r: i64, c: i64) -> Option<web_sys::HtmlElement> {
    document()
        .query_selector(&format!("td[data-r=\"{r}\"][data-c=\"{c}\"]"))
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

/// Arrow keys move between cells (`data-r`/`data-c` coordinates); Home/End to row ends.
pub(crate) fn move_focus(ev: leptos::ev::KeyboardEvent) {
    // (Called from the table's delegated keydown.)
    let Some(cell) = crate::event_element(&ev) else {
        return;
    };
    let Some((r, c)) = coordinates::<i64>(&cell) else {
        return;
    };
    // The table announces its columns (two header columns, then the GPUs).
    let last = cell
        .closest("table")
        .ok()
        .flatten()
        .and_then(|t| t.get_attribute("aria-colcount"))
        .and_then(|v| v.parse::<i64>().ok())
        .map_or(c, crate::grid_row::last_col);
    let (r, c) = match ev.key().as_str() {
        "ArrowUp" => (r - 1, c),
        "ArrowDown" => (r + 1, c),
        "ArrowLeft" => (r, c - 1),
        "ArrowRight" => (r, c + 1),
        "Home" => (r, 0),
        "End" => (r, last),
        _ => return,
    };
    ev.prevent_default();
    // A large grid renders only the columns near the viewport: for Home and End, scroll to
    // the row's end first; the cell is focused once the rendered window has followed.
    if let (true, Some(wrap)) = (
        matches!(ev.key().as_str(), "Home" | "End"),
        cell.closest(".grid-wrap").ok().flatten(),
    ) {
        wrap.set_scroll_left(if c == 0 { 0 } else { wrap.scroll_width() });
    }
    focus_cell(r, c, 10);
}

/// The grid cell with keyboard focus: its element and its (row, column).
pub(crate) fn focused_cell() -> Option<(web_sys::Element, i64, i64)> {
    let el = document().active_element()?;
    let (r, c) = coordinates(&el)?;
    Some((el, r, c))
}

/// After a re-render: focus cell (`r`, `c`) again where it is rendered now if `el`, which
/// showed it, lost focus by being removed or still has it but shows another cell; let go of
/// `el` when the cell is not rendered any more. Focus that moved elsewhere meanwhile (Home,
/// End, a click) is left alone.
pub(crate) fn refocus(el: web_sys::Element, r: i64, c: i64) {
    let doc = document();
    let active = doc.active_element();
    let lost = match (&active, doc.body()) {
        (None, _) => true,
        (Some(a), Some(body)) => *a == *body,
        _ => false,
    };
    let moved = active.as_ref() == Some(&el)
        && coordinates::<i64>(&el).is_some_and(|shown| shown != (r, c));
    if !(lost || moved) {
        return;
    }
    match rendered_cell(r, c) {
        Some(cell) => {
            let options = web_sys::FocusOptions::new();
            options.set_prevent_scroll(true);
            let _ = cell.focus_with_options(&options);
        }
        None if moved => {
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.blur();
            }
        }
        None => {}
    }
}

/// Focuses cell (`r`, `c`). When it is not rendered yet (the window is following a scroll),
/// tries again on each of the next `tries` animation frames; off the grid, nothing moves.
fn focus_cell(r: i64, c: i64, tries: u8) {
    match rendered_cell(r, c) {
        Some(el) => {
            let _ = el.focus();
        }
        None if tries > 0 => request_animation_frame(move || focus_cell(r, c, tries - 1)),
        None => {}
    }
}

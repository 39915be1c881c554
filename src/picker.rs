//! Choosing what is on the grid: presets and searchable pickers for models, GPUs and formats.

use leptos::prelude::*;
use planner::grid::presets::{matches, ALL_PRESETS};
use planner::model::weights::ALL_FORMATS;
use planner::{catalog, GridConfig};

/// One choosable item: stable id, label, and extra searchable text.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Stable id (what the URL stores).
    pub id: String,
    /// What the user reads.
    pub label: String,
    /// A second line (size, memory…), also searched.
    pub detail: String,
    /// Searched but not shown: a model's aliases (people type the -Instruct id).
    pub also: String,
}

/// Which axis of the configuration a picker edits.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Axis {
    /// Model rows.
    Models,
    /// GPU columns.
    Gpus,
    /// Format sub-rows.
    Formats,
}

impl Axis {
    fn selected(self, c: &GridConfig) -> Vec<String> {
        match self {
            Axis::Models => c.models.clone(),
            Axis::Gpus => c.gpus.clone(),
            Axis::Formats => c.formats.iter().map(|f| f.id().to_string()).collect(),
        }
    }

    /// Adds or removes `id` (with `only`: keeps `id` alone; an empty `id`: clears the axis),
    /// keeping catalogue order. An empty axis leaves an empty grid that says what to choose.
    fn toggle(self, c: &mut GridConfig, id: &str, all: &[Item], only: bool) {
        let mut chosen = self.selected(c);
        if id.is_empty() {
            chosen.clear();
        } else if only {
            chosen = vec![id.to_string()];
        } else if let Some(pos) = chosen.iter().position(|x| x == id) {
            chosen.remove(pos);
        } else {
            chosen.push(id.to_string());
        }
        // Catalogue order, then the user's own entries (not in `all`) in the order added.
        let mut ordered: Vec<String> = all
            .iter()
            .filter(|i| chosen.contains(&i.id))
            .map(|i| i.id.clone())
            .collect();
        ordered.extend(
            chosen
                .into_iter()
                .filter(|id| id.starts_with(planner::catalog::custom::CUSTOM_PREFIX)),
        );
        match self {
            Axis::Models => c.models = ordered,
            Axis::Gpus => c.gpus = ordered,
            Axis::Formats => {
                c.formats = ordered
                    .iter()
                    .filter_map(|f| planner::WeightFormat::parse(f))
                    .collect()
            }
        }
    }

    /// Everything this axis can hold, in catalogue order.
    pub fn items(self) -> Vec<Item> {
        let cat = catalog();
        match self {
            Axis::Models => cat
                .models
                .iter()
                .map(|m| Item {
                    id: m.id.clone(),
                    label: m.name.clone(),
                    detail: format!(
                        "{} · {} B params",
                        m.id,
                        planner::units::fixed(m.config.param_count() as f64 / 1e9, 1)
                    ),
                    also: m.aliases.join(" "),
                })
                .collect(),
            Axis::Gpus => cat
                .gpus
                .iter()
                .map(|g| Item {
                    id: g.id.clone(),
                    label: g.name.clone(),
                    detail: format!("{} · {} · {}", g.full_name, g.class, g.memory()),
                    also: String::new(),
                })
                .collect(),
            Axis::Formats => ALL_FORMATS
                .iter()
                .map(|f| Item {
                    id: f.id().to_string(),
                    label: f.label().to_string(),
                    detail: format!(
                        "{}{} · unquantized: {} · {}",
                        f.id(),
                        f.centibits_per_weight()
                            .map(|c| format!(" · {}.{:02} bpw", c / 100, c % 100))
                            .unwrap_or_default(),
                        f.unquantized(),
                        planner::engines::support::engines_for(*f)
                            .iter()
                            .map(|e| e.label())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    also: String::new(),
                })
                .collect(),
        }
    }
}

/// Presets and the three pickers.
#[component]
pub fn GridContents(
    /// The configuration the pickers edit.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    view! {
        <section class="contents" aria-label="Grid contents">
            <div class="contents__presets" role="group" aria-label="Presets">
                {ALL_PRESETS.iter().map(|&p| view! {
                    <button type="button" class="button" data-preset=p.id()
                        on:click=move |_| config.update(|c| p.apply(c, catalog()))>
                        {p.label()}
                    </button>
                }).collect_view()}
            </div>
            <Picker config=config axis=Axis::Models title="Models" />
            <Picker config=config axis=Axis::Gpus title="GPUs" />
            <Picker config=config axis=Axis::Formats title="Formats" />
        </section>
    }
    .into_any()
}

/// A searchable checkbox list for one axis.
#[component]
fn Picker(
    /// The configuration to edit.
    config: RwSignal<GridConfig>,
    /// Which axis.
    axis: Axis,
    /// Heading.
    title: &'static str,
) -> impl IntoView {
    let all = StoredValue::new(axis.items());
    let query = RwSignal::new(String::new());
    // The list re-renders when the selection changes, not on every configuration change (a
    // context keystroke used to rebuild 120 checkboxes, and the browser's form bookkeeping
    // then re-laid them out: ~20 ms per keystroke on the full catalogue, docs/decisions.md#d3).
    let selection = Memo::new(move |_| config.with(|c| crate::fingerprint(axis.selected(c))));
    let selected = move || {
        let _ = selection.get();
        config.with_untracked(|c| axis.selected(c))
    };
    let count = move || selected().len();
    let visible = move || {
        query.with(|q| {
            all.with_value(|items| {
                items
                    .iter()
                    .filter(|i| matches(q, &format!("{} {} {}", i.label, i.detail, i.also)))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    };
    // Plain items re-rendered in place from the configuration, and one delegated listener:
    // smaller wasm, and no per-item subscriptions to every configuration change.
    let items = move || {
        let selected = selected();
        visible()
            .into_iter()
            .map(|item| {
                let checked = selected.contains(&item.id);
                view! {
                    <li class="picker__item">
                        <label>
                            <input type="checkbox" value=item.id.clone() prop:checked=checked />
                            <span class="picker__label">{item.label}</span>
                            <span class="picker__detail">{item.detail}</span>
                        </label>
                        <button type="button" class="picker__only" data-only=item.id>"only"</button>
                    </li>
                }
            })
            .collect_view()
    };
    let toggle = move |ev: web_sys::Event| {
        // A checkbox's change, or the click of an item's "only" button or of "Clear".
        let (id, only) =
            match crate::event_element(&ev).and_then(|el| el.get_attribute("data-only")) {
                Some(id) => (id, true),
                None if ev.type_() == "change" => (event_target_value(&ev), false),
                None => return,
            };
        all.with_value(|items| config.update(|c| axis.toggle(c, &id, items, only)));
    };
    view! {
        <details class="picker" data-axis=title.to_ascii_lowercase()>
            <summary class="picker__summary">{title} " (" {count} ")"</summary>
            <input type="search" class="picker__search" placeholder=format!("Search {}", title.to_ascii_lowercase())
                aria-label=format!("Search {}", title.to_ascii_lowercase())
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev)) />
            <ul class="picker__list" on:change=toggle on:click=move |ev: web_sys::MouseEvent| toggle(ev.into())>
                <li class="picker__item"><button type="button" class="picker__only" data-only="">"Clear all"</button></li>
                {items}
            </ul>
        </details>
    }
    .into_any()
}

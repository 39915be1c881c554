//! Co-location panel: several models, each in its own engine process, on one GPU. The planner
//! ([`planner::colocate`]) prices each member by its engine's rule; this view edits the set
//! (kept in the URL) and draws who holds what and the headroom left.

use leptos::prelude::*;
use planner::grid::colo::ColocationReport;
use planner::plan::colocate::Member;

use planner::engines::ALL_ENGINES;
use planner::model::kv_cache::ALL_KV_DTYPES;
use planner::model::weights::ALL_FORMATS;
use planner::plan::ranges::Field;
use planner::{catalog, GridConfig, WeightFormat};

/// An AWQ member on vLLM at `pct` % of the GPU.
fn member(id: &str, pct: u64) -> Member {
    let mut m = Member::new(id, WeightFormat::Awq);
    m.set_fraction_pct(pct);
    m
}

/// Seed 002: a 32B coder in AWQ beside a 7B in AWQ on a ~96 GB card (H100 NVL, 94 GB).
fn seed_example(c: &mut GridConfig) {
    c.colo_gpu = "h100-nvl-94gb".into();
    c.colo = vec![
        member("Qwen/Qwen2.5-Coder-32B-Instruct", 60),
        member("mistralai/Mistral-7B-v0.1", 30),
    ];
}

/// Options of a `<select>`: (value, label). One helper, one rendered type, for every select
/// in the panel (keeps the wasm small: no per-field view types).
fn options(items: Vec<(String, String)>) -> impl IntoView {
    items
        .into_iter()
        .map(|(value, label)| view! { <option value=value>{label}</option> })
        .collect_view()
}

/// A labelled `<select>` with a static value; edits reach the panel's one delegated listener.
fn select(
    label: &'static str,
    name: &'static str,
    value: String,
    items: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <label><span class="colo__label">{label}</span>
            <select name=name prop:value=value>{options(items)}</select>
        </label>
    }
}

/// A labelled whole-number input with a static value.
fn number(label: &'static str, name: &'static str, value: u64, field: Field) -> impl IntoView {
    let (min, max) = field.range();
    view! {
        <label><span class="colo__label">{label}</span>
            <input type="number" name=name min=min max=max inputmode="numeric" prop:value=value.to_string() />
        </label>
    }
}

/// One member's controls, rendered from its current values (no per-field reactivity: the
/// list re-renders in place when the set changes).
fn member_row(i: usize, m: &Member, models: &[(String, String)]) -> impl IntoView {
    let formats = ALL_FORMATS
        .iter()
        .map(|f| (f.id().to_string(), f.label().to_string()))
        .collect();
    let engines = ALL_ENGINES
        .iter()
        .map(|e| (e.id().to_string(), e.label().to_string()))
        .collect();
    let kvs = ALL_KV_DTYPES
        .iter()
        .map(|k| (k.id().to_string(), k.id().to_string()))
        .collect();
    view! {
        <li class="colo__member" data-testid="colo-member" data-index=i>
            {select("Model", "colo-model", m.model_id.clone(), models.to_vec())}
            {select("Weights", "colo-format", m.format.id().to_string(), formats)}
            {select("Engine", "colo-engine", m.workload.engine.id().to_string(), engines)}
            {number("Context", "colo-ctx", m.workload.context, Field::Context)}
            {number("Sequences", "colo-n", m.workload.concurrency, Field::Concurrency)}
            {select("KV cache", "colo-kv", m.workload.kv_dtype.id().to_string(), kvs)}
            {m.uses_fraction().then(|| number("GPU memory %", "colo-frac", m.fraction_pct(), Field::MemberFractionPct))}
            <button type="button" class="button button--small" name="colo-remove"
                aria-label="Remove this model">"Remove"</button>
        </li>
    }
}

/// The co-location planner: GPU, members, verdict and memory bar.
#[component]
pub fn Colocate(
    /// The configuration holding the set (`colo`, `colo_gpu`).
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    let result = Memo::new(move |_| config.with(|c| c.colocation(catalog())));
    // The lists the panel renders re-render when they change, not on every configuration
    // change (a context keystroke used to rebuild 39 GPU options).
    let custom = Memo::new(move |_| config.with(crate::byo::custom_fingerprint));
    let members = Memo::new(move |_| config.with(|c| crate::fingerprint(&c.colo)));
    let gpus = move || {
        let _ = custom.get();
        config.with_untracked(|c| {
            catalog()
                .gpus
                .iter()
                .chain(c.custom_gpus.iter())
                .map(|g| (g.id.clone(), g.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let add = move |_| {
        config.update(|c| {
            if c.colo.len() < planner::share::MAX_COLOCATED {
                c.add_colo_member(catalog());
            }
        })
    };
    let rows = move || {
        let _ = (custom.get(), members.get());
        config.with_untracked(|c| {
            let models: Vec<(String, String)> = c
                .custom_models
                .iter()
                .map(|m| &m.model)
                .chain(catalog().models.iter())
                .map(|m| (m.id.clone(), m.name.clone()))
                .collect();
            c.colo
                .iter()
                .enumerate()
                .map(|(i, m)| member_row(i, m, &models))
                .collect_view()
        })
    };
    // One listener for every control of every member: the control's `name` says which field,
    // the row's `data-index` which member.
    let target = |ev: &web_sys::Event| -> Option<(usize, String)> {
        let el = crate::event_element(ev)?;
        let index = el
            .closest("li[data-index]")
            .ok()??
            .get_attribute("data-index")?
            .parse()
            .ok()?;
        Some((index, el.get_attribute("name")?))
    };
    let edit = move |ev: web_sys::Event| {
        if let Some((i, name)) = target(&ev) {
            let value = event_target_value(&ev);
            config.update(|c| {
                if let Some(m) = c.colo.get_mut(i) {
                    // An unusable value changes nothing; the control keeps showing it.
                    let _ = m.edit(name.trim_start_matches("colo-"), &value);
                }
            });
        }
    };
    let click = move |ev: web_sys::MouseEvent| {
        if let Some((i, name)) = target(&ev) {
            if name == "colo-remove" {
                config.update(|c| {
                    if i < c.colo.len() {
                        c.colo.remove(i);
                    }
                });
            }
        }
    };
    view! {
        <details class="colo" data-testid="colo" open=move || config.with(|c| !c.colo.is_empty())>
            <summary>"Co-locate models on one GPU"</summary>
            <div class="colo__head">
                <label class="controls__field">
                    <span>"Shared GPU"</span>
                    <select name="colo-gpu" prop:value=move || config.with(|c| c.colo_gpu.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); config.update(|c| c.colo_gpu = v) }>
                        {move || options(gpus())}
                    </select>
                </label>
                <button type="button" class="button" name="colo-add" on:click=add>"Add a model"</button>
                <button type="button" class="button" name="colo-example"
                    on:click=move |_| config.update(seed_example)>"Example: coder 32B + 7B on 94 GB"</button>
            </div>
            <ol class="colo__members" on:change=edit on:input=edit
                on:click=click>
                {rows}
            </ol>
            {move || result.get().map(|o| verdict(o, config.with(|c| c.view.unit)))}
        </details>
    }
    .into_any()
}

/// Fits or not, memory used and left, one bar segment per member (a plain function: no props
/// to track, it is re-rendered whenever the set changes).
fn verdict(outcome: ColocationReport, unit: planner::Unit) -> impl IntoView {
    let set = &outcome.set;
    let gpu = set.gpu.0.max(1) as f64;
    let summary = outcome.summary(unit);
    let members: Vec<_> = set
        .members
        .iter()
        .zip(outcome.member_lines(unit))
        .enumerate()
        .map(|(i, (m, words))| {
            let pct = (m.footprint.0 as f64 / gpu * 100.0).min(100.0);
            (i, pct, words, m.fits)
        })
        .collect();
    let headroom_pct = set.headroom().0 as f64 / gpu * 100.0;
    view! {
        <div class="colo__verdict" data-testid="colo-verdict" data-fits=set.fits.to_string() role="status">
            <p class="colo__summary">{summary}</p>
            <div class="bar__track colo__bar" role="img" aria-label="GPU memory held by each model">
                {members.iter().map(|(i, pct, words, _)| view! {
                    <div class="bar__part" data-member=(i % 4).to_string() style:width=format!("{}%", planner::units::fixed(*pct, 2)) title=words.clone()></div>
                }).collect_view()}
                <div class="bar__part" data-part="free" style:width=format!("{}%", planner::units::fixed(headroom_pct, 2)) title="headroom"></div>
            </div>
            <ul class="colo__lines">
                {members.into_iter().map(|(i, _, words, fits)| view! {
                    <li data-member=(i % 4).to_string() data-fits=fits.to_string()>
                        <span class="bar__swatch"></span>{words}
                    </li>
                }).collect_view()}
            </ul>
            <details class="colo__commands">
                <summary>"Launch commands (one process per model, own port)"</summary>
                <pre class="command__text" data-testid="colo-commands"><code>{outcome.commands.join("\n\n")}</code></pre>
            </details>
        </div>
    }
}

//! Co-location panel: several models, each in its own engine process, on one GPU. The planner
//! ([`planner::colocate`]) prices each member by its engine's rule; this view edits the set
//! (kept in the URL) and draws who holds what and the headroom left.

use leptos::prelude::*;
use planner::colocate::{colocate, Colocation, Member};
use planner::engine::ALL_ENGINES;
use planner::kv_cache::ALL_KV_DTYPES;
use planner::weights::ALL_FORMATS;
use planner::{catalog, Bytes, Engine, GridConfig, KvDtype, WeightFormat};

/// The set priced on its GPU, with display names.
#[derive(Clone, PartialEq)]
struct Outcome {
    set: Colocation,
    names: Vec<String>,
    gpu_name: String,
}

fn outcome(c: &GridConfig) -> Option<Outcome> {
    if c.colo.is_empty() {
        return None;
    }
    let cat = catalog();
    let gpu = c.find_gpu(&c.colo_gpu, cat)?;
    let models: Vec<_> = c
        .colo
        .iter()
        .map(|m| c.find_model(&m.model_id, cat))
        .collect();
    let pairs: Vec<_> = models
        .iter()
        .map(|m| m.map(|m| &m.config))
        .zip(c.colo.iter())
        .collect();
    Some(Outcome {
        set: colocate(&pairs, gpu),
        names: models
            .iter()
            .zip(&c.colo)
            .map(|(m, mem)| m.map_or(mem.model_id.clone(), |m| m.name.clone()))
            .collect(),
        gpu_name: gpu.name.clone(),
    })
}

/// Seed 002: a 32B coder in AWQ beside a 7B in AWQ on a ~96 GB card (H100 NVL, 94 GB).
fn seed_example(c: &mut GridConfig) {
    c.colo_gpu = "h100-nvl-94gb".into();
    c.colo = vec![
        Member {
            fraction_pct: 60,
            ..Member::new("Qwen/Qwen2.5-Coder-32B-Instruct", WeightFormat::Awq)
        },
        Member {
            fraction_pct: 30,
            ..Member::new("mistralai/Mistral-7B-v0.1", WeightFormat::Awq)
        },
    ];
}

/// The co-location planner: GPU, members, verdict and memory bar.
#[component]
pub fn Colocate(
    /// The configuration holding the set (`colo`, `colo_gpu`).
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    let result = Memo::new(move |_| config.with(outcome));
    let gpus = move || {
        config.with(|c| {
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
                let model = c.models.first().cloned().unwrap_or_default();
                c.colo.push(Member::new(model, WeightFormat::Awq));
            }
        })
    };
    let keys = move || {
        config.with(|c| {
            c.colo
                .iter()
                .enumerate()
                .map(|(i, m)| (i, m.model_id.clone(), m.engine))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <details class="colo" data-testid="colo" open=move || config.with(|c| !c.colo.is_empty())>
            <summary>"Co-locate models on one GPU"</summary>
            <div class="colo__head">
                <label class="controls__field">
                    <span>"Shared GPU"</span>
                    <select name="colo-gpu" prop:value=move || config.with(|c| c.colo_gpu.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); config.update(|c| c.colo_gpu = v) }>
                        {move || gpus().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </label>
                <button type="button" class="button" name="colo-add" on:click=add>"Add a model"</button>
                <button type="button" class="button" name="colo-example"
                    on:click=move |_| config.update(seed_example)>"Example: coder 32B + 7B on 94 GB"</button>
            </div>
            <ol class="colo__members">
                <For each=keys key=|k| k.clone() let:key>
                    <MemberRow config=config index=key.0 />
                </For>
            </ol>
            {move || result.get().map(|o| view! { <Verdict outcome=o unit=config.with(|c| c.unit) /> })}
        </details>
    }
}

/// One member's settings.
#[component]
fn MemberRow(
    /// The configuration.
    config: RwSignal<GridConfig>,
    /// Position in the set (start order).
    index: usize,
) -> impl IntoView {
    let get = move || config.with(|c| c.colo.get(index).cloned());
    let edit = move |f: Box<dyn FnOnce(&mut Member)>| {
        config.update(|c| {
            if let Some(m) = c.colo.get_mut(index) {
                f(m)
            }
        })
    };
    let count = move |ev: leptos::ev::Event, max: u64, set: fn(&mut Member, u64)| {
        if let Ok(n) = event_target_value(&ev).trim().parse::<u64>() {
            if (1..=max).contains(&n) {
                edit(Box::new(move |m| set(m, n)));
            }
        }
    };
    let models = move || {
        config.with(|c| {
            c.custom_models
                .iter()
                .map(|m| &m.model)
                .chain(catalog().models.iter())
                .map(|m| (m.id.clone(), m.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let remove = move |_| {
        config.update(|c| {
            if index < c.colo.len() {
                c.colo.remove(index);
            }
        })
    };
    let field = |label: &'static str| view! { <span class="colo__label">{label}</span> };
    view! {
        <li class="colo__member" data-testid="colo-member">
            <label>{field("Model")}
                <select name="colo-model" prop:value=move || get().map(|m| m.model_id).unwrap_or_default()
                    on:change=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |m| m.model_id = v)) }>
                    {move || models().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
            </label>
            <label>{field("Weights")}
                <select name="colo-format" prop:value=move || get().map(|m| m.format.id()).unwrap_or_default()
                    on:change=move |ev| if let Some(f) = WeightFormat::parse(&event_target_value(&ev)) { edit(Box::new(move |m| m.format = f)) }>
                    {ALL_FORMATS.iter().map(|f| view! { <option value=f.id()>{f.label()}</option> }).collect_view()}
                </select>
            </label>
            <label>{field("Engine")}
                <select name="colo-engine" prop:value=move || get().map(|m| m.engine.id()).unwrap_or_default()
                    on:change=move |ev| if let Some(e) = Engine::parse(&event_target_value(&ev)) { edit(Box::new(move |m| m.engine = e)) }>
                    {ALL_ENGINES.iter().map(|e| view! { <option value=e.id()>{e.label()}</option> }).collect_view()}
                </select>
            </label>
            <label>{field("Context")}
                <input type="number" name="colo-ctx" min="1" inputmode="numeric"
                    prop:value=move || get().map(|m| m.context.to_string()).unwrap_or_default()
                    on:input=move |ev| count(ev, planner::share::MAX_CONTEXT, |m, n| m.context = n) />
            </label>
            <label>{field("Sequences")}
                <input type="number" name="colo-n" min="1" inputmode="numeric"
                    prop:value=move || get().map(|m| m.concurrency.to_string()).unwrap_or_default()
                    on:input=move |ev| count(ev, planner::share::MAX_CONCURRENCY, |m, n| m.concurrency = n) />
            </label>
            <label>{field("KV cache")}
                <select name="colo-kv" prop:value=move || get().map(|m| m.kv_dtype.id()).unwrap_or_default()
                    on:change=move |ev| if let Some(k) = KvDtype::parse(&event_target_value(&ev)) { edit(Box::new(move |m| m.kv_dtype = k)) }>
                    {ALL_KV_DTYPES.iter().map(|k| view! { <option value=k.id()>{k.id()}</option> }).collect_view()}
                </select>
            </label>
            <Show when=move || get().is_some_and(|m| m.uses_fraction())>
                <label>{field("GPU memory %")}
                    <input type="number" name="colo-frac" min="5" max="100" inputmode="numeric"
                        prop:value=move || get().map(|m| m.fraction_pct.to_string()).unwrap_or_default()
                        on:input=move |ev| count(ev, 100, |m, n| if n >= 5 { m.fraction_pct = n }) />
                </label>
            </Show>
            <button type="button" class="button button--small" name="colo-remove" on:click=remove
                aria-label="Remove this model">"Remove"</button>
        </li>
    }
}

/// Fits or not, memory used and left, one bar segment per member.
#[component]
fn Verdict(
    /// The priced set.
    outcome: Outcome,
    /// Units.
    unit: planner::Unit,
) -> impl IntoView {
    let set = &outcome.set;
    let b = |x: Bytes| x.display(unit);
    let gpu = set.gpu.0.max(1) as f64;
    let summary = if set.fits {
        format!(
            "✓ Fits on {}: {} of {} held, {} headroom",
            outcome.gpu_name,
            b(set.used),
            b(set.gpu),
            b(set.headroom())
        )
    } else if set.overflow() > Bytes::ZERO {
        format!(
            "✗ Does not fit on {}: {} needed of {}, {} over",
            outcome.gpu_name,
            b(set.used),
            b(set.gpu),
            b(set.overflow())
        )
    } else {
        format!(
            "✗ Does not fit on {}: a model below cannot run as set ({} of {} held)",
            outcome.gpu_name,
            b(set.used),
            b(set.gpu)
        )
    };
    let members: Vec<_> = set
        .members
        .iter()
        .zip(&outcome.names)
        .enumerate()
        .map(|(i, (m, name))| {
            let pct = (m.footprint.0 as f64 / gpu * 100.0).min(100.0);
            let words = match &m.problem {
                None => format!("✓ {name}: holds {}", b(m.footprint)),
                Some(p) => format!("✗ {name}: {p}"),
            };
            (i, pct, words, m.fits)
        })
        .collect();
    let headroom_pct = set.headroom().0 as f64 / gpu * 100.0;
    view! {
        <div class="colo__verdict" data-testid="colo-verdict" data-fits=set.fits.to_string() role="status">
            <p class="colo__summary">{summary}</p>
            <div class="bar__track colo__bar" role="img" aria-label="GPU memory held by each model">
                {members.iter().map(|(i, pct, words, _)| view! {
                    <div class="bar__part" data-member=(i % 4).to_string() style:width=format!("{pct:.2}%") title=words.clone()></div>
                }).collect_view()}
                <div class="bar__part" data-part="free" style:width=format!("{headroom_pct:.2}%") title="headroom"></div>
            </div>
            <ul class="colo__lines">
                {members.into_iter().map(|(i, _, words, fits)| view! {
                    <li data-member=(i % 4).to_string() data-fits=fits.to_string()>
                        <span class="bar__swatch"></span>{words}
                    </li>
                }).collect_view()}
            </ul>
        </div>
    }
}

//! The detail of one cell: where the memory goes, what the engine allows, and where the model
//! stops fitting as the context grows.

use crate::url_state;
use leptos::prelude::*;
use planner::plan::to_fit::Suggestion;
use planner::plan::{LimitedBy, Thresholds};
use planner::{catalog, Bytes, GridConfig, Plan, Unit};

/// The panel for the selected cell (closed when nothing is selected).
#[component]
pub fn CellDetail(
    /// The configuration; `selected` says which cell.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    // Computed once per configuration change, only while a cell is selected.
    let detail = Memo::new(move |_| config.with(|c| c.detail(catalog())));
    let close = move |_| config.update(|c| c.view.selected = None);
    move || {
        let (unit, thresholds) = config.with(|c| (c.view.unit, c.view.thresholds));
        detail.get().map(|d| match d {
            Err(u) => view! {
                <section class="detail" data-testid="detail" aria-live="polite">
                    <button class="detail__close button" on:click=close aria-label="Close detail">"×"</button>
                    <p class="detail__verdict" data-testid="verdict" data-fit="unsupported"
                        data-reason="unsupported">"— unsupported: " {u.text}</p>
                    <Fixes config=config suggestions=u.suggestions fits=false runs=false />
                </section>
            }
            .into_any(),
            Ok(d) => view! {
                <section class="detail" data-testid="detail" aria-live="polite">
                    <button class="detail__close button" on:click=close aria-label="Close detail">"×"</button>
                    <h2 class="detail__title">{d.title.clone()}</h2>
                    {d.mode_line.clone().map(|l| view! {
                        <p class="detail__mode" data-testid="mode-line">"In this mode: " {l}</p>
                    })}
                    <Verdict plan=d.plan.clone() thresholds=thresholds />
                    <Fixes config=config suggestions=d.suggestions.clone() fits=d.plan.fits runs=true />
                    <StackedBar plan=d.plan.clone() unit=unit />
                    <Numbers plan=d.plan.clone() unit=unit />
                    <p class="detail__speed" data-testid="speed">{d.speed_line.clone()}</p>
                    {crate::charts::speed_chart(&d, thresholds.speed)}
                    {d.price.clone().map(|p| view! {
                        <p class="detail__price" data-testid="price">
                            {p.text}
                            {p.source.map(|url| view! {
                                " " <a href=url target="_blank" rel="noopener noreferrer">"source"</a>
                            })}
                        </p>
                    })}
                    {crate::charts::context_chart(&d, unit)}
                    <Command command=d.command.clone() />
                    <ul class="detail__notes">
                        {d.plan.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}
                    </ul>
                </section>
            }
            .into_any(),
        })
    }
}

/// The verdict in words: the band when it fits, else why it does not.
#[component]
fn Verdict(
    /// The plan.
    plan: Plan,
    /// The user's bands.
    thresholds: Thresholds,
) -> impl IntoView {
    let band = thresholds.band_of(&plan);
    let text = if plan.fits {
        format!(
            "{} {} — {}",
            band.symbol(),
            band.label(),
            plan.reason_text()
        )
    } else {
        format!("{} does not fit — {}", band.symbol(), plan.reason_text())
    };
    view! {
        <p class="detail__verdict" data-testid="verdict" data-fit=band.as_str()
            data-reason=plan.reason.as_str()>{text}</p>
    }
}

/// One-click changes that make the cell fit (or leave the critical band): each updates the
/// grid and the link.
#[component]
fn Fixes(
    /// The configuration the changes apply to.
    config: RwSignal<GridConfig>,
    /// The planner's suggestions.
    suggestions: Vec<Suggestion>,
    /// Whether the plan fits already (then they lead out of the critical band).
    fits: bool,
    /// Whether the engine runs it at all (else they make it run).
    runs: bool,
) -> impl IntoView {
    (!suggestions.is_empty()).then(|| {
        view! {
            <div class="fixes" data-testid="to-fit">
                <h3 class="fixes__title">
                    {match (runs, fits) {
                        (false, _) => "To run it, change one of",
                        (true, true) => "To leave the critical band, change one of",
                        (true, false) => "To make it fit, change one of",
                    }}
                </h3>
                <ul class="fixes__list">
                    {suggestions.into_iter().map(|s| {
                        let o = s.overrides.clone();
                        view! {
                            <li><button type="button" class="button fixes__button"
                                on:click=move |_| config.update(|c| c.apply(&o))>{s.label}</button></li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        }
    })
}

/// The launch command that realises the plan, copyable.
#[component]
fn Command(
    /// Shell text, or `None` for engines without a server command.
    command: Option<String>,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
    match command {
        None => view! {
            <p class="detail__command-none">
                "HF transformers has no server command: load the model with from_pretrained."
            </p>
        }
        .into_any(),
        Some(text) => {
            let copy_text = text.clone();
            let copy = move |_| url_state::copy_and_report("Command", copy_text.clone(), status);
            view! {
                <div class="command">
                    <div class="command__head">
                        <h3 class="command__title">"Launch command"</h3>
                        <button type="button" class="button" name="copy-command" on:click=copy>"Copy command"</button>
                        <span role="status" aria-live="polite">{move || status.get()}</span>
                    </div>
                    <pre class="command__text" data-testid="command"><code>{text}</code></pre>
                </div>
            }
            .into_any()
        }
    }
}

/// Weights / KV cache / activations / overhead as shares of the GPU, with the engine budget.
#[component]
fn StackedBar(
    /// The plan to draw.
    plan: Plan,
    /// Units for the labels.
    unit: Unit,
) -> impl IntoView {
    let gpu = plan.gpu_memory_bytes.max(1) as f64;
    let parts = [
        ("weights", "Weights", plan.weights_bytes),
        ("kv", "KV cache", plan.kv_cache_bytes),
        ("activation", "Activations", plan.activation_bytes),
        ("overhead", "Overhead", plan.overhead_bytes),
    ];
    let budget_pct = (plan.budget_bytes as f64 / gpu * 100.0).min(100.0);
    view! {
        <div class="bar" role="img" aria-label="Memory breakdown against the GPU">
            <div class="bar__track">
                {parts.iter().map(|(key, label, bytes)| {
                    let pct = (*bytes as f64 / gpu * 100.0).min(100.0);
                    view! {
                        <div class="bar__part" data-part=*key style:width=format!("{}%", planner::units::fixed(pct, 2))
                            title=format!("{label}: {}", Bytes(*bytes).display(unit))></div>
                    }
                }).collect_view()}
                <div class="bar__budget" style:left=format!("{}%", planner::units::fixed(budget_pct, 2)) title="engine budget"></div>
            </div>
            <ul class="bar__legend">
                {parts.iter().map(|(key, label, bytes)| view! {
                    <li data-part=*key><span class="bar__swatch"></span>{*label} " " {Bytes(*bytes).display(unit)}</li>
                }).collect_view()}
                {(plan.host_bytes > 0).then(|| view! {
                    <li data-part="host">"in system RAM, not on the GPU " {Bytes(plan.host_bytes).display(unit)}</li>
                })}
                {(plan.vision_bytes > 0).then(|| view! {
                    <li data-part="vision">"of the weights, vision encoder " {Bytes(plan.vision_bytes).display(unit)}</li>
                })}
                <li data-part="budget"><span class="bar__swatch"></span>"engine budget " {Bytes(plan.budget_bytes).display(unit)}</li>
            </ul>
        </div>
    }
    .into_any()
}

/// The plan's figures.
#[component]
fn Numbers(
    /// The plan.
    plan: Plan,
    /// Units.
    unit: Unit,
) -> impl IntoView {
    let b = move |n: u64| Bytes(n).display(unit);
    let rows = [
        (
            "Total per GPU",
            format!(
                "{} of {} ({})",
                b(plan.total_bytes),
                b(plan.gpu_memory_bytes),
                planner::grid::words::utilization_words(&plan)
            ),
        ),
        (
            "KV bytes per token",
            planner::grid::group_digits(plan.kv_bytes_per_token),
        ),
        (
            "KV capacity",
            format!(
                "{} tokens",
                planner::grid::group_digits(plan.kv_capacity_tokens)
            ),
        ),
        (
            "Max concurrency at this context",
            planner::grid::group_digits(plan.max_concurrency),
        ),
        (
            "Max context at this concurrency",
            format!(
                "{} tokens{}",
                planner::grid::group_digits(plan.max_context),
                if plan.max_context_limited_by() == LimitedBy::Model {
                    " (the model's limit)"
                } else {
                    ""
                }
            ),
        ),
    ];
    view! {
        <dl class="numbers">
            {rows.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd data-testid=k>{v}</dd> }).collect_view()}
        </dl>
    }
    .into_any()
}

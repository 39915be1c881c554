//! The detail of one cell: where the memory goes, what the engine allows, and where the model
//! stops fitting as the context grows.

use crate::url_state;
use leptos::prelude::*;
use planner::grid::detail::CellDetail as Detail;
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
                    <SpeedLine speed=d.speed />
                    {d.price.clone().map(|p| view! {
                        <p class="detail__price" data-testid="price">
                            {p.text}
                            {p.source.map(|url| view! {
                                " " <a href=url target="_blank" rel="noopener noreferrer">"source"</a>
                            })}
                        </p>
                    })}
                    <ContextChart detail=d.clone() unit=unit />
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
                        <div class="bar__part" data-part=*key style:width=format!("{pct:.2}%")
                            title=format!("{label}: {}", Bytes(*bytes).display(unit))></div>
                    }
                }).collect_view()}
                <div class="bar__budget" style:left=format!("{budget_pct:.2}%") title="engine budget"></div>
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
                "{} of {} ({:.1}%)",
                b(plan.total_bytes),
                b(plan.gpu_memory_bytes),
                plan.utilization * 100.0
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

/// Decode and prefill speed, where the planner has a measured efficiency for the engine.
#[component]
fn SpeedLine(
    /// The planner's speed, if any.
    speed: Option<planner::plan::speed::Speed>,
) -> impl IntoView {
    let text = match speed {
        Some(s) => {
            let mut t = format!(
                "Decode ≈ {:.0} tokens/s per sequence ({:.0} in total)",
                s.decode_tokens_per_s, s.decode_tokens_per_s_total
            );
            if let (Some(p), Some(ttft)) = (s.prefill_tokens_per_s, s.ttft_ms) {
                t.push_str(&format!(
                    "; prefill ≈ {p:.0} tokens/s, first token after ≈ {:.1} s",
                    ttft / 1000.0
                ));
            }
            t
        }
        None => "Speed: modelled for llama.cpp only so far (README, \"Speed\").".into(),
    };
    view! { <p class="detail__speed" data-testid="speed">{text}</p> }
}

/// Memory against context length, with the GPU limit and the engine budget (plain SVG).
#[component]
fn ContextChart(
    /// The detail with its curve.
    detail: Detail,
    /// Units for the axis labels.
    unit: Unit,
) -> impl IntoView {
    let (w, h, pad) = (560.0, 220.0, 44.0);
    let gpu = detail.plan.gpu_memory_bytes as f64;
    let y_max = detail
        .curve
        .iter()
        .map(|p| p.1 as f64)
        .fold(gpu * 1.1, f64::max);
    let x = |c: u64| pad + (c as f64 / detail.x_max.max(1) as f64) * (w - 2.0 * pad);
    let y = |b: f64| h - pad - (b / y_max) * (h - 2.0 * pad);
    let points: String = detail
        .curve
        .iter()
        .map(|(c, b, _)| format!("{:.1},{:.1}", x(*c), y(*b as f64)))
        .collect::<Vec<_>>()
        .join(" ");
    let limit_y = y(gpu);
    let budget_y = y(detail.plan.budget_bytes as f64);
    // Where it stops fitting is the plan's own max context (the curve is only sampled), and a
    // plan that fits at no context says so instead.
    let max = detail.plan.max_context;
    let first_miss = (max > 0 && max < detail.x_max).then_some(max);
    let never = max == 0;
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {w} {h}") role="img" data-testid="chart"
                aria-label="Memory per GPU against context length">
                <line class="chart__axis" x1=pad y1=h - pad x2=w - pad y2=h - pad />
                <line class="chart__axis" x1=pad y1=pad x2=pad y2=h - pad />
                <line class="chart__limit" x1=pad y1=limit_y x2=w - pad y2=limit_y />
                <text class="chart__label" x=w - pad y=limit_y - 4.0 text-anchor="end">
                    {format!("GPU {}", Bytes(gpu as u64).display(unit))}
                </text>
                <line class="chart__budget" x1=pad y1=budget_y x2=w - pad y2=budget_y />
                <polyline class="chart__line" points=points />
                {first_miss.map(|c| view! {
                    <line class="chart__miss" x1=x(c) y1=pad x2=x(c) y2=h - pad />
                    <text class="chart__label" x=x(c) + 4.0 y=pad + 12.0>{format!("fits up to {} tokens", planner::grid::group_digits(c))}</text>
                })}
                {never.then(|| view! {
                    <text class="chart__label" x=pad + 6.0 y=pad + 12.0>"does not fit at any context"</text>
                })}
                <text class="chart__label" x=pad y=h - pad + 16.0>"0"</text>
                <text class="chart__label" x=w - pad y=h - pad + 16.0 text-anchor="end">
                    {format!("{} tokens", planner::grid::group_digits(detail.x_max))}
                </text>
            </svg>
            <figcaption>"Memory per GPU as the context grows (concurrency fixed); dashed: engine budget."</figcaption>
        </figure>
    }
    .into_any()
}

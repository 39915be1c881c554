//! The detail panel's two charts: memory against context, and decode speed against
//! concurrency, each drawn as one SVG string set as its figure's markup. A view per line and
//! label costs ~2.5 KB gzip of wasm more, over the size budget. This is the one place the app
//! writes markup (`tests/source_rules.rs` allows it here only): every coordinate is a number
//! formatted here, and every label goes through `planner::inert::xml` although the planner writes them
//! from numbers and fixed words (no model or GPU name reaches a chart).

use leptos::prelude::*;
use planner::grid::detail::CellDetail;
use planner::grid::group_digits;
use planner::units::rate;
use planner::{Bytes, Unit};
use std::fmt::Write;

/// One shape of a chart; `class` styles it (`chart__axis`, `chart__line`, …).
pub enum Shape {
    /// A straight line from (x1, y1) to (x2, y2).
    Line(&'static str, f64, f64, f64, f64),
    /// A polyline through `x,y x,y …`.
    Poly(&'static str, String),
    /// A label at (x, y); `end` anchors it at its end.
    Text(f64, f64, bool, String),
    /// A data point at (x, y) whose value shows on hover and keyboard focus.
    Point(f64, f64, String),
}

/// The SVG markup of `shapes` in a `width × height` box, with its test id and accessible name.
fn svg((width, height): (f64, f64), test_id: &str, label: &str, shapes: Vec<Shape>) -> String {
    let mut s = format!(
        r#"<svg viewBox="0 0 {} {}" role="img" data-testid="{test_id}" aria-label="{label}">"#,
        n(width),
        n(height)
    );
    for shape in shapes {
        let _ = match shape {
            Shape::Line(class, x1, y1, x2, y2) => write!(
                s,
                r#"<line class="{class}" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
                n(x1),
                n(y1),
                n(x2),
                n(y2)
            ),
            Shape::Poly(class, points) => {
                write!(
                    s,
                    r#"<polyline class="{class}" fill="none" points="{points}"/>"#
                )
            }
            Shape::Point(x, y, text) => write!(
                s,
                r#"<g class="chart__pt" tabindex="0"><circle cx="{}" cy="{}" r="5"/><text class="chart__value" x="{}" y="{}"{}>{}</text></g>"#,
                n(x),
                n(y),
                n(x),
                n(y - 9.0),
                if x > W / 2.0 {
                    r#" text-anchor="end""#
                } else {
                    ""
                },
                planner::inert::xml(&text)
            ),
            Shape::Text(x, y, end, text) => write!(
                s,
                r#"<text class="chart__label" x="{}" y="{}"{}>{}</text>"#,
                n(x),
                n(y),
                if end { r#" text-anchor="end""# } else { "" },
                planner::inert::xml(&text)
            ),
        };
    }
    s.push_str("</svg>");
    s
}

/// A figure of `svg` markup and a caption.
fn figure(markup: String, caption: &'static str) -> impl IntoView {
    view! {
        <figure class="chart">
            <div class="chart__svg" inner_html=markup></div>
            <figcaption>{caption}</figcaption>
        </figure>
    }
}

const W: f64 = 600.0;
const PAD: f64 = 44.0;

/// A coordinate to a tenth of a pixel.
fn n(x: f64) -> String {
    planner::units::fixed(x, 1)
}

/// `x,y x,y …` for a polyline.
fn points(xy: impl Iterator<Item = (f64, f64)>) -> String {
    let mut s = String::new();
    for (x, y) in xy {
        let _ = write!(s, "{},{} ", n(x), n(y));
    }
    s
}

/// The axes, a labelled horizontal line and the labels at both ends of the x axis.
fn frame(
    h: f64,
    (class, y, label): (&'static str, f64, String),
    left: String,
    right: String,
) -> Vec<Shape> {
    let (bottom, r) = (h - PAD, W - PAD);
    vec![
        Shape::Line("chart__axis", PAD, bottom, r, bottom),
        Shape::Line("chart__axis", PAD, PAD, PAD, bottom),
        Shape::Line(class, PAD, y, r, y),
        Shape::Text(r, y - 4.0, true, label),
        Shape::Text(PAD, bottom + 16.0, false, left),
        Shape::Text(r, bottom + 16.0, true, right),
    ]
}

/// Memory per GPU against context length: axes with values and units, the GPU's memory and
/// the engine's budget as lines, the asked context and the plan's own longest context marked,
/// one line per format of the grid (the chosen one bold, each named at its end) and every
/// sampled point's value on hover and keyboard focus.
pub fn context_chart(d: &CellDetail, unit: Unit) -> impl IntoView {
    let h = 260.0;
    let left = PAD + 30.0;
    // Room on the right for the formats' names.
    let right = W - 96.0;
    let bottom = h - PAD;
    let gpu = d.plan.gpu_memory_bytes as f64;
    let peak = |c: &planner::grid::detail::Curve| c.iter().map(|p| p.1 as f64).fold(0.0, f64::max);
    // The scale holds this cell's line and the GPU with room above, and the other formats'
    // lines up to twice that; a line past the top ends there, its name marked ↑.
    let own = peak(&d.curve).max(gpu * 1.15);
    let y_max = d
        .other_formats
        .iter()
        .map(|(_, c)| peak(c))
        .fold(own, f64::max)
        .min(own * 2.0);
    let x = |c: u64| left + (c as f64 / d.x_max.max(1) as f64) * (right - left);
    let y = |b: f64| bottom - (b.min(y_max) / y_max) * (h - 2.0 * PAD);
    let mut shapes = vec![
        Shape::Line("chart__axis", left, bottom, right, bottom),
        Shape::Line("chart__axis", left, PAD, left, bottom),
        Shape::Text(
            left,
            PAD - 16.0,
            false,
            format!("memory per GPU ({})", unit.symbol()),
        ),
        Shape::Text(right, bottom + 30.0, true, "context (tokens)".into()),
    ];
    // Memory ticks at a round step (1, 2, 2.5 or 5 × a power of ten of the unit) that gives
    // three to five of them; context ticks at quarters of its range.
    let per_unit = Bytes(1 << 30).in_unit(unit) / f64::from(1u32 << 30);
    let top = y_max * per_unit;
    let mut mag = 1.0;
    while mag * 10.0 <= top / 4.0 {
        mag *= 10.0;
    }
    while mag > top / 4.0 && mag > 0.01 {
        mag /= 10.0;
    }
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|k| k * mag)
        .find(|s| s * 4.0 >= top)
        .unwrap_or(mag * 10.0);
    let mut v = 0.0;
    while v <= top {
        let b = v / per_unit;
        shapes.push(Shape::Line("chart__tick", left - 4.0, y(b), left, y(b)));
        let label = planner::units::fixed(v, if step < 1.0 { 1 } else { 0 });
        shapes.push(Shape::Text(left - 6.0, y(b) + 4.0, true, label));
        v += step;
    }
    for i in 0..=4u64 {
        let c = d.x_max * i / 4;
        shapes.push(Shape::Line("chart__tick", x(c), bottom, x(c), bottom + 4.0));
        shapes.push(Shape::Text(
            x(c) + if i == 4 { 0.0 } else { -8.0 },
            bottom + 16.0,
            i == 4,
            group_digits(c),
        ));
    }
    // Where the budget is full, counted in the curve's terms (what the engine keeps outside
    // its budget on top): the curve crosses it at the plan's max context.
    let full = d.plan.budget_line_bytes();
    let budget = y(full as f64);
    shapes.extend([
        Shape::Line("chart__limit", left, y(gpu), right, y(gpu)),
        // Named at the left, where memory grows from: the lines rise to the right.
        Shape::Text(
            left + 6.0,
            y(gpu) - 4.0,
            false,
            format!("GPU {}", Bytes(gpu as u64).display(unit)),
        ),
        Shape::Line("chart__budget", left, budget, right, budget),
        Shape::Text(
            left + 6.0,
            budget + 12.0,
            false,
            format!("engine budget full at {}", Bytes(full).display(unit)),
        ),
    ]);
    // One line per format, each named right of its end; names pushed apart so none overlap,
    // and kept inside the plot.
    let mut names = Vec::new();
    for (class, label, curve) in d
        .other_formats
        .iter()
        .map(|(l, c)| ("chart__other", l, c))
        .chain([("chart__line", &d.format_label, &d.curve)])
    {
        shapes.push(Shape::Poly(
            class,
            points(curve.iter().map(|(c, b, _)| (x(*c), y(*b as f64)))),
        ));
        if let Some((c, b, _)) = curve.last() {
            let above = peak(curve) > y_max;
            let name = if above {
                format!("{label} ↑")
            } else {
                label.clone()
            };
            names.push((y(*b as f64), x(*c), name));
        }
    }
    // Top to bottom, each at least a line below the one above (a handful of names: picking the
    // highest left each time keeps a sort's code out of the wasm); then the stack moves up if
    // it runs past the axis.
    let mut placed = Vec::new();
    let mut last = f64::MIN;
    while let Some(i) = (0..names.len()).min_by(|&a, &b| names[a].0.total_cmp(&names[b].0)) {
        let (ly, lx, label) = names.swap_remove(i);
        last = (ly + 4.0).max(last + 12.0);
        placed.push((lx + 4.0, last, label));
    }
    let over = (last - bottom).max(0.0);
    for (lx, ly, label) in placed {
        shapes.push(Shape::Text(lx, (ly - over).max(PAD), false, label));
    }
    // The asked context, named just above the plot.
    let asked = d.plan.context.min(d.x_max);
    shapes.push(Shape::Line(
        "chart__asked",
        x(asked),
        PAD - 12.0,
        x(asked),
        bottom,
    ));
    let end = x(asked) > W / 2.0;
    shapes.push(Shape::Text(
        x(asked) + if end { -4.0 } else { 4.0 },
        PAD - 2.0,
        end,
        format!("asked {}", group_digits(d.plan.context)),
    ));
    // Where it stops fitting is the plan's own max context (the curve is only sampled).
    let max = d.plan.max_context;
    if max > 0 && max < d.x_max {
        shapes.push(Shape::Line("chart__miss", x(max), PAD, x(max), bottom));
        // Low in the plot, on the side with room.
        let past_middle = x(max) > W / 2.0;
        shapes.push(Shape::Text(
            if past_middle {
                x(max) - 4.0
            } else {
                x(max) + 4.0
            },
            bottom - 8.0,
            past_middle,
            format!("fits up to {} tokens", group_digits(max)),
        ));
    } else if max == 0 {
        // Low in the plot, where "fits up to" would be.
        shapes.push(Shape::Text(
            left + 6.0,
            bottom - 8.0,
            false,
            "does not fit at any context".into(),
        ));
    }
    // Every fourth sample as a point with its value (hover, or Tab to it).
    for (c, b, _) in d.curve.iter().step_by(4) {
        shapes.push(Shape::Point(
            x(*c),
            y(*b as f64),
            format!("{} tokens: {}", group_digits(*c), Bytes(*b).display(unit)),
        ));
    }
    figure(
        svg(
            (W, h),
            "chart",
            "Memory per GPU against context length, one line per format",
            shapes,
        ),
        "Memory per GPU as the context grows (concurrency fixed), one line per format on the grid (bold: this cell's; ↑: past the top); dashed: where the engine's budget is full (with what it keeps outside the budget) and the asked context; points show their values on hover or focus.",
    )
}

/// Decode tokens/s per sequence against concurrent sequences (log scale: the points are powers
/// of two and the asked count), solid while they fit, with the user's target and the asked
/// count marked; nothing without a speed figure.
pub fn speed_chart(d: &CellDetail, target: u64) -> Option<impl IntoView> {
    let curve = &d.speed_curve;
    if curve.len() < 2 {
        return None;
    }
    let h = 180.0;
    let n_max = curve.last().map_or(2, |c| c.0).max(2);
    // Without libm's log2: whole doublings by bit length, the rest linear between them.
    let log = |n: u64| {
        let whole = (u64::BITS - n.max(1).leading_zeros() - 1) as f64;
        let base = 1u64 << whole as u32;
        whole + (n - base) as f64 / base as f64
    };
    let steps = log(n_max).max(1.0);
    let y_max = curve
        .iter()
        .map(|c| c.1)
        .fold(target as f64 * 1.2, f64::max);
    let x = |n: u64| PAD + log(n) / steps * (W - 2.0 * PAD);
    let y = |t: f64| h - PAD - (t / y_max) * (h - 2.0 * PAD);
    let mut shapes = frame(
        h,
        (
            "chart__budget",
            y(target as f64),
            format!("target {target} tokens/s"),
        ),
        "1".into(),
        format!("{} sequences", group_digits(n_max)),
    );
    let fit_end = curve.iter().take_while(|c| c.3).count();
    let line = |part: &[(u64, f64, f64, bool)]| points(part.iter().map(|c| (x(c.0), y(c.1))));
    let asked = x(d.plan.concurrency);
    shapes.extend([
        Shape::Poly("chart__line", line(&curve[..fit_end])),
        Shape::Poly("chart__budget", line(&curve[fit_end.saturating_sub(1)..])),
        Shape::Line("chart__miss", asked, PAD, asked, h - PAD),
        Shape::Text(
            asked + 4.0,
            h - PAD - 8.0,
            false,
            format!("{} asked", d.plan.concurrency),
        ),
        Shape::Text(
            PAD + 4.0,
            PAD - 6.0,
            false,
            format!("{} tokens/s", rate(y_max)),
        ),
    ]);
    Some(figure(
        svg((W, h), "speed-chart", "Decode tokens per second per sequence against concurrent sequences", shapes),
        "Decode tokens/s per sequence as more sequences share the GPU (log scale; dashed where they no longer fit); dashed line: your target.",
    ))
}

//! A page evaluates only the part of a large grid it shows (`evaluate_part`): every cell of that
//! part, and its cost-mode counts and cheapest line, must equal the whole grid's.

use planner::catalog::catalog;
use planner::engines::support::Unsupported;
use planner::grid::{evaluate_part, Mode, Sort, Span};
use planner::{evaluate, GridConfig};

/// The whole catalogue on the grid, at the default formats.
fn full_catalogue() -> GridConfig {
    let cat = catalog();
    GridConfig {
        models: cat.models.iter().map(|m| m.id.clone()).collect(),
        gpus: cat.gpus.iter().map(|g| g.id.clone()).collect(),
        ..GridConfig::default()
    }
}

/// Evaluates `c` in full and in the part `span`, and checks the part against the whole.
fn part_equals_whole(c: &GridConfig, span: Span) {
    let whole = evaluate(c, catalog());
    let part = evaluate_part(c, catalog(), &|rows, cols| {
        assert_eq!((rows, cols), (whole.rows.len(), whole.columns.len()));
        span
    });
    // Same rows and columns, in the same order.
    assert_eq!(part.columns, whole.columns);
    assert_eq!(part.rows.len(), whole.rows.len());
    let mut outside = 0;
    for (r, (p, w)) in part.rows.iter().zip(&whole.rows).enumerate() {
        assert_eq!((&p.model_id, p.format), (&w.model_id, w.format));
        for c in 0..whole.columns.len() {
            let inside =
                (span.rows.0..span.rows.1).contains(&r) && (span.cols.0..span.cols.1).contains(&c);
            if inside {
                assert_eq!(p.cells[c], w.cells[c], "row {r} column {c}");
                assert_eq!(p.counts.get(c), w.counts.get(c), "row {r} column {c}");
                if let Some(ch) = whole.cheapest.get(&w.model_id) {
                    assert_eq!(part.cheapest.get(&w.model_id), Some(ch));
                }
            } else {
                assert_eq!(p.cells[c], Err(Unsupported::NOT_EVALUATED));
                outside += 1;
            }
        }
    }
    assert!(outside > 0, "the span should leave cells out");
}

#[test]
fn the_shown_part_of_the_full_catalogue_equals_the_whole_grid() {
    let span = Span {
        rows: (120, 160),
        cols: (30, 40),
    };
    part_equals_whole(&full_catalogue(), span);
    // Sorted by size (the order does not depend on the cells) and in the speed mode.
    let mut c = full_catalogue();
    c.view.sort = Sort::Size;
    c.view.mode = Mode::Speed;
    part_equals_whole(&c, span);
}

#[test]
fn the_cost_mode_part_has_the_whole_grids_counts_and_cheapest_lines() {
    let mut c = full_catalogue();
    c.view.mode = Mode::Cost;
    c.models.truncate(40);
    part_equals_whole(
        &c,
        Span {
            rows: (8, 24),
            cols: (0, 12),
        },
    );
}

#[test]
fn sorting_by_fit_evaluates_every_cell() {
    let mut c = full_catalogue();
    c.models.truncate(30);
    c.view.sort = Sort::Fit;
    let whole = evaluate(&c, catalog());
    let part = evaluate_part(&c, catalog(), &|_, _| Span {
        rows: (0, 4),
        cols: (0, 4),
    });
    assert_eq!(part, whole);
    assert_eq!(part.span.rows, (0, whole.rows.len()));
}

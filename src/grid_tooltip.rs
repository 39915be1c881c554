//! The one tooltip of the grid: the planner's sentence for the active cell, next to it.

use leptos::prelude::*;
use planner::{Grid, GridConfig};

use crate::grid_view::Active;

/// The one tooltip: the full numbers of the active cell, next to it.
#[component]
pub(crate) fn Tooltip(
    /// The configuration (units).
    config: RwSignal<GridConfig>,
    /// The evaluated grid.
    grid: Memo<Grid>,
    /// The cell under the pointer or focus.
    active: RwSignal<Option<Active>>,
) -> impl IntoView {
    let content = move || {
        let (unit, look) = config.with(|c| (c.view.unit, (c.view.mode, c.view.thresholds)));
        active.with(|a| {
            let a = a.as_ref()?;
            grid.with(|g| g.tooltip(&a.model_id, a.format, &a.gpu_id, look, unit))
        })
    };
    let pos = move || active.with(|a| a.as_ref().map(|a| (a.x, a.y)).unwrap_or((0.0, 0.0)));
    view! {
        <div id="grid-tip" class="grid__tip" role="tooltip" data-testid="tooltip"
            data-open=move || content().is_some().to_string()
            data-above=move || active.with(|a| a.as_ref().is_some_and(|a| a.above)).to_string()
            style:left=move || format!("{}px", planner::units::fixed(pos().0, 0))
            style:top=move || format!("{}px", planner::units::fixed(pos().1, 0))>
            {move || content().unwrap_or_default()}
        </div>
    }
}

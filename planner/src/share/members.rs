//! A co-located member in a link: `model~format~engine~ctx~n~kv~pct`.

use crate::catalog::Catalog;
use crate::grid::GridConfig;
use crate::inert;
use crate::model::weights::WeightFormat;
use crate::plan::colocate::Member;

/// Most models one co-located set may hold (a link stays short, the panel fits a screen).
pub const MAX_COLOCATED: usize = 8;

/// `model~format~engine~ctx~n~kv~pct`: one co-located member in a link.
pub fn member_to_link(m: &Member) -> String {
    format!(
        "{}~{}~{}~{}~{}~{}~{}",
        m.model_id,
        m.format.id(),
        m.workload.engine.id(),
        m.workload.context,
        m.workload.concurrency,
        m.workload.kv_dtype.id(),
        m.fraction_pct()
    )
}

/// Reads [`member_to_link`]'s form; the error says which part is wrong.
pub fn member_from_link(s: &str, lookup: &GridConfig, catalog: &Catalog) -> Result<Member, String> {
    let parts: Vec<&str> = s.split('~').map(str::trim).collect();
    let [model, format, engine, ctx, n, kv, pct] = parts[..] else {
        return Err("must be model~format~engine~context~concurrency~kv~percent".into());
    };
    let model = lookup
        .find_model(model, catalog)
        .ok_or_else(|| format!("model `{}` is not in the catalogue", inert::clip(model, 60)))?;
    let mut m = Member::new(
        model.id.clone(),
        WeightFormat::parse(format).ok_or("unknown weight format")?,
    );
    // Each part through the same parsers and range table as the page's own edits.
    for (key, value) in [
        ("engine", engine),
        ("ctx", ctx),
        ("n", n),
        ("kv", kv),
        ("frac", pct),
    ] {
        m.edit(key, value)?;
    }
    Ok(m)
}

//! The one search box: what a typed text names (a model, a GPU or a format, the user's own
//! entries included, or a Hugging Face repo id to fetch) and putting it on the grid.

use super::GridConfig;
use crate::catalog::Catalog;
pub use crate::checkpoint::repo::is_repo_id;
use crate::model::weights::WeightFormat;

/// What a search names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A model, by id.
    Model(String),
    /// A GPU, by id.
    Gpu(String),
    /// A weight format.
    Format(WeightFormat),
    /// Not known here, but a Hugging Face repo id (`owner/name`) the Hub may have.
    Hub(String),
    /// Nothing.
    Nothing,
}

/// What `query` names: a model (id, alias or name), a GPU (id or name) or a format (id),
/// ignoring case; else a repo id to fetch. The search box's suggestions (every id, with its
/// name) do the finding by words; this reads what was chosen or typed in full.
pub fn find(query: &str, config: &GridConfig, catalog: &Catalog) -> Found {
    let q = query.trim();
    let models = || {
        config
            .custom_models
            .iter()
            .map(|c| &c.model)
            .chain(&catalog.models)
    };
    let gpus = || config.custom_gpus.iter().chain(&catalog.gpus);
    if let Some(m) = config
        .find_model(q, catalog)
        .or_else(|| models().find(|m| m.name.eq_ignore_ascii_case(q)))
    {
        Found::Model(m.id.clone())
    } else if let Some(g) = config
        .find_gpu(q, catalog)
        .or_else(|| gpus().find(|g| g.name.eq_ignore_ascii_case(q)))
    {
        Found::Gpu(g.id.clone())
    } else if let Some(f) = WeightFormat::parse(q) {
        Found::Format(f)
    } else if is_repo_id(q) {
        Found::Hub(q.to_string())
    } else {
        Found::Nothing
    }
}

impl GridConfig {
    /// Puts a found model, GPU or format on the grid (at the end of its axis); `false` when it
    /// was there already or there is nothing to add.
    pub fn add_found(&mut self, found: &Found) -> bool {
        fn push_new<T: PartialEq + Clone>(list: &mut Vec<T>, item: &T) -> bool {
            let new = !list.contains(item);
            if new {
                list.push(item.clone());
            }
            new
        }
        match found {
            Found::Model(id) => push_new(&mut self.models, id),
            Found::Gpu(id) => push_new(&mut self.gpus, id),
            Found::Format(f) => push_new(&mut self.formats, f),
            Found::Hub(_) | Found::Nothing => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn ids_aliases_and_names_find_one_entry() {
        let (cat, c) = (catalog(), GridConfig::default());
        let model = |id: &str| Found::Model(id.to_string());
        assert_eq!(find("Qwen/Qwen3-8B", &c, cat), model("Qwen/Qwen3-8B"));
        assert_eq!(find(" qwen/qwen3-8b ", &c, cat), model("Qwen/Qwen3-8B"));
        assert_eq!(find("Qwen3-8B", &c, cat), model("Qwen/Qwen3-8B"));
        // An instruct tune that shares the base's config.json is that entry.
        assert_eq!(
            find("meta-llama/Llama-3.1-70B-Instruct", &c, cat),
            model("meta-llama/Llama-3.1-70B")
        );
        assert_eq!(find("h200", &c, cat), Found::Gpu("h200-141gb".into()));
        assert_eq!(find("h200-141gb", &c, cat), Found::Gpu("h200-141gb".into()));
        assert_eq!(find("q4_k_m", &c, cat), Found::Format(WeightFormat::Q4KM));
        assert_eq!(
            find("not-a/model-xyz", &c, cat),
            Found::Hub("not-a/model-xyz".into())
        );
        assert_eq!(find("llama 70b", &c, cat), Found::Nothing);
        assert_eq!(find("  ", &c, cat), Found::Nothing);
        assert!(!is_repo_id("a/b/c") && !is_repo_id("a b/c") && is_repo_id("a.b/c-d_e"));
    }

    #[test]
    fn adding_appends_once() {
        let mut c = GridConfig::default();
        let gpu = Found::Gpu("h200-141gb".into());
        assert!(c.add_found(&gpu));
        assert_eq!(c.gpus.last().map(String::as_str), Some("h200-141gb"));
        let n = c.gpus.len();
        assert!(!c.add_found(&gpu) && c.gpus.len() == n);
        assert!(!c.add_found(&Found::Hub("a/b".into())));
    }
}

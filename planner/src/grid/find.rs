//! The one search box: what a typed text names (a model, a GPU or a format, the user's own
//! entries included, or a Hugging Face repo id to fetch) and putting it on the grid.

use super::presets::matches;
use super::GridConfig;
use crate::catalog::Catalog;
use crate::model::weights::{WeightFormat, ALL_FORMATS};

/// What a search names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A model, by id.
    Model(String),
    /// A GPU, by id.
    Gpu(String),
    /// A weight format.
    Format(WeightFormat),
    /// Several entries match: how many.
    Several(usize),
    /// Nothing known matches, but it reads as a Hugging Face repo id (`owner/name`).
    Hub(String),
    /// Nothing matches.
    Nothing,
}

/// `owner/name` with the characters the Hub allows in repo ids (letters, digits, `-_.`, at
/// most 96 each).
pub fn is_repo_id(text: &str) -> bool {
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 96
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    matches!(text.split_once('/'), Some((a, b)) if ok(a) && ok(b))
}

/// What `query` names: an exact id first (model, GPU, format), else the one entry whose name
/// and id contain every word of it, else a repo id to fetch.
pub fn find(query: &str, config: &GridConfig, catalog: &Catalog) -> Found {
    let q = query.trim();
    if q.is_empty() {
        return Found::Nothing;
    }
    if let Some(m) = config.find_model(q, catalog) {
        return Found::Model(m.id.clone());
    }
    if let Some(g) = config.find_gpu(q, catalog) {
        return Found::Gpu(g.id.clone());
    }
    if let Some(f) = WeightFormat::parse(q) {
        return Found::Format(f);
    }
    let models = config
        .custom_models
        .iter()
        .map(|c| &c.model)
        .chain(&catalog.models);
    let gpus = config.custom_gpus.iter().chain(&catalog.gpus);
    // (found, exact name): a name typed in full wins over the longer names containing it.
    let mut hits: Vec<(Found, bool)> = models
        .filter(|m| matches(q, &format!("{} {}", m.name, m.id)))
        .map(|m| (Found::Model(m.id.clone()), m.name.eq_ignore_ascii_case(q)))
        .chain(
            gpus.filter(|g| matches(q, &format!("{} {} {}", g.name, g.full_name, g.id)))
                .map(|g| (Found::Gpu(g.id.clone()), g.name.eq_ignore_ascii_case(q))),
        )
        .chain(
            ALL_FORMATS
                .iter()
                .filter(|f| matches(q, &format!("{} {}", f.id(), f.label())))
                .map(|&f| (Found::Format(f), f.label().eq_ignore_ascii_case(q))),
        )
        .collect();
    let several = hits.len();
    if several > 1 {
        hits.retain(|(_, exact)| *exact);
        if hits.len() != 1 {
            return Found::Several(several);
        }
    }
    match hits.pop() {
        Some((found, _)) => found,
        None if is_repo_id(q) => Found::Hub(q.to_string()),
        None => Found::Nothing,
    }
}

impl GridConfig {
    /// Puts what a search found on the grid (at the end of its axis) and says what happened.
    /// `Hub` is the caller's to fetch; its sentence offers that.
    pub fn add_found(&mut self, found: &Found, query: &str, catalog: &Catalog) -> String {
        let (added, name, what) = match found {
            Found::Model(id) => {
                let name = self.find_model(id, catalog).map(|m| m.name.clone());
                (push_new(&mut self.models, id), name, "model")
            }
            Found::Gpu(id) => {
                let name = self.find_gpu(id, catalog).map(|g| g.name.clone());
                (push_new(&mut self.gpus, id), name, "GPU")
            }
            Found::Format(f) => {
                let added = !self.formats.contains(f);
                if added {
                    self.formats.push(*f);
                }
                (added, Some(f.label().to_string()), "format")
            }
            Found::Several(n) => {
                return format!("{n} entries match \u{201c}{}\u{201d}: type more of the name, or choose one from the list", query.trim())
            }
            Found::Hub(repo) => {
                return format!("{repo} is not in the catalogue: fetch its config.json from the Hugging Face Hub?")
            }
            Found::Nothing => {
                return format!(
                    "Nothing in the catalogue matches \u{201c}{}\u{201d} (a model, GPU, format, or a Hugging Face id like Qwen/Qwen3-8B)",
                    query.trim()
                )
            }
        };
        let name = name.unwrap_or_default();
        if added {
            format!("Added the {what} {name} to the grid")
        } else {
            format!("The {what} {name} is already on the grid")
        }
    }
}

/// Appends `id` unless present; whether it was added.
fn push_new(list: &mut Vec<String>, id: &str) -> bool {
    let new = !list.iter().any(|x| x == id);
    if new {
        list.push(id.to_string());
    }
    new
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn ids_names_and_words_find_one_entry() {
        let (cat, c) = (catalog(), GridConfig::default());
        let model = |id: &str| Found::Model(id.to_string());
        assert_eq!(find("Qwen/Qwen3-8B", &c, cat), model("Qwen/Qwen3-8B"));
        // Case-insensitive ids, and words of a name in any order.
        assert_eq!(find("qwen/qwen3-8b", &c, cat), model("Qwen/Qwen3-8B"));
        assert_eq!(
            find("405b llama", &c, cat),
            model("meta-llama/Llama-3.1-405B-Instruct")
        );
        assert_eq!(find("h200", &c, cat), Found::Gpu("h200-141gb".into()));
        assert_eq!(find("q4_k_m", &c, cat), Found::Format(WeightFormat::Q4KM));
        // "Qwen3-8B" is also inside no other name; "Qwen3" is inside many.
        assert!(matches!(find("qwen3", &c, cat), Found::Several(n) if n > 5));
        // A full name that is also part of longer names is that entry.
        assert_eq!(find("Qwen3-8B", &c, cat), model("Qwen/Qwen3-8B"));
        assert_eq!(
            find("not-a/model-xyz", &c, cat),
            Found::Hub("not-a/model-xyz".into())
        );
        assert_eq!(find("zzzz", &c, cat), Found::Nothing);
        assert_eq!(find("  ", &c, cat), Found::Nothing);
        assert!(!is_repo_id("a/b/c") && !is_repo_id("a b/c") && is_repo_id("a.b/c-d_e"));
    }

    #[test]
    fn adding_appends_once_and_says_so() {
        let cat = catalog();
        let mut c = GridConfig::default();
        let gpu = Found::Gpu("h200-141gb".into());
        let said = c.add_found(&gpu, "h200", cat);
        assert_eq!(said, "Added the GPU H200 to the grid");
        assert_eq!(c.gpus.last().map(String::as_str), Some("h200-141gb"));
        let n = c.gpus.len();
        assert!(c
            .add_found(&gpu, "h200", cat)
            .contains("already on the grid"));
        assert_eq!(c.gpus.len(), n);
        let hub = c.add_found(&Found::Hub("a/b".into()), "a/b", cat);
        assert!(hub.starts_with("a/b is not in the catalogue"));
    }
}

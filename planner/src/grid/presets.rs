//! Named selections of grid contents ("seed study", "consumer GPUs", …), and the catalogue
//! search the pickers use. Pure functions over the catalogue so the page and tests agree.

use crate::catalog::Catalog;
use crate::grid::GridConfig;

/// A preset button.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Preset {
    /// The seed study: its three models, five GPUs and four formats (all other settings kept).
    SeedStudy,
    /// Every consumer GPU in the catalogue.
    ConsumerGpus,
    /// Every datacenter GPU in the catalogue.
    Datacenter,
    /// Dense models of 60–80 B parameters.
    SeventyBClass,
}

/// All presets in UI order.
pub const ALL_PRESETS: [Preset; 4] = [
    Preset::SeedStudy,
    Preset::ConsumerGpus,
    Preset::Datacenter,
    Preset::SeventyBClass,
];

impl Preset {
    /// Button label.
    pub fn label(self) -> &'static str {
        match self {
            Preset::SeedStudy => "Seed study",
            Preset::ConsumerGpus => "Consumer GPUs",
            Preset::Datacenter => "Datacenter",
            Preset::SeventyBClass => "70B class",
        }
    }

    /// Stable id (test hooks).
    pub fn id(self) -> &'static str {
        match self {
            Preset::SeedStudy => "seed",
            Preset::ConsumerGpus => "consumer",
            Preset::Datacenter => "datacenter",
            Preset::SeventyBClass => "70b",
        }
    }

    /// Applies the preset to the axis (or axes) it is about.
    pub fn apply(self, config: &mut GridConfig, catalog: &Catalog) {
        let gpus_of = |class: &str| -> Vec<String> {
            catalog
                .gpus
                .iter()
                .filter(|g| g.class == class)
                .map(|g| g.id.clone())
                .collect()
        };
        match self {
            Preset::SeedStudy => {
                let d = GridConfig::default();
                config.models = d.models;
                config.gpus = d.gpus;
                config.formats = d.formats;
            }
            Preset::ConsumerGpus => config.gpus = gpus_of("consumer"),
            Preset::Datacenter => config.gpus = gpus_of("datacenter"),
            // One TP for the whole grid would grey out most GPUs; the cost mode shows, per
            // cell, the fewest of each GPU (tensor parallel) that serve a 70B model.
            Preset::SeventyBClass => {
                config.view.mode = super::Mode::Cost;
                config.models = catalog
                    .models
                    .iter()
                    .filter(|m| m.config.moe.is_none())
                    .filter(|m| (60_000_000_000..80_000_000_000).contains(&m.config.param_count()))
                    .map(|m| m.id.clone())
                    .collect();
            }
        }
    }
}

/// Case-insensitive match of every whitespace-separated word of `query` in `text`.
pub fn matches(query: &str, text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    query
        .split_whitespace()
        .all(|word| text.contains(&word.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn presets_select_what_their_names_say() {
        let cat = catalog();
        let mut c = GridConfig::default();
        Preset::ConsumerGpus.apply(&mut c, cat);
        assert!(c.gpus.contains(&"rtx-4090-24gb".to_string()));
        assert!(!c.gpus.contains(&"h100-sxm-80gb".to_string()));
        Preset::Datacenter.apply(&mut c, cat);
        assert!(c.gpus.contains(&"h100-sxm-80gb".to_string()));
        assert!(!c.gpus.contains(&"rtx-4090-24gb".to_string()));
        Preset::SeventyBClass.apply(&mut c, cat);
        assert!(c
            .models
            .contains(&"meta-llama/Llama-3.3-70B-Instruct".to_string()));
        assert!(c.models.contains(&"Qwen/Qwen2.5-72B-Instruct".to_string()));
        assert!(
            !c.models.iter().any(|m| m.contains("Mixtral")),
            "MoE is not 70B class"
        );
        assert_eq!(c.view.mode, crate::grid::Mode::Cost);
        Preset::SeedStudy.apply(&mut c, cat);
        let d = GridConfig::default();
        assert_eq!((c.models, c.gpus, c.formats), (d.models, d.gpus, d.formats));
    }

    #[test]
    fn search_matches_all_words_in_any_case() {
        assert!(matches("llama 70b", "meta-llama/Llama-3.3-70B-Instruct"));
        assert!(!matches("llama 8b", "meta-llama/Llama-3.3-70B-Instruct"));
        assert!(matches("", "anything"));
    }
}

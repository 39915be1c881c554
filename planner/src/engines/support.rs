//! Which engines load which weight formats, and the error a cell shows when one cannot.

use super::{llama_cpp, sglang, transformers, vllm, Engine, ALL_ENGINES};
use crate::model::weights::WeightFormat;

/// Why a cell has no plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// Plain-words reason.
    pub reason: String,
}

/// Whether `engine` loads `format` (each engine file's `loads`).
pub fn supports(engine: Engine, format: WeightFormat) -> Result<(), Unsupported> {
    let ok = match engine {
        Engine::Vllm => vllm::loads(format),
        Engine::Sglang => sglang::loads(format),
        Engine::LlamaCpp => llama_cpp::loads(format),
        Engine::Transformers => transformers::loads(format),
    };
    if ok {
        Ok(())
    } else {
        Err(Unsupported {
            reason: format!(
                "{} does not load {} weights",
                engine.label(),
                format.label()
            ),
        })
    }
}

/// The engines that load `format` (per [`supports`]).
pub fn engines_for(format: WeightFormat) -> Vec<Engine> {
    ALL_ENGINES
        .into_iter()
        .filter(|&e| supports(e, format).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_an_engine_and_gguf_is_llama_cpp_territory() {
        for f in crate::model::weights::ALL_FORMATS {
            assert!(!engines_for(f).is_empty(), "{f:?}");
        }
        assert!(engines_for(WeightFormat::Q4KM).contains(&Engine::LlamaCpp));
        assert!(!engines_for(WeightFormat::Q4KM).contains(&Engine::Transformers));
        assert!(!engines_for(WeightFormat::Awq).contains(&Engine::LlamaCpp));
        assert!(crate::model::weights::ALL_FORMATS.len() >= 15);
    }
}

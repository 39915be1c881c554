//! The co-located set of a configuration as the page and the CLI report it: priced by each
//! engine's rule (`plan::colocate`), with the verdict and each member's line in words.

use super::GridConfig;
use crate::catalog::Catalog;
use crate::plan::colocate::{colocate, launch_commands, Colocation};
use crate::units::{Bytes, Unit};

/// The set on its GPU, with names, commands and the sentences that describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct ColocationReport {
    /// The set as priced.
    pub set: Colocation,
    /// Display names of the members (their ids when not found).
    pub names: Vec<String>,
    /// The GPU's display name.
    pub gpu_name: String,
    /// Each member's launch command (its own fraction and port), or why there is none.
    pub commands: Vec<String>,
}

impl ColocationReport {
    /// "✓ Fits on H100 NVL: … held, … headroom" or why it does not.
    pub fn summary(&self, unit: Unit) -> String {
        let (set, gpu) = (&self.set, &self.gpu_name);
        let b = |x: Bytes| x.display(unit);
        if set.fits {
            format!(
                "✓ Fits on {gpu}: {} of {} held, {} headroom",
                b(set.used),
                b(set.gpu),
                b(set.headroom())
            )
        } else if set.overflow() > Bytes::ZERO {
            format!(
                "✗ Does not fit on {gpu}: {} needed of {}, {} over",
                b(set.used),
                b(set.gpu),
                b(set.overflow())
            )
        } else {
            format!(
                "✗ Does not fit on {gpu}: a model below cannot run as set ({} of {} held)",
                b(set.used),
                b(set.gpu)
            )
        }
    }

    /// One line per member: "✓ name: holds …" or "✗ name: why".
    pub fn member_lines(&self, unit: Unit) -> Vec<String> {
        self.set
            .members
            .iter()
            .zip(&self.names)
            .map(|(m, name)| match &m.problem {
                None => format!("✓ {name}: holds {}", m.footprint.display(unit)),
                Some(p) => format!("✗ {name}: {p}"),
            })
            .collect()
    }
}

impl GridConfig {
    /// The co-located set on its GPU, or `None` when there is none (or its GPU is unknown).
    pub fn colocation(&self, catalog: &Catalog) -> Option<ColocationReport> {
        if self.colo.is_empty() {
            return None;
        }
        let gpu = self.find_gpu(&self.colo_gpu, catalog)?;
        let models: Vec<_> = self
            .colo
            .iter()
            .map(|m| self.find_model(&m.model_id, catalog))
            .collect();
        let pairs: Vec<_> = models
            .iter()
            .map(|m| m.map(|m| &m.config))
            .zip(self.colo.iter())
            .collect();
        Some(ColocationReport {
            set: colocate(&pairs, gpu),
            commands: launch_commands(&pairs, gpu)
                .into_iter()
                .zip(&self.colo)
                .map(|(cmd, m)| {
                    cmd.unwrap_or_else(|| format!("# {}: no server command", m.model_id))
                })
                .collect(),
            names: models
                .iter()
                .zip(&self.colo)
                .map(|(m, mem)| m.map_or(mem.model_id.clone(), |m| m.name.clone()))
                .collect(),
            gpu_name: gpu.name.clone(),
        })
    }
}

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
    /// Adds the grid's first model to the co-located set (AWQ on vLLM, 4,096 tokens) with the
    /// smallest memory fraction at which the whole set fits, so a new member does not fail at
    /// once; when none does, the share the others leave (at least 5 %), and the panel says
    /// why it does not fit.
    pub fn add_colo_member(&mut self, catalog: &Catalog) {
        let mut m = crate::plan::colocate::Member::new(
            self.models.first().cloned().unwrap_or_default(),
            crate::model::weights::WeightFormat::Awq,
        );
        let taken: u64 = self.colo.iter().map(|c| c.fraction_pct()).sum();
        m.set_fraction_pct(100u64.saturating_sub(taken).max(5));
        self.colo.push(m);
        let last = self.colo.len() - 1;
        for pct in 5..=95 {
            self.colo[last].set_fraction_pct(pct);
            if self.colocation(catalog).is_some_and(|r| r.set.fits) {
                return;
            }
        }
        self.colo[last].set_fraction_pct(100u64.saturating_sub(taken).max(5));
    }

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

#[cfg(test)]
mod tests {
    use crate::catalog::catalog;
    use crate::grid::GridConfig;

    #[test]
    fn an_added_member_gets_a_fraction_that_fits() {
        let mut c = GridConfig {
            models: vec!["Qwen/Qwen2.5-0.5B".into()],
            ..GridConfig::default()
        };
        c.add_colo_member(catalog());
        c.add_colo_member(catalog());
        let report = c.colocation(catalog()).unwrap();
        assert!(
            report.set.fits,
            "{:?}",
            report.member_lines(crate::Unit::GiB)
        );
        // The smallest share that fits, not 45 % each.
        assert!(
            c.colo[0].fraction_pct() < 45,
            "{}",
            c.colo[0].fraction_pct()
        );
    }
}

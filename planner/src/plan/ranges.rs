//! One table of the ranges a workload's numbers may take, used by the URL decoder, the page's
//! controls, co-location members and the CLI alike, with one typed error.

use thiserror::Error;

/// A workload number the user sets.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// Context length per sequence, tokens.
    Context,
    /// Concurrent sequences.
    Concurrency,
    /// Tensor-parallel GPUs.
    TensorParallel,
    /// Pipeline stages.
    PipelineParallel,
    /// vLLM `--gpu-memory-utilization`, percent.
    GpuUtilPct,
    /// A co-located member's share of the GPU, percent.
    MemberFractionPct,
    /// SGLang `--mem-fraction-static`, percent.
    MemFractionStaticPct,
    /// llama.cpp `-ngl`: layers on the GPU.
    GpuLayers,
    /// llama.cpp `--n-cpu-moe`: layers whose experts stay on the CPU.
    CpuMoeLayers,
    /// System RAM free for the engine, GiB.
    SystemMemoryGib,
    /// System RAM bandwidth, GB/s.
    SystemBandwidth,
    /// Speed mode's target, decode tokens/s per user.
    SpeedTarget,
}

/// The table: each field's smallest and largest value. Context reaches past every catalogued
/// model's limit (Llama 4 Scout states 10,485,760 tokens); concurrency past vLLM's default
/// `max_num_seqs` of 1,024 by far; TP past any single node; a budget under 10 % leaves no
/// engine room to start.
const RANGES: [(Field, u64, u64); 12] = [
    (Field::Context, 1, 10_000_000),
    (Field::Concurrency, 1, 100_000),
    (Field::TensorParallel, 1, 1024),
    (Field::PipelineParallel, 1, 2048),
    (Field::GpuUtilPct, 10, 100),
    (Field::MemberFractionPct, 5, 100),
    // SGLang asserts 0 < mem_fraction_static < 1; under 10 % no model has a pool.
    (Field::MemFractionStaticPct, 10, 99),
    // Layer counts stop at the config reader's own bound on `num_hidden_layers`.
    (Field::GpuLayers, 0, 2048),
    (Field::CpuMoeLayers, 0, 2048),
    // Past any one machine's RAM (64 TiB) and bandwidth (a 12-channel DDR5 socket: ~600 GB/s).
    (Field::SystemMemoryGib, 1, 65_536),
    (Field::SystemBandwidth, 1, 100_000),
    (Field::SpeedTarget, 1, 100_000),
];

/// The tensor-parallel sizes the page offers (the server sizes GPUs are rented in; any TP that
/// divides the heads can still come from a link or the CLI).
pub const TP_CHOICES: [u64; 4] = [1, 2, 4, 8];

/// The TP choices to offer when `current` is in effect: [`TP_CHOICES`], plus `current` when it
/// is another number (so a link's TP shows as chosen instead of a blank control).
pub fn tp_choices(current: u64) -> Vec<u64> {
    let mut v = TP_CHOICES.to_vec();
    if !v.contains(&current) {
        v.push(current);
        v.sort_unstable();
    }
    v
}

/// A value outside its field's range, or not a whole number.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{what} must be a whole number from {min} to {max}")]
pub struct RangeError {
    /// The field in words.
    pub what: &'static str,
    /// Smallest allowed.
    pub min: u64,
    /// Largest allowed.
    pub max: u64,
}

impl Field {
    /// `(min, max)`, inclusive.
    pub fn range(self) -> (u64, u64) {
        RANGES
            .iter()
            .find(|(f, _, _)| *f == self)
            .map_or((1, 1), |&(_, lo, hi)| (lo, hi))
    }

    /// The field in words.
    pub fn label(self) -> &'static str {
        match self {
            Field::Context => "context",
            Field::Concurrency => "concurrency",
            Field::TensorParallel => "tensor parallel",
            Field::PipelineParallel => "pipeline parallel",
            Field::GpuUtilPct => "GPU memory utilization (%)",
            Field::MemberFractionPct => "memory fraction (%)",
            Field::MemFractionStaticPct => "SGLang mem_fraction_static (%)",
            Field::GpuLayers => "GPU layers (-ngl)",
            Field::CpuMoeLayers => "layers with experts on the CPU (--n-cpu-moe)",
            Field::SystemMemoryGib => "system RAM (GiB)",
            Field::SystemBandwidth => "system RAM bandwidth (GB/s)",
            Field::SpeedTarget => "speed target (tokens/s per user)",
        }
    }

    /// `n` if it is within the range.
    pub fn check(self, n: u64) -> Result<u64, RangeError> {
        let (min, max) = self.range();
        if (min..=max).contains(&n) {
            Ok(n)
        } else {
            Err(self.error())
        }
    }

    /// Parses typed or linked text (`_` allowed as a digit separator) within the range.
    pub fn parse(self, text: &str) -> Result<u64, RangeError> {
        let n: u64 = text
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| self.error())?;
        self.check(n)
    }

    fn error(self) -> RangeError {
        let (min, max) = self.range();
        RangeError {
            what: self.label(),
            min,
            max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_one_range_and_a_named_error() {
        for (i, (f, lo, hi)) in RANGES.iter().enumerate() {
            assert!(lo <= hi && !RANGES[i + 1..].iter().any(|(g, _, _)| g == f));
        }
        assert_eq!(Field::Context.parse("32_768"), Ok(32_768));
        assert_eq!(
            Field::GpuUtilPct.parse("9").unwrap_err().to_string(),
            "GPU memory utilization (%) must be a whole number from 10 to 100"
        );
        assert!(Field::Concurrency.parse("1e3").is_err());
        assert!(Field::TensorParallel.check(0).is_err());
    }
}

//! The text of one cell, shared by the page, the exports and the CLI so they always agree.

use super::config::Mode;
use crate::catalog::price::UsdPerHour;
use crate::engines::support::Unsupported;
use crate::plan::cost::GPU_COUNTS;
use crate::plan::{Band, LimitedBy, Plan, SpeedBand, Thresholds};
use crate::units::rate;

/// What one cell displays, shared by the page and the exports so they always agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellText {
    /// `data-fit` token: a band, or `unsupported`.
    pub fit: &'static str,
    /// The symbol (never colour alone).
    pub symbol: &'static str,
    /// The number: `58%`, `32,768`, `12`, or `—`.
    pub value: String,
    /// The band in words.
    pub label: &'static str,
}

pub use crate::units::group_digits;

/// The symbol of a cell the engine cannot run (the legend's and the exports' too).
pub const UNSUPPORTED_SYMBOL: &str = "⊘";

impl CellText {
    /// The text of a cell in `mode` under `thresholds`; in [`Mode::Cost`] `cost` is the GPU
    /// count that fits (0: none up to 8) and the price per GPU-hour, if known.
    pub fn of(
        cell: &Result<Plan, Unsupported>,
        mode: Mode,
        thresholds: Thresholds,
        cost: Option<(u64, Option<UsdPerHour>)>,
    ) -> CellText {
        if let (Mode::Cost, Ok(p), Some((count, price))) = (mode, cell, cost) {
            if count == 0 {
                return CellText {
                    fit: Band::DoesNotFit.as_str(),
                    symbol: Band::DoesNotFit.symbol(),
                    value: format!(">{} GPUs", GPU_COUNTS[GPU_COUNTS.len() - 1]),
                    label: Band::DoesNotFit.label(),
                };
            }
            let band = thresholds.band_of(p);
            let times = if count > 1 {
                format!("{count}× ")
            } else {
                String::new()
            };
            let value = match price {
                Some(pr) => format!("{times}{}", pr.times(count)),
                None => format!("{count}× · no price"),
            };
            return CellText {
                fit: band.as_str(),
                symbol: band.symbol(),
                value,
                label: band.label(),
            };
        }
        match cell {
            Err(_) => CellText {
                fit: "unsupported",
                symbol: UNSUPPORTED_SYMBOL,
                value: "—".into(),
                label: "unsupported",
            },
            Ok(p) if mode == Mode::Speed => {
                let band = thresholds.band_of(p);
                if band == Band::DoesNotFit {
                    return CellText {
                        fit: band.as_str(),
                        symbol: band.symbol(),
                        value: "—".into(),
                        label: p.reason.short(),
                    };
                }
                let value = match p.speed {
                    Some(s) if p.concurrency > 1 => format!(
                        "{} t/s · {}",
                        rate(s.decode_tokens_per_s),
                        rate(s.decode_tokens_per_s_total)
                    ),
                    Some(s) => format!("{} t/s", rate(s.decode_tokens_per_s)),
                    None => "—".into(),
                };
                let speed = thresholds.speed_band(p);
                CellText {
                    fit: speed.as_str(),
                    // The speed's symbol; an offloaded cell also carries the offload symbol in
                    // its number, so both survive where the words are hidden (phones).
                    symbol: speed.symbol(),
                    value: if band == Band::Offload {
                        format!("{value} {}", Band::Offload.symbol())
                    } else {
                        value
                    },
                    label: match (band == Band::Offload, speed) {
                        (true, SpeedBand::Fast) => "offload to RAM, fast enough",
                        (true, SpeedBand::Slow) => "offload to RAM, too slow",
                        (true, SpeedBand::Unknown) => "offload to RAM, no speed figure",
                        (false, s) => s.label(),
                    },
                }
            }
            Ok(p) => {
                // Each mode shows the band of the number it displays: the plan's own in
                // utilisation mode, the band at the longest context or the most sequences in
                // the others; a plan that does not fit says why instead of a band.
                let (permille, number) = match mode {
                    Mode::Utilization | Mode::Cost | Mode::Speed => {
                        (p.utilization_permille, u64::from(p.fits))
                    }
                    Mode::MaxContext => (p.max_context_permille, p.max_context),
                    Mode::MaxConcurrency => (p.max_concurrency_permille, p.max_concurrency),
                };
                let band = if number == 0 {
                    Band::DoesNotFit
                } else if p.offload.is_some() {
                    Band::Offload
                } else {
                    thresholds.band(permille)
                };
                let value = match mode {
                    Mode::Utilization => format!("{}%", p.utilization_percent()),
                    Mode::MaxContext if p.max_context_limited_by() == LimitedBy::Model => {
                        format!("{} (model max)", group_digits(p.max_context))
                    }
                    Mode::MaxContext => group_digits(p.max_context),
                    Mode::MaxConcurrency | Mode::Cost | Mode::Speed => {
                        group_digits(p.max_concurrency)
                    }
                };
                CellText {
                    fit: band.as_str(),
                    symbol: band.symbol(),
                    value,
                    label: if band == Band::DoesNotFit {
                        p.reason.short()
                    } else {
                        band.label()
                    },
                }
            }
        }
    }
}

//! Utilisation bands: where a plan that fits sits between "safe" and "critical".

use serde::Serialize;

/// Utilisation bands of GPU memory (thresholds from the seed study's monitoring table:
/// safe < 60 %, caution 60–75 %, warning 75–90 %, critical 90–100 %).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    /// Below 60 %.
    Safe,
    /// 60–75 %.
    Caution,
    /// 75–90 %.
    Warning,
    /// 90–100 %.
    Critical,
    /// Fits only with layers or experts in system RAM (llama.cpp `--fit`, `-ngl`,
    /// `--n-cpu-moe`): runs, slower.
    Offload,
    /// Over 100 %, or the engine refuses the configuration.
    DoesNotFit,
}

/// Where the bands start, in percent of GPU memory (editable in the page, kept in the URL).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Thresholds {
    /// Start of "caution" (default 60).
    pub caution: u64,
    /// Start of "warning" (default 75).
    pub warning: u64,
    /// Start of "critical" (default 90).
    pub critical: u64,
    /// Speed mode: decode tokens/s each user must get (default 20).
    pub speed: u64,
}

impl Default for Thresholds {
    /// The seed study's monitoring table: 60 / 75 / 90 %.
    fn default() -> Self {
        Thresholds {
            caution: 60,
            warning: 75,
            critical: 90,
            speed: DEFAULT_SPEED,
        }
    }
}

/// The speed mode's default target: 20 decode tokens/s per user, a little faster than people
/// read (the issue's own example of a user's choice; change it in the legend or with `tps=`).
pub const DEFAULT_SPEED: u64 = 20;

/// What [`Thresholds::new`] and [`Thresholds::with_speed`] accept, in words (the page says it
/// when a typed value is refused).
pub const THRESHOLD_RULE: &str =
    "bands must rise, caution < warning < critical, each from 1 to 99 %; the speed target is 1 to 100,000 tokens/s";

impl Thresholds {
    /// Builds thresholds if they are strictly increasing and below 100 %.
    pub fn new(caution: u64, warning: u64, critical: u64) -> Option<Self> {
        (0 < caution && caution < warning && warning < critical && critical < 100).then_some(
            Thresholds {
                caution,
                warning,
                critical,
                speed: DEFAULT_SPEED,
            },
        )
    }

    /// The same bands with another speed target (tokens/s per user, at least 1).
    pub fn with_speed(self, speed: u64) -> Option<Self> {
        (1..=100_000)
            .contains(&speed)
            .then_some(Thresholds { speed, ..self })
    }

    /// Speed mode's band of a plan that fits: at or above the target, below it, or no figure.
    pub fn speed_band(self, plan: &super::Plan) -> SpeedBand {
        match plan.speed.map(|s| s.decode_tokens_per_s) {
            None => SpeedBand::Unknown,
            Some(t) if t >= self.speed as f64 => SpeedBand::Fast,
            Some(_) => SpeedBand::Slow,
        }
    }

    /// Band for a utilisation in per-mille (600 = 60 %), compared in whole percent rounded up
    /// (the number a cell shows, so "90%" is always critical and "100%" still fits); over
    /// 100 % never fits.
    pub fn band(self, permille: u64) -> Band {
        match permille.div_ceil(10) {
            p if p > 100 => Band::DoesNotFit,
            p if p >= self.critical => Band::Critical,
            p if p >= self.warning => Band::Warning,
            p if p >= self.caution => Band::Caution,
            _ => Band::Safe,
        }
    }

    /// The band of a plan under these thresholds (an engine refusal stays does-not-fit; a plan
    /// that fits only with layers or experts in system RAM is [`Band::Offload`]).
    pub fn band_of(self, plan: &super::Plan) -> Band {
        if !plan.fits {
            Band::DoesNotFit
        } else if plan.offload.is_some() {
            Band::Offload
        } else {
            self.band(plan.utilization_permille)
        }
    }
}

/// Speed mode: whether a plan that fits reaches the user's tokens/s per user.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SpeedBand {
    /// At or above the target.
    Fast,
    /// Below it.
    Slow,
    /// No measured efficiency or bandwidth to give a figure.
    Unknown,
}

impl SpeedBand {
    /// Stable token for `data-fit`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpeedBand::Fast => "fast",
            SpeedBand::Slow => "slow",
            SpeedBand::Unknown => "no-speed",
        }
    }

    /// A symbol that carries the band without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            SpeedBand::Fast => "»",
            SpeedBand::Slow => "▽",
            SpeedBand::Unknown => "?",
        }
    }

    /// The band in words.
    pub fn label(self) -> &'static str {
        match self {
            SpeedBand::Fast => "fast enough",
            SpeedBand::Slow => "too slow",
            SpeedBand::Unknown => "no speed figure",
        }
    }
}

impl Band {
    /// Band for a utilisation in per-mille under the default thresholds.
    pub fn from_permille(p: u64) -> Band {
        Thresholds::default().band(p)
    }

    /// Stable token for `data-fit` attributes and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Safe => "safe",
            Band::Caution => "caution",
            Band::Warning => "warning",
            Band::Critical => "critical",
            Band::Offload => "offload",
            Band::DoesNotFit => "does-not-fit",
        }
    }

    /// A symbol that carries the band without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Band::Safe => "✓",
            Band::Caution => "◐",
            Band::Warning => "▲",
            Band::Critical => "‼",
            Band::Offload => "⇅",
            Band::DoesNotFit => "✗",
        }
    }

    /// Short text for screen readers and the legend.
    pub fn label(self) -> &'static str {
        match self {
            Band::Safe => "safe",
            Band::Caution => "caution",
            Band::Warning => "warning",
            Band::Critical => "critical",
            Band::Offload => "offload to RAM",
            Band::DoesNotFit => "does not fit",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edited_thresholds_move_the_bands() {
        let t = Thresholds::new(50, 70, 80).unwrap();
        assert_eq!(t.band(490), Band::Safe);
        assert_eq!(t.band(491), Band::Caution);
        assert_eq!(t.band(790), Band::Warning);
        assert_eq!(t.band(791), Band::Critical);
        assert_eq!(t.band(1001), Band::DoesNotFit);
        assert!(Thresholds::new(70, 60, 90).is_none());
        assert!(Thresholds::new(60, 75, 100).is_none());
    }

    #[test]
    fn band_thresholds_follow_the_seed_study() {
        // Whole percent, rounded up: 59.0 % is safe, 59.1 % shows as 60 % and is caution.
        assert_eq!(Band::from_permille(590), Band::Safe);
        assert_eq!(Band::from_permille(591), Band::Caution);
        assert_eq!(Band::from_permille(750), Band::Warning);
        assert_eq!(Band::from_permille(891), Band::Critical);
        assert_eq!(Band::from_permille(1000), Band::Critical);
        assert_eq!(Band::from_permille(1001), Band::DoesNotFit);
    }
}

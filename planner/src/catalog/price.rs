//! Prices: dollars per GPU-hour, exact to a hundredth of a cent, each with its source.

use std::fmt;

/// Money per hour in ten-thousandths of a US dollar: per-second prices quoted as $0.5904/h
/// stay exact.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UsdPerHour(pub u64);

impl UsdPerHour {
    /// Parses a dollar amount as a person types it into the price list: also with a decimal
    /// comma (`1,50`, as much of Europe writes it). A comma with anything but one or two
    /// digits after it (`1,500`) is a thousands separator or a typo, and refused: $1,500/h is
    /// not a GPU-hour price, and guessing would price the grid with a number the user did not
    /// mean.
    pub fn parse_typed(s: &str) -> Option<UsdPerHour> {
        match s.split_once(',') {
            Some((whole, frac)) if !s.contains('.') && (1..=2).contains(&frac.trim().len()) => {
                Self::parse_dollars(&format!("{whole}.{frac}"))
            }
            Some(_) => None,
            None => Self::parse_dollars(s),
        }
    }

    /// Parses a dollar amount such as `2.49` or `$0.5904`; at most four decimals, at most
    /// $1,000,000. `None` for anything else (negative, NaN, text).
    pub fn parse_dollars(s: &str) -> Option<UsdPerHour> {
        let s = s.trim().trim_start_matches('$');
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty() && frac.is_empty()
            || whole.len() > 7
            || frac.len() > 4
            || !whole
                .bytes()
                .chain(frac.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut part = 0;
        for (i, b) in frac.bytes().enumerate() {
            part += u64::from(b - b'0') * [1000, 100, 10, 1][i];
        }
        let v = whole * 10_000 + part;
        (v <= 10_000_000_000).then_some(UsdPerHour(v))
    }

    /// `count` GPUs at this price, saturating.
    pub fn times(self, count: u64) -> UsdPerHour {
        UsdPerHour(self.0.saturating_mul(count))
    }

    /// Plain dollars, exact, with no trailing zeros past cents: `2.49`, `0.5904`, `12`: the
    /// form the URL and the price editor use.
    pub fn dollars(self) -> String {
        let (d, m) = (self.0 / 10_000, self.0 % 10_000);
        if m == 0 {
            return d.to_string();
        }
        let mut frac = format!("{m:04}");
        while frac.len() > 2 && frac.ends_with('0') {
            frac.pop();
        }
        format!("{d}.{frac}")
    }
}

impl fmt::Display for UsdPerHour {
    /// `$2.49/h`: cents, rounded half up.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = (self.0 + 50) / 100;
        write!(f, "${}.{:02}/h", cents / 100, cents % 100)
    }
}

/// A published price for one GPU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Price {
    /// Catalogue GPU id.
    pub gpu: String,
    /// Dollars per GPU-hour.
    pub per_hour: UsdPerHour,
    /// Who charges it.
    pub provider: String,
    /// The offering (on-demand, instance type).
    pub offering: String,
    /// The page the price was read on.
    pub source: String,
    /// When it was read (`YYYY-MM-DD` or `YYYY-MM`).
    pub as_of: String,
}

impl Price {
    /// "as of 2026-10-07", or "undated" when the page gave no date.
    pub fn dated(&self) -> String {
        if self.as_of.is_empty() || self.as_of == "undated" {
            "undated".into()
        } else {
            format!("as of {}", self.as_of)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_parse_exactly_and_reject_junk() {
        assert_eq!(UsdPerHour::parse_dollars("2.49"), Some(UsdPerHour(24_900)));
        assert_eq!(
            UsdPerHour::parse_dollars("$0.5904"),
            Some(UsdPerHour(5_904))
        );
        assert_eq!(UsdPerHour::parse_dollars("12"), Some(UsdPerHour(120_000)));
        assert_eq!(UsdPerHour::parse_dollars(".5"), Some(UsdPerHour(5_000)));
        for bad in [
            "", ".", "-1", "1e3", "NaN", "1.23456", "2,49", "99999999", "1.2.3",
        ] {
            assert_eq!(UsdPerHour::parse_dollars(bad), None, "{bad}");
        }
        // Typed into the price list: a decimal comma too, never a thousands separator.
        assert_eq!(UsdPerHour::parse_typed("1,50"), Some(UsdPerHour(15_000)));
        assert_eq!(UsdPerHour::parse_typed("$2,5"), Some(UsdPerHour(25_000)));
        assert_eq!(UsdPerHour::parse_typed("2.49"), Some(UsdPerHour(24_900)));
        for bad in ["1,500", "1,5.0", "1,", ",", "1,2,3", "abc"] {
            assert_eq!(UsdPerHour::parse_typed(bad), None, "{bad}");
        }
        assert_eq!(UsdPerHour(24_900).to_string(), "$2.49/h");
        assert_eq!(UsdPerHour(5_904).to_string(), "$0.59/h");
        assert_eq!(UsdPerHour(5_950).to_string(), "$0.60/h");
        assert_eq!(UsdPerHour(5_904).dollars(), "0.5904");
        assert_eq!(UsdPerHour(4_390).dollars(), "0.439");
        assert_eq!(UsdPerHour(24_900).dollars(), "2.49");
        assert_eq!(UsdPerHour(120_000).dollars(), "12");
        assert_eq!(UsdPerHour(24_900).times(8), UsdPerHour(199_200));
    }
}

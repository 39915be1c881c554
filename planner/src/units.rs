//! Byte counts as a type.
//!
//! Every memory figure in the planner is an integer number of bytes. "GiB" always means
//! 2^30 bytes and "GB" 10^9 bytes; vLLM and SGLang print "GB" but divide by 2^30, so their
//! log figures are GiB (e.g. vLLM `gpu_worker.py` divides by `GiB_bytes`).

use std::fmt;
use std::ops::{Add, AddAssign};

/// 2^20 bytes.
pub const MIB: u64 = 1 << 20;
/// 2^30 bytes.
pub const GIB: u64 = 1 << 30;
/// 10^9 bytes.
pub const GB: u64 = 1_000_000_000;

/// Saturating product. A hostile config's dimensions can multiply past what `u64` holds; the
/// result then pins at `u64::MAX`, which `ModelConfig::from_json`'s size check refuses,
/// instead of wrapping to a small number that would look like a model that fits.
pub fn mul(factors: &[u64]) -> u64 {
    factors.iter().fold(1u64, |a, &b| a.saturating_mul(b))
}

/// Saturating sum (see [`mul`]).
pub fn add(terms: &[u64]) -> u64 {
    terms.iter().fold(0u64, |a, &b| a.saturating_add(b))
}

/// Thousands separators for token counts ("131,072").
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A non-negative number of bytes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub u64);

impl Bytes {
    /// Zero bytes.
    pub const ZERO: Bytes = Bytes(0);

    /// `n` MiB.
    pub const fn mib(n: u64) -> Self {
        Bytes(n * MIB)
    }

    /// The value in GiB (2^30), for display only.
    pub fn as_gib(self) -> f64 {
        self.0 as f64 / GIB as f64
    }

    /// The value in GB (10^9), for display only.
    pub fn as_gb(self) -> f64 {
        self.0 as f64 / GB as f64
    }

    /// Saturating subtraction: memory left over never goes negative.
    pub fn saturating_sub(self, rhs: Bytes) -> Bytes {
        Bytes(self.0.saturating_sub(rhs.0))
    }

    /// Saturating multiplication by a count.
    pub fn times(self, n: u64) -> Bytes {
        Bytes(self.0.saturating_mul(n))
    }

    /// The size as a number of `unit`s (GiB or GB).
    pub fn in_unit(self, unit: Unit) -> f64 {
        match unit {
            Unit::GiB => self.as_gib(),
            Unit::GB => self.as_gb(),
        }
    }

    /// Renders in the given unit system with two decimals, e.g. `14.25 GiB`.
    pub fn display(self, unit: Unit) -> String {
        format!("{} {}", fixed(self.in_unit(unit), 2), unit.symbol())
    }

    /// Parses `"14.25 GiB"` style log figures (GiB, MiB, GB) into bytes. Used by the
    /// calibration tests, never on user input paths that could panic.
    pub fn from_gib_f64(gib: f64) -> Bytes {
        if gib.is_finite() && gib > 0.0 {
            Bytes((gib * GIB as f64).round() as u64)
        } else {
            Bytes::ZERO
        }
    }
}

impl Add for Bytes {
    type Output = Bytes;
    fn add(self, rhs: Bytes) -> Bytes {
        Bytes(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Bytes {
    fn add_assign(&mut self, rhs: Bytes) {
        *self = *self + rhs;
    }
}

impl std::iter::Sum for Bytes {
    fn sum<I: Iterator<Item = Bytes>>(iter: I) -> Bytes {
        iter.fold(Bytes::ZERO, Add::add)
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display(Unit::GiB))
    }
}

/// Which unit system figures are shown in.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Binary units, 2^30 bytes: what engines print.
    #[default]
    GiB,
    /// Decimal units, 10^9 bytes: what datasheets print.
    GB,
}

impl Unit {
    /// "GiB" or "GB".
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::GiB => "GiB",
            Unit::GB => "GB",
        }
    }
}

/// A rate with sensible digits: 1,234 · 56.7 · 0.85.
pub fn rate(x: f64) -> String {
    if x >= 100.0 {
        group_digits(x.round() as u64)
    } else if x >= 10.0 {
        fixed(x, 1)
    } else {
        fixed(x, 2)
    }
}

/// `x` with `decimals` digits after the point (halves away from zero), as `{x:.N}` prints it
/// but from integers: core's exact float formatter stays out of the wasm (~2 KB gzip).
pub fn fixed(x: f64, decimals: u32) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "inf"
        } else {
            "-inf"
        }
        .into();
    }
    let scale = 10u64.pow(decimals.min(9));
    let scaled = (x.abs() * scale as f64).round() as u64;
    let sign = if x < 0.0 && scaled != 0 { "-" } else { "" };
    if decimals == 0 {
        return format!("{sign}{scaled}");
    }
    format!(
        "{sign}{}.{:0w$}",
        scaled / scale,
        scaled % scale,
        w = decimals.min(9) as usize
    )
}

/// Indices ordered by ascending key; a stable sort, so ties keep the chosen order. One
/// function for every ordering (grid axes, checkpoint offsets) and a plain bottom-up merge
/// sort: O(n log n) on any input, and a tenth of the wasm of core's sort.
pub(crate) fn order_by(keys: Vec<u64>) -> Vec<usize> {
    let n = keys.len();
    let mut order: Vec<usize> = (0..n).collect();
    let mut spare = order.clone();
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j) = (start, mid);
            for slot in &mut spare[start..end] {
                // `<=` takes from the left run on ties: stable.
                if j >= end || (i < mid && keys[order[i]] <= keys[order[j]]) {
                    *slot = order[i];
                    i += 1;
                } else {
                    *slot = order[j];
                    j += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut order, &mut spare);
        width *= 2;
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_by_is_a_stable_sort() {
        let mut seed = 7u64;
        for n in 0..70 {
            let keys: Vec<u64> = (0..n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (seed >> 60) % 5
                })
                .collect();
            let mut expected: Vec<usize> = (0..keys.len()).collect();
            expected.sort_by_key(|&i| keys[i]);
            assert_eq!(order_by(keys), expected, "n = {n}");
        }
    }

    #[test]
    fn fixed_prints_as_format_does() {
        for (x, d) in [
            (0.0, 2),
            (0.9, 2),
            (23.64, 2),
            (1.25e-3, 3),
            (-4.56, 1),
            (99.95, 1),
        ] {
            assert_eq!(fixed(x, d), format!("{x:.*}", d as usize), "{x} {d}");
        }
        assert_eq!(fixed(-0.01, 1), "0.0");
        assert_eq!(fixed(1234.5, 0), "1235");
        assert_eq!(fixed(f64::NAN, 2), "NaN");
    }

    #[test]
    fn gib_and_gb_differ_by_the_binary_factor() {
        // 80 GB (marketing) is 74.51 GiB; the two must never be mixed.
        let b = Bytes(80 * GB);
        assert_eq!(b.display(Unit::GB), "80.00 GB");
        assert_eq!(b.display(Unit::GiB), "74.51 GiB");
    }

    #[test]
    fn arithmetic_saturates_instead_of_overflowing() {
        assert_eq!(Bytes(u64::MAX) + Bytes(1), Bytes(u64::MAX));
        assert_eq!(Bytes(1).saturating_sub(Bytes(2)), Bytes::ZERO);
        assert_eq!(Bytes(u64::MAX / 2).times(3), Bytes(u64::MAX));
    }
}

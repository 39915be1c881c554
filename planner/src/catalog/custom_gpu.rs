//! A GPU the user describes: name, memory, and optionally bandwidth and dense FP16 throughput
//! (for speed). In a link: `cg=<name>~<MiB>[~<GB/s>[~<TFLOPS>]]`.

use super::custom::{slug, CUSTOM_PREFIX};
use crate::catalog::Gpu;
use crate::inert;
use crate::units::MIB;

/// Memory a custom GPU may have, in MiB: 256 MiB to 16 TiB.
pub const GPU_MIB_RANGE: std::ops::RangeInclusive<u64> = 256..=16 << 20;
/// Bandwidth a custom GPU may have, in GB/s: 1 GB/s to 100 TB/s (B300's HBM3e is 8 TB/s).
pub const GPU_BANDWIDTH_RANGE: std::ops::RangeInclusive<u64> = 1..=100_000;
/// Dense FP16 throughput a custom GPU may have, in GFLOPS: 0.1 to 100,000 TFLOPS (the
/// catalogue's largest, B200, is 2,250).
pub const GPU_GFLOPS_RANGE: std::ops::RangeInclusive<u64> = 100..=100_000_000;

/// A user-supplied GPU (`None` without a name or with memory outside [`GPU_MIB_RANGE`]). The
/// name is cleaned of control characters ([`inert::clean_name`]).
pub fn custom_gpu(name: &str, memory_mib: u64, bandwidth_gbps: Option<u64>) -> Option<Gpu> {
    let name = inert::clean_name(name, 60);
    if name.is_empty() || !GPU_MIB_RANGE.contains(&memory_mib) {
        return None;
    }
    Some(Gpu {
        id: format!("{CUSTOM_PREFIX}{}", slug(&name)),
        name: name.clone(),
        full_name: name,
        class: "custom".into(),
        vendor: String::new(),
        marketing_gb: (memory_mib * MIB).div_ceil(1_000_000_000),
        memory_bytes: memory_mib * MIB,
        bandwidth_gbps,
        arch: String::new(),
        ..Gpu::default()
    })
}

/// A non-negative decimal typed by the user ("40", "40.5", "1,024") times 1,000, without
/// floating point; `None` with more than three decimals or anything but digits.
fn thousandths(text: &str) -> Option<u64> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty() && frac.is_empty() || frac.len() > 3 {
        return None;
    }
    let int: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<3}").parse().ok()?
    };
    int.checked_mul(1000)?.checked_add(frac)
}

/// Parses a memory size typed by the user in GiB or MiB into MiB (decimals to 1/1000).
pub fn memory_mib(text: &str, gib: bool) -> Option<u64> {
    let milli = thousandths(text)?;
    let mib_milli = if gib { milli.checked_mul(1024)? } else { milli };
    Some(mib_milli / 1000).filter(|&m| m > 0)
}

/// Parses dense FP16 TFLOPS typed by the user ("82.6", "989") into GFLOPS; `None` outside
/// [`GPU_GFLOPS_RANGE`].
pub fn tflops_gflops(text: &str) -> Option<u64> {
    thousandths(text).filter(|g| GPU_GFLOPS_RANGE.contains(g))
}

/// GFLOPS as TFLOPS with no trailing zeros: 82,600 → "82.6".
fn tflops_text(gflops: u64) -> String {
    let s = format!("{}.{:03}", gflops / 1000, gflops % 1000);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `name~MiB[~GB/s[~TFLOPS]]` for the `cg` link parameter (an empty bandwidth when only the
/// throughput is known).
pub fn gpu_to_link(g: &Gpu) -> String {
    let mut s = format!("{}~{}", g.name.replace('~', "-"), g.memory_bytes / MIB);
    if g.bandwidth_gbps.is_some() || g.fp16_gflops.is_some() {
        s.push('~');
        if let Some(b) = g.bandwidth_gbps {
            s.push_str(&b.to_string());
        }
    }
    if let Some(f) = g.fp16_gflops {
        s.push('~');
        s.push_str(&tflops_text(f));
    }
    s
}

/// Parses a `cg` link value: the GPU, and what of the value was dropped (an unusable bandwidth
/// or throughput, extra `~` parts) in words for a notice. `Err` says why there is no GPU at all.
pub fn gpu_from_link(value: &str) -> Result<(Gpu, Option<String>), String> {
    let parts: Vec<&str> = value.split('~').collect();
    let usage = "must be name~MiB[~GB/s[~TFLOPS]] with 256 MiB to 16 TiB";
    let (name, mib) = match parts[..] {
        [name, mib, ..] => (name, mib.trim().parse::<u64>().map_err(|_| usage)?),
        _ => return Err(usage.into()),
    };
    let mut dropped = Vec::new();
    let part = |i: usize| parts.get(i).map(|b| b.trim()).filter(|b| !b.is_empty());
    let bandwidth = part(2).and_then(|b| match b.parse::<u64>() {
        Ok(n) if GPU_BANDWIDTH_RANGE.contains(&n) => Some(n),
        _ => {
            dropped.push(format!(
                "bandwidth “{}” is not a whole number of GB/s from 1 to 100,000, so it was left out",
                inert::echo(b, 24)
            ));
            None
        }
    });
    let gflops = part(3).and_then(|t| {
        let g = tflops_gflops(t);
        if g.is_none() {
            dropped.push(format!(
                "FP16 throughput “{}” is not a number of TFLOPS from 0.1 to 100,000, so it was left out",
                inert::echo(t, 24)
            ));
        }
        g
    });
    if parts.len() > 4 {
        dropped.push(format!(
            "extra parts “{}” were ignored",
            inert::echo(&parts[4..].join("~"), 40)
        ));
    }
    let mut gpu = custom_gpu(name, mib, bandwidth).ok_or(usage)?;
    gpu.fp16_gflops = gflops;
    Ok((gpu, (!dropped.is_empty()).then(|| dropped.join("; "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_sizes_parse_without_floats() {
        assert_eq!(memory_mib("40", true), Some(40_960));
        assert_eq!(memory_mib("23.5", true), Some(24_064));
        assert_eq!(memory_mib("24,576", false), Some(24_576));
        assert_eq!(memory_mib("0", true), None);
        assert_eq!(memory_mib("-4", true), None);
        assert_eq!(memory_mib("lots", false), None);
        assert_eq!(memory_mib("1.23456", true), None);
    }

    #[test]
    fn custom_gpus_round_trip_and_reject_nonsense() {
        let g = custom_gpu("Lab card", 40_960, Some(1_555)).unwrap();
        assert_eq!(g.memory_bytes, 40_960 * MIB);
        let back = gpu_from_link(&gpu_to_link(&g)).unwrap();
        assert_eq!(back, (g.clone(), None));
        // With a throughput, and with a throughput but no bandwidth.
        let mut fast = g;
        fast.fp16_gflops = tflops_gflops("82.6");
        assert_eq!(fast.fp16_gflops, Some(82_600));
        assert_eq!(gpu_to_link(&fast), "Lab card~40960~1555~82.6");
        assert_eq!(
            gpu_from_link(&gpu_to_link(&fast)).unwrap(),
            (fast.clone(), None)
        );
        fast.bandwidth_gbps = None;
        assert_eq!(gpu_to_link(&fast), "Lab card~40960~~82.6");
        assert_eq!(gpu_from_link(&gpu_to_link(&fast)).unwrap(), (fast, None));
        assert_eq!(tflops_gflops("0.01"), None);
        assert_eq!(tflops_gflops("1e3"), None);
        assert!(custom_gpu("", 1000, None).is_none());
        assert!(custom_gpu("tiny", 10, None).is_none());
        assert!(gpu_from_link("x~lots").is_err());
        assert!(gpu_from_link("x").is_err());
    }

    #[test]
    fn a_gpu_link_says_what_it_dropped() {
        for bad in [
            "x",
            "-1",
            "1e30",
            "NaN",
            "12345678901234567890123",
            "0",
            "100001",
        ] {
            let (g, dropped) = gpu_from_link(&format!("Lab~24576~{bad}")).unwrap();
            assert_eq!(g.bandwidth_gbps, None, "{bad}");
            assert!(dropped.unwrap().contains("bandwidth"), "{bad}");
        }
        let (g, dropped) = gpu_from_link("Lab~24576~1~2~3~4").unwrap();
        assert_eq!(g.bandwidth_gbps, Some(1));
        assert_eq!(g.fp16_gflops, Some(2_000));
        assert!(dropped.unwrap().contains("“3~4”"));
        let (g, dropped) = gpu_from_link("Lab~24576~~fast").unwrap();
        assert_eq!((g.bandwidth_gbps, g.fp16_gflops), (None, None));
        assert!(dropped.unwrap().contains("FP16 throughput “fast”"));
        let (g, _) = gpu_from_link("Lab\u{1b}]0;x\u{7}\ncard~24576").unwrap();
        assert_eq!(g.name, "Lab ]0;x card");
    }
}

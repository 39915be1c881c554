//! The way to fit: for a scenario that does not fit (or sits in the critical band), the
//! smallest change of each kind that makes it fit (or leaves the critical band), every one
//! verified by planning it. The page offers them as one-click changes, the CLI as `to_fit`.

use super::size::largest;
use super::{Band, Plan, Thresholds, Unsupported, Workload};
use crate::catalog::Gpu;
use crate::engines::Engine;
use crate::model::config::ModelConfig;
use crate::model::format::ALL_FORMATS;
use crate::model::kv_cache::KvDtype;
use crate::model::weights::{weight_bytes, WeightFormat};
use crate::plan::ranges::TP_CHOICES;
use crate::units::group_digits;
use crate::units::Bytes;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Scenario fields a suggestion changes; the others stay as they are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    /// Tensor-parallel ranks (and as many GPUs).
    pub tensor_parallel: Option<u64>,
    /// KV cache type.
    pub kv_cache_dtype: Option<KvDtype>,
    /// Context per sequence.
    pub max_context: Option<u64>,
    /// Concurrent sequences.
    pub concurrency: Option<u64>,
    /// Weight format.
    pub weights: Option<WeightFormat>,
    /// vLLM `--gpu-memory-utilization`.
    pub gpu_memory_utilization: Option<f64>,
    /// SGLang `--mem-fraction-static`.
    pub mem_fraction_static: Option<f64>,
    /// llama.cpp `-fa on`.
    pub flash_attention: Option<bool>,
    /// Another GPU of the catalogue (its id).
    pub gpu: Option<String>,
}

impl Overrides {
    /// `w` with these changes.
    pub fn workload(&self, w: &Workload) -> Workload {
        let mut w = w.clone();
        if let Some(t) = self.tensor_parallel {
            w.tensor_parallel = t;
        }
        if let Some(k) = self.kv_cache_dtype {
            w.kv_dtype = k;
        }
        if let Some(c) = self.max_context {
            w.context = c;
        }
        if let Some(n) = self.concurrency {
            w.concurrency = n;
        }
        if let Some(u) = self.gpu_memory_utilization {
            w.gpu_memory_utilization = u;
        }
        if let Some(f) = self.mem_fraction_static {
            w.mem_fraction_static = Some(f);
        }
        if let Some(fa) = self.flash_attention {
            w.flash_attention = fa;
        }
        w
    }
}

impl Serialize for Overrides {
    /// Only the fields that change, named and spelled as the CLI scenario's.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(v) = self.tensor_parallel {
            m.serialize_entry("tensor_parallel", &v)?;
        }
        if let Some(v) = self.kv_cache_dtype {
            m.serialize_entry("kv_cache_dtype", v.id())?;
        }
        if let Some(v) = self.max_context {
            m.serialize_entry("max_context", &v)?;
        }
        if let Some(v) = self.concurrency {
            m.serialize_entry("concurrency", &v)?;
        }
        if let Some(v) = self.weights {
            m.serialize_entry("weights", v.id())?;
        }
        if let Some(v) = self.gpu_memory_utilization {
            m.serialize_entry("gpu_memory_utilization", &v)?;
        }
        if let Some(v) = self.mem_fraction_static {
            m.serialize_entry("mem_fraction_static", &v)?;
        }
        if let Some(v) = self.flash_attention {
            m.serialize_entry("flash_attention", &v)?;
        }
        if let Some(v) = &self.gpu {
            m.serialize_entry("gpu", v)?;
        }
        m.end()
    }
}

/// One change that makes the scenario fit, in words and as overrides.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// What to change, in words ("tensor parallel 2 (2 × RTX 4090)").
    pub label: String,
    /// The change.
    pub overrides: Overrides,
}

impl Serialize for Suggestion {
    /// The overrides with a `label` beside them.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let value = serde_json::to_value(&self.overrides).map_err(serde::ser::Error::custom)?;
        let mut m = s.serialize_map(None)?;
        if let serde_json::Value::Object(o) = value {
            for (k, v) in o {
                m.serialize_entry(&k, &v)?;
            }
        }
        m.serialize_entry("label", &self.label)?;
        m.end()
    }
}

/// What a suggestion must reach.
#[derive(Copy, Clone)]
struct Goal {
    thresholds: Thresholds,
    /// Below the critical band, not only fitting.
    below_critical: bool,
}

impl Goal {
    fn met(self, p: &Plan) -> bool {
        p.fits && (!self.below_critical || self.thresholds.band_of(p) < Band::Critical)
    }
}

/// The plan without its notes (suggestions plan many variants).
fn quick(
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu: &Gpu,
    w: &Workload,
) -> Result<Plan, Unsupported> {
    super::plan_with(cfg, format, gpu, w, false)
}

/// The smallest change of each kind that makes `cfg` as `format` on `gpu` under `w` fit (and,
/// for a plan in the critical band under `thresholds`, leave it), each verified by planning:
/// more tensor parallelism, an 8-bit KV cache, a shorter context, fewer sequences, the next
/// smaller format, a larger engine budget where the GPU has room for it, flash attention, a
/// GPU with more memory (from `gpus`). Empty when it already fits below the critical band.
pub fn to_fit(
    cfg: &ModelConfig,
    format: WeightFormat,
    gpu: &Gpu,
    w: &Workload,
    thresholds: Thresholds,
    gpus: &[Gpu],
) -> Vec<Suggestion> {
    let base = quick(cfg, format, gpu, w);
    let below_critical = match &base {
        Ok(p) if p.fits => thresholds.band_of(p) == Band::Critical,
        _ => false,
    };
    if base.as_ref().is_ok_and(|p| p.fits) && !below_critical {
        return Vec::new();
    }
    let goal = Goal {
        thresholds,
        below_critical,
    };
    let ok = |f: WeightFormat, g: &Gpu, o: &Overrides| {
        quick(cfg, f, g, &o.workload(w)).is_ok_and(|p| goal.met(&p))
    };
    let mut out = Vec::new();
    let mut offer = |label: String, overrides: Overrides| {
        out.push(Suggestion { label, overrides });
    };
    // More GPUs: the smallest tensor-parallel size that fits.
    if let Some(t) = TP_CHOICES
        .iter()
        .copied()
        .filter(|&t| t > w.tensor_parallel.max(1))
        .find(|&t| ok(format, gpu, &tp(t)))
    {
        // How each engine spreads a model over GPUs.
        let how = match w.engine {
            Engine::Vllm | Engine::Sglang => "tensor parallel",
            Engine::LlamaCpp => "layers split",
            Engine::Transformers => "device_map",
        };
        offer(format!("{t} × {} ({how})", gpu.name), tp(t));
    }
    // An 8-bit KV cache where the engine keeps one; a cache type the engine refuses goes back
    // to the model's own.
    let kv_choices: &[KvDtype] = match w.kv_dtype {
        KvDtype::Auto | KvDtype::Bf16 | KvDtype::Fp16 | KvDtype::Fp32 => {
            &[KvDtype::Fp8, KvDtype::Q8_0]
        }
        _ if base.is_err() => &[KvDtype::Auto],
        _ => &[],
    };
    if let Some(&k) = kv_choices.iter().find(|&&k| ok(format, gpu, &kv(k))) {
        let label = match k {
            KvDtype::Auto => "the model's own KV cache type".to_string(),
            // The id as the engine spells it (no case mapping: its tables weigh on the wasm).
            KvDtype::Fp8 => "FP8 KV cache".to_string(),
            k => format!("{} KV cache", k.id()),
        };
        offer(label, kv(k));
    }
    // A shorter context at this concurrency, and fewer sequences at this context.
    let context = w.context.max(1);
    let hint = base.as_ref().map_or(0, |p| p.max_context);
    let c = largest(context - 1, hint, &|c| ok(format, gpu, &ctx(c)));
    // A context too short to be of use is not offered (under 512 tokens and half the asked).
    if c > 0 && c >= 512.min(context / 2) {
        offer(format!("context {} tokens", group_digits(c)), ctx(c));
    }
    let n = w.concurrency.max(1);
    let hint = base.as_ref().map_or(0, |p| p.max_concurrency);
    let k = largest(n - 1, hint, &|k| ok(format, gpu, &seqs(k)));
    if k > 0 {
        offer(
            super::verdict::sequences(k, "at once", "at a time"),
            seqs(k),
        );
    }
    // What the engine loads instead of a format it cannot, then the next smaller format the
    // engine loads that fits.
    let weights = |f: WeightFormat| Overrides {
        weights: Some(f),
        ..Overrides::default()
    };
    let instead = base
        .is_err()
        .then(|| crate::engines::support::equivalent_format(w.engine, format.resolve(cfg)))
        .flatten()
        .filter(|&f| ok(f, gpu, &weights(f)));
    if let Some(f) = instead {
        offer(
            format!("{} weights (what {} loads)", f.label(), w.engine.name()),
            weights(f),
        );
    }
    let (t, p) = (w.tensor_parallel.max(1), w.pipeline_parallel.max(1));
    let size = |f: WeightFormat| weight_bytes(cfg, f.resolve(cfg), t, p);
    let current = size(format);
    // Largest first, without a sort (a second sort routine would weigh on the wasm).
    let mut smaller: Vec<(Bytes, WeightFormat)> = ALL_FORMATS
        .iter()
        .map(|&f| (size(f), f))
        .filter(|&(bytes, f)| {
            f != format && f != WeightFormat::Native && Some(f) != instead && bytes <= current
        })
        .collect();
    while let Some(i) = (0..smaller.len()).max_by_key(|&i| smaller[i].0) {
        let (_, f) = smaller.swap_remove(i);
        if ok(f, gpu, &weights(f)) {
            offer(format!("{} weights", f.label()), weights(f));
            break;
        }
    }
    // A larger budget, only as far as the GPU keeps room for what the engine holds outside it.
    if let (Ok(b), Engine::Vllm | Engine::Sglang) = (&base, w.engine) {
        let gpu_bytes = b.gpu_memory_bytes.max(1) as f64;
        let outside = b.overhead_bytes as f64
            + if w.engine == Engine::Sglang {
                b.activation_bytes as f64
            } else {
                0.0
            };
        let cap = (((gpu_bytes - outside) / gpu_bytes) * 100.0).floor() as u64;
        let now = match w.engine {
            Engine::Vllm => w.gpu_memory_utilization,
            _ => crate::engines::sglang::fraction(w, gpu, cfg),
        };
        let now = (now * 100.0).floor() as u64;
        let at = |pct: u64| budget(w.engine, pct);
        if let Some(pct) = (now + 1..=cap.min(99)).find(|&pct| ok(format, gpu, &at(pct))) {
            let name = match w.engine {
                Engine::Vllm => "gpu_memory_utilization",
                _ => "mem_fraction_static",
            };
            offer(
                format!("{name} {}", crate::units::fixed(pct as f64 / 100.0, 2)),
                at(pct),
            );
        }
    }
    if w.engine == Engine::LlamaCpp && !w.flash_attention {
        let fa = Overrides {
            flash_attention: Some(true),
            ..Overrides::default()
        };
        if ok(format, gpu, &fa) {
            offer("flash attention on (-fa on)".into(), fa);
        }
    }
    // The smallest GPU with more memory that fits as it is.
    // Of the same vendor (a different stack is not a small change), whole devices only.
    let bigger = gpus
        .iter()
        .filter(|g| {
            g.memory_bytes > gpu.memory_bytes
                && (gpu.vendor.is_empty() || g.vendor == gpu.vendor)
                && !g.id.contains("gcd")
                && ok(format, g, &Overrides::default())
        })
        .min_by_key(|g| g.memory_bytes);
    if let Some(g) = bigger {
        offer(
            format!("{} ({})", g.name, Bytes(g.memory_bytes)),
            Overrides {
                gpu: Some(g.id.clone()),
                ..Overrides::default()
            },
        );
    }
    out
}

fn tp(t: u64) -> Overrides {
    Overrides {
        tensor_parallel: Some(t),
        ..Overrides::default()
    }
}

fn kv(k: KvDtype) -> Overrides {
    Overrides {
        kv_cache_dtype: Some(k),
        ..Overrides::default()
    }
}

fn ctx(c: u64) -> Overrides {
    Overrides {
        max_context: Some(c),
        ..Overrides::default()
    }
}

fn seqs(n: u64) -> Overrides {
    Overrides {
        concurrency: Some(n),
        ..Overrides::default()
    }
}

fn budget(engine: Engine, pct: u64) -> Overrides {
    let f = pct as f64 / 100.0;
    match engine {
        Engine::Vllm => Overrides {
            gpu_memory_utilization: Some(f),
            ..Overrides::default()
        },
        _ => Overrides {
            mem_fraction_static: Some(f),
            ..Overrides::default()
        },
    }
}

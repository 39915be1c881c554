//! vLLM V1 (rules of 0.10–0.19): `vllm serve` pre-allocates `--gpu-memory-utilization` × the
//! GPU; weights, the profile run's activation peak and non-torch memory come out of it, and the
//! rest becomes KV cache. CUDA context and CUDA graphs sit outside it.

use super::efficiency::Efficiency;
use super::reserves::Reserves;
use super::shell::{checkpoint_comment, gguf_file, gguf_type, trim_fraction, CommandInput};
use super::VllmRelease;
use crate::catalog::gpu::Arch;
use crate::catalog::Gpu;
use crate::model::config::ModelConfig;
use crate::model::kv_cache::KvDtype;
use crate::model::weights::WeightFormat;
use crate::plan::workload::Workload;
use crate::units::{Bytes, GIB, MIB};

/// The measured range behind the reserves, for the plan's notes.
pub const RANGE_NOTE: &str = "vLLM 0.19 logs: activation peak 1.1–2.9 GiB, non-torch 0.07–0.26 GiB (TP 1) or 2.1 GiB (TP ≥ 2), CUDA graphs 0.5–1.6 GiB, CUDA context 0.5 GiB";

/// Every format, GGUF files too through vLLM's gguf loader (vLLM docs, "Supported Hardware
/// for Quantization Kernels"), except the MXFP4 GGUF type, which that loader's type table
/// (`quantization/gguf.py`) does not list: vLLM reads gpt-oss from its MXFP4 safetensors.
pub fn loads(format: WeightFormat) -> bool {
    format != WeightFormat::Mxfp4Moe
}

/// Why vLLM cannot run a `kv` cache: `--kv-cache-dtype` takes `auto` (the model dtype),
/// `bfloat16` and the FP8 spellings (`CacheDType` in `vllm/config/cache.py`); an FP16 or FP32
/// cache only comes from `auto` with weights of that dtype, and `q8_0`/`q4_0` are llama.cpp's.
pub fn kv_refusal(kv: KvDtype) -> Option<String> {
    match kv {
        KvDtype::Auto | KvDtype::Bf16 | KvDtype::Fp8 => None,
        KvDtype::Fp16 | KvDtype::Fp32 => Some(format!(
            "vLLM has no --kv-cache-dtype {}: its cache follows the model dtype (auto), bfloat16 or fp8",
            kv.id()
        )),
        KvDtype::Q8_0 | KvDtype::Q4_0 => Some(format!(
            "vLLM has no {} KV cache (a llama.cpp type); use fp8",
            kv.id()
        )),
    }
}

/// Why vLLM's kernels for `format` and a `kv` cache do not run on `arch`, if they do not:
/// the hardware table of the vLLM docs ("Supported Hardware" for quantization kernels, 0.9–0.14;
/// FP8 W8A8 page: FP8 computes from 8.9 and runs weight-only through FP8 Marlin from 7.5),
/// `platforms/cuda.py` (bfloat16 needs 8.0), the GPU installation page (compute capability
/// 7.0 or higher) and the macOS page (Apple silicon runs on the CPU only).
pub fn gpu_refusal(format: WeightFormat, kv: KvDtype, arch: Arch) -> Option<String> {
    use WeightFormat as F;
    let fp8_kv = kv == KvDtype::Fp8;
    match arch {
        Arch::Apple => {
            Some("vLLM has no Apple-GPU (Metal) backend; on macOS it runs on the CPU only".into())
        }
        Arch::Nvidia(cc) if cc < 70 => Some("vLLM needs compute capability 7.0 or newer".into()),
        Arch::Nvidia(cc) => {
            // The weights' kernels first, then the cache's, each with its own threshold.
            let weights = match format {
                F::Bf16 => 80,
                F::Fp8 | F::Int8 | F::Awq => 75,
                // Marlin kernels (compressed-tensors WNA16, FP4 Marlin fallbacks): Ampere on.
                F::W4a16 | F::W4a16G32 | F::Mxfp4 | F::Nvfp4 => 80,
                _ => 70,
            };
            // bf16 needs 8.0; an FP8 cache needs the FlashAttention/FlashInfer backends that
            // take one, Ampere and newer.
            let cache = if matches!(kv, KvDtype::Bf16 | KvDtype::Fp8) {
                80
            } else {
                70
            };
            let words = |what: String, need: u32| {
                format!(
                    "vLLM's {what} kernels need compute capability {}.{}",
                    need / 10,
                    need % 10
                )
            };
            if cc < weights {
                Some(words(format.label().to_string(), weights))
            } else if cc < cache {
                Some(words(format!("{} KV cache", kv.id()), cache))
            } else {
                None
            }
        }
        Arch::Amd(target) => {
            // ROCm column of the same table: no AWQ, GPTQ, Marlin, INT8 W8A8 or bitsandbytes;
            // FP8 needs an FP8-capable Instinct (gfx94x, MI300 series, `supports_fp8`).
            let fp8_ok = target.starts_with("gfx94") || target.starts_with("gfx95");
            match format {
                F::Awq | F::Gptq | F::W4a16 | F::W4a16G32 | F::Int8 | F::Nf4 | F::Nvfp4 => {
                    Some(format!("vLLM on ROCm has no {} kernels", format.label()))
                }
                F::Fp8 | F::Mxfp4 if !fp8_ok => Some(format!(
                    "vLLM runs {} only on MI300-class GPUs",
                    format.label()
                )),
                _ if fp8_kv && !fp8_ok => {
                    Some("vLLM's FP8 KV cache on ROCm needs an MI300-class GPU".into())
                }
                _ => None,
            }
        }
        Arch::Unknown => None,
    }
}

/// Extra bytes per GPU that vLLM's MXFP4 MoE kernels add to the routed experts by padding
/// (`quantization/mxfp4.py` `create_weights`, the backend picked by `get_mxfp4_backend`):
/// - Marlin (compute capability 8.x and 12.x): intermediate per rank to 128, hidden to 256;
/// - Triton (9.x): intermediate to 64, then the triton_kernels Hopper layout pads each
///   matrix's rows to 256 and its packed row bytes to 64 (`hopper_value.py` `_padded_shape`,
///   scales likewise), and biases become fp32;
/// - FlashInfer trtllm-gen (10.x): both to 256, biases fp32;
/// - ROCm: both to 128 (256 on gfx950, `mxfp4_utils.py` `get_padding_alignment`).
///
/// MXFP4 stores 17 bytes per 32 weights (values + E8M0 scale); `w13` is `2I × H`, `w2` is
/// `H × I` per expert.
pub fn mxfp4_padding(cfg: &ModelConfig, arch: Arch, tp: u64) -> u64 {
    let Some(m) = &cfg.moe else { return 0 };
    let up = |x: u64, a: u64| x.div_ceil(a) * a;
    let (h, i) = (cfg.hidden_size, m.expert_intermediate.div_ceil(tp.max(1)));
    let mx = |rows: u64, cols: u64| rows * cols / 2 + rows * cols.div_ceil(32);
    let plain = mx(2 * i, h) + mx(h, i);
    // (bytes per expert after padding, extra bias bytes per expert)
    let (padded, bias) = match arch {
        Arch::Nvidia(cc) if (90..100).contains(&cc) => {
            let ip = up(i, 64);
            let tri = |rows: u64, cols: u64| {
                let r = up(rows, 256);
                r * up(cols / 2, 64) + r * cols.div_ceil(32)
            };
            (tri(2 * ip, h) + tri(h, ip), (2 * ip + h) * 2)
        }
        Arch::Nvidia(cc) if (100..120).contains(&cc) => {
            let (ip, hp) = (up(i, 256), up(h, 256));
            (mx(2 * ip, hp) + mx(hp, ip), (2 * ip + hp) * 2)
        }
        Arch::Nvidia(_) => {
            let (ip, hp) = (up(i, 128), up(h, 256));
            (mx(2 * ip, hp) + mx(hp, ip), 0)
        }
        Arch::Amd(t) => {
            let a = if t.starts_with("gfx95") { 256 } else { 128 };
            let (ip, hp) = (up(i, a), up(h, a));
            (mx(2 * ip, hp) + mx(hp, ip), 0)
        }
        Arch::Apple | Arch::Unknown => return 0,
    };
    let experts = m.num_experts * cfg.moe_layer_count();
    experts.saturating_mul((padded + bias).saturating_sub(plain))
}

/// vLLM's scheduler defaults for `vllm serve` (`EngineArgs.get_batch_defaults` in
/// `vllm/engine/arg_utils.py`): GPUs with ≥ 70 GiB whose name does not contain "a100" get
/// `max_num_batched_tokens` 8192 and `max_num_seqs` 1024; all others 2048 and 256.
/// Returns `(max_num_seqs, max_num_batched_tokens)`.
pub fn batch_defaults(gpu: &Gpu) -> (u64, u64) {
    // vLLM tests `"a100" in device_name.lower()`; compared without allocating (hot path).
    let has_a100 = |s: &str| {
        s.as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"a100"))
    };
    if gpu.memory_bytes >= 70 * GIB && !has_a100(&gpu.name) && !has_a100(&gpu.id) {
        (1024, 8192)
    } else {
        (256, 2048)
    }
}

/// Bytes the V1 sampler's dummy run holds per logit (`max_num_seqs × vocab` fp32 logits plus
/// the probability, log-probability and sort buffers): vLLM 0.19 on H100 measured
/// "torch peak memory increase" 1.89 GiB for 1024 × 128,256 (Llama-3.1-8B, 15.45 B) and
/// 2.21 GiB for 1024 × 152,064 (Qwen2.5-7B, 15.24 B) — measured.csv, llm-d accuracy runs.
/// In tenths of a byte: 15.3 B.
const SAMPLER_DECIBYTES_PER_LOGIT: u64 = 153;

/// Before the Triton top-k/top-p kernels (vllm-project/vllm#33538, opened 2026-02-02), with the
/// FlashInfer sampler off (0.11's default, #26859; 0.10 where FlashInfer was not installed), the
/// dummy sampler run sorts the fp32 logits (`topk_topp_sampler.py`, `logits.sort`): bf16 and
/// fp32 logits, sorted values, int64 indices, an int64 iota and CUB's spare key/value buffers,
/// 2 + 4 + 4 + 8 + 8 + 12 = 38 B per logit. vLLM 0.11.0 measured "torch peak memory increase"
/// 4.76 GiB for 1024 × 128,256 (38.9 B), 5.56–5.64 GiB for 1024 × 151,936 (38.4–38.9 B) and
/// 7.38 GiB for 1024 × 201,088 (38.5 B; measured.csv).
const SORT_SAMPLER_DECIBYTES_PER_LOGIT: u64 = 380;

/// The reserves for `cfg` (activations in `act_bytes`-wide elements) at TP `tp`, PP `pp`.
pub fn reserves(cfg: &ModelConfig, act_bytes: u64, gpu: &Gpu, w: &Workload) -> Reserves {
    let (tp, pp) = (w.tensor_parallel.max(1), w.pipeline_parallel.max(1));
    let h = cfg.hidden_size;
    let (seqs, tokens) = batch_defaults(gpu);
    let seqs = seqs.min(tokens);
    // Profile run: a forward pass over `max_num_batched_tokens` tokens, then the sampler over
    // `max_num_seqs` rows (gpu_model_runner.py `profile_run`). The torch peak is the larger of
    // the two. The sampler runs on the last PP rank, which is the most loaded one, and every TP
    // rank holds the full-vocab logits.
    let per_logit = match w.vllm_release {
        VllmRelease::Current => SAMPLER_DECIBYTES_PER_LOGIT,
        VllmRelease::SortSampler => SORT_SAMPLER_DECIBYTES_PER_LOGIT,
    };
    let sampler = seqs * cfg.vocab_size * per_logit / 10;
    let inter = cfg.intermediate_size.div_ceil(tp);
    let mut forward = tokens * (3 * inter + 4 * h) * act_bytes;
    if let Some(m) = &cfg.moe {
        // fused_moe intermediate caches: [T, topk, 2·I/tp], [T·topk, I/tp], [T, topk, h].
        let ie = m.expert_intermediate.div_ceil(tp);
        let moe =
            tokens * m.experts_per_token * (3 * ie + h) * act_bytes + 4 * tokens * h * act_bytes;
        forward = forward.max(moe);
    }
    let activation = Bytes(sampler.max(forward));
    // Non-torch increase during profiling: 0.24–0.26 GiB at TP 1, 2.06–2.13 GiB at TP ≥ 2
    // (NCCL buffers), 0.07 GiB at PP ≥ 2 (vLLM 0.19 rows of measured.csv).
    let non_torch = if tp > 1 {
        Bytes(2100 * MIB)
    } else if pp > 1 {
        Bytes(72 * MIB)
    } else {
        Bytes(256 * MIB)
    };
    // Outside `gpu_memory_utilization`: the CUDA context ("worker init memory snapshot" 0.51 GiB
    // at TP 1, 1.5 GiB with NCCL) and CUDA graphs ("Graph capturing finished … took
    // 0.51–1.57 GiB"), same logs. KV is sized before graphs are captured.
    let context = if tp > 1 || pp > 1 {
        1536 * MIB
    } else {
        512 * MIB
    };
    // vLLM's rotary cos/sin cache is part of "Model loading took".
    let (rows, dim) = cfg.rope_cache;
    Reserves {
        activation,
        non_torch,
        outside_budget: Bytes(context + GIB),
        buffers: Bytes(rows * dim * act_bytes),
    }
}

/// `--gpu-memory-utilization` as a fraction in [0, 1] (0.9 when it is not a number).
pub fn utilization(w: &Workload) -> f64 {
    if w.gpu_memory_utilization.is_finite() {
        w.gpu_memory_utilization.clamp(0.0, 1.0)
    } else {
        0.9
    }
}

/// The budget: `gpu_memory_utilization × total` (`gpu_worker.py` `requested_memory`).
pub fn budget(gpu: Bytes, w: &Workload) -> Bytes {
    Bytes((gpu.0 as f64 * utilization(w)) as u64)
}

/// Tokens a sliding-window layer keeps per sequence: `SlidingWindowSpec` holds
/// min(window − 1 + max_num_batched_tokens, max_model_len) tokens, then one extra block.
pub fn sliding_tokens(window: u64, batched: u64, context: u64, block: u64) -> u64 {
    let t = (window.saturating_sub(1) + batched).min(context);
    (t.div_ceil(block) + 1) * block
}

/// vLLM's decode efficiency (CUDA graphs on, its default), from three batch-1 runs in
/// `planner/tests/data/speed_serving.csv` marked `calibration`; every other row there is
/// checked against it:
/// - Llama-3.1-8B BF16 at "about 75 tokens/sec" on an A100 40GB (johnmusgrave.com, vLLM 0.23)
///   and at a 6.48 ms TPOT on an H100 SXM (yobitelcomm bench, vLLM 0.21): the same ~15.2 GB a
///   token at 1,555 and 3,350 GB/s solve to 77 % of the bandwidth (the author's own "roughly
///   77% of the GPU's memory-bandwidth ceiling") plus 19 µs for each of its 32 layers;
/// - gpt-oss-20b at 220.8 tokens/s per request on an H200 (sariekr/gpu_conc, vLLM ~0.10): the
///   ~1 ms of weights it reads leave 127 µs for each of its 24 MoE layers (routing and the
///   MXFP4 expert kernels), which no bandwidth shortens.
///
/// Tensor parallel adds two all-reduces a layer; a decode-sized one takes ~10 µs with vLLM's
/// custom all-reduce on H100s (9.1–10.1 µs at TP 2/4/8, sgl-project/sglang#2904; 7 µs at TP 2,
/// vllm-project/vllm#24111; 10 µs at TP 4, vllm#24532). Prefill (and a crowded decode step)
/// runs at 65 % of the dense FP16 peak: Llama-3.1-70B at TP 8 on A100s gives its first token
/// after 395 ms for prompts of 4,194 tokens on average (sgl-cookbook, SGLang 0.5.6; the one
/// prefill row marked `calibration`).
pub fn efficiency() -> Efficiency {
    Efficiency {
        memory: 0.77,
        format: 1.0,
        compute: Some(0.65),
        step_s: 0.0,
        layer_s: 0.000_019,
        moe_layer_s: 0.000_127,
        hop_s: 0.0,
        allreduce_s: 0.000_010,
        host_memory: 0.0,
        host_round_trip_s: 0.0,
    }
}

/// `vllm serve` (`vllm/engine/arg_utils.py`): `--max-model-len`, `--gpu-memory-utilization`,
/// `--tensor-parallel-size`, `--pipeline-parallel-size`, `--kv-cache-dtype`, `--dtype`, and
/// `--quantization` only where vLLM quantizes at load time (`fp8`, `bitsandbytes`): AWQ, GPTQ,
/// compressed-tensors, MXFP4 and NVFP4 are read from the checkpoint's `quantization_config`,
/// and forcing `--quantization awq` would skip the faster Marlin kernels.
pub fn command(c: &CommandInput, comments: &mut Vec<String>) -> Vec<String> {
    let mut args = if c.format.is_gguf() {
        comments.push(format!(
            "a {} GGUF file of {}; vLLM takes the tokenizer from the repo",
            gguf_type(c.format),
            c.model_id
        ));
        vec![
            format!("vllm serve {}", gguf_file(c.model_id, c.format)),
            format!("--tokenizer {}", c.model),
        ]
    } else {
        if !c.native {
            comments.extend(checkpoint_comment(c.format, c.model_id));
        }
        vec![format!("vllm serve {}", c.model)]
    };
    args.push(format!("--max-model-len {}", c.ctx));
    args.push(format!(
        "--gpu-memory-utilization {}",
        trim_fraction(utilization(c.w))
    ));
    if c.tp > 1 {
        args.push(format!("--tensor-parallel-size {}", c.tp));
    }
    if c.pp > 1 {
        args.push(format!("--pipeline-parallel-size {}", c.pp));
    }
    if let Some(d) = c.dtype {
        args.push(format!("--dtype {d}"));
    }
    match c.format {
        WeightFormat::Fp8 => args.push("--quantization fp8".into()),
        WeightFormat::Nf4 => args.push("--quantization bitsandbytes".into()),
        _ => {}
    }
    match c.w.kv_dtype {
        KvDtype::Fp8 => args.push("--kv-cache-dtype fp8".into()),
        KvDtype::Bf16 => args.push("--kv-cache-dtype bfloat16".into()),
        // Refused before a command is written (`kv_refusal`); `auto` needs no flag.
        _ => {}
    }
    if c.n > 1 {
        comments.push(format!(
            "planned for {} concurrent sequences of {} tokens; vLLM admits more while the KV cache has room",
            c.n, c.ctx
        ));
    }
    args
}

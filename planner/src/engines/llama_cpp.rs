//! llama.cpp `llama-server`: GGUF files, one KV cache of `-c` cells shared by `--parallel`
//! slots, a compute buffer per ubatch, and the `--fit` margin left free.

use super::efficiency::Efficiency;
use super::reserves::Reserves;
use super::shell::{gguf_file, gguf_type, CommandInput};
use crate::catalog::gpu::Arch;
use crate::catalog::Gpu;
use crate::model::config::ModelConfig;
use crate::model::kv_cache::{KvDtype, KvPerToken};
use crate::model::weights::{weight_parts, WeightFormat};
use crate::plan::workload::Workload;
use crate::units::{add, mul, Bytes, GIB, MIB};

/// The basis of the reserves, for the plan's notes.
pub const RANGE_NOTE: &str = "llama.cpp compute buffer: graph_reserve's worst case for a 512-token ubatch over the whole cache (llama.cpp ec98e2002); 1 GiB --fit margin";

/// GGUF files, and the float types `convert_hf_to_gguf.py` writes.
pub fn loads(format: WeightFormat) -> bool {
    // MXFP4 checkpoints run from their MXFP4_MOE GGUF (`plan::engine_format`).
    format.is_gguf()
        || format == WeightFormat::Mxfp4
        || matches!(
            format,
            WeightFormat::Fp32 | WeightFormat::Fp16 | WeightFormat::Bf16
        )
}

/// Why llama.cpp cannot run a `kv` cache: `-ctk`/`-ctv` take f32, f16, bf16 and the ggml
/// block types (q8_0, q4_0, …; `common/arg.cpp` `kv_cache_types`), no FP8; a quantized V
/// cache needs flash attention (`llama-context.cpp`: "V cache quantization requires flash_attn").
pub fn kv_refusal(kv: KvDtype, flash_attention: bool) -> Option<String> {
    match kv {
        KvDtype::Fp8 => Some("llama.cpp has no fp8 KV cache; use q8_0 (-ctk/-ctv q8_0)".into()),
        KvDtype::Q8_0 | KvDtype::Q4_0 if !flash_attention => Some(format!(
            "llama.cpp's {} V cache needs flash attention (-fa on)",
            kv.id()
        )),
        _ => None,
    }
}

/// llama.cpp's physical batch (`-ub`, `common/common.h` `n_ubatch = 512`).
pub const UBATCH: u64 = 512;

/// The compute buffer on the GPU that holds the output layer: ggml-alloc's peak over the
/// worst-case graph `llama_context::graph_reserve` builds at start, `n_ub = min(512, n_ctx)`
/// tokens that all produce logits, over the whole cache of `n_kv` cells (llama.cpp
/// `src/llama-context.cpp`, `src/llama-graph.cpp` `build_attn_mha`, ggml-org/llama.cpp
/// ec98e2002). f32 activations; the largest of:
/// - logits `n_vocab × n_ub` + the input row block;
/// - attention: without flash attention the scores `n_kv × n_ub × n_head` (every query head,
///   also under GQA and MLA; softmax runs in place) + the mask; with it only the f32 mask and
///   its f16 cast;
/// - the MLP: gate and up `n_ff × n_ub` (MoE: the active experts' rows).
pub fn compute_buffer(cfg: &ModelConfig, n_kv: u64, flash_attention: bool) -> u64 {
    let n_kv = n_kv.div_ceil(256) * 256;
    let ub = UBATCH.min(n_kv.max(1));
    let e = mul(&[cfg.hidden_size, ub, 4]);
    let logits = add(&[mul(&[cfg.vocab_size, ub, 4]), e]);
    let attention = if flash_attention {
        add(&[mul(&[n_kv, ub, 6]), mul(&[4, e])])
    } else {
        add(&[
            mul(&[cfg.num_heads, n_kv, ub, 4]),
            mul(&[n_kv, ub, 4]),
            mul(&[4, e]),
        ])
    };
    let dense = cfg.has_dense_mlp();
    let ff = match &cfg.moe {
        Some(m) if !dense => m.expert_intermediate.saturating_mul(m.experts_per_token),
        _ => cfg.intermediate_size,
    };
    let mlp = add(&[mul(&[2, ff, ub, 4]), mul(&[2, e])]);
    logits.max(attention).max(mlp)
}

/// The reserves under `w`: the compute buffer for one sequence's cache (`--parallel` slots
/// each get a stream of `-c / n` cells, so the scores span one slot's cells), and outside the
/// budget the `--fit` margin of 1024 MiB per device (`common/common.h` `fit_params_target`)
/// plus ~300 MiB of CUDA context.
pub fn reserves(cfg: &ModelConfig, w: &Workload) -> Reserves {
    let compute = compute_buffer(cfg, w.context.max(1), w.flash_attention);
    Reserves {
        activation: Bytes(compute),
        non_torch: Bytes::ZERO,
        outside_budget: Bytes(GIB) + Bytes(300 * MIB),
        buffers: Bytes::ZERO,
    }
}

/// Where llama.cpp puts the weights (`src/llama-model.cpp` `load_tensors`, ec98e2002): the
/// token embedding always in system RAM ("very little benefit to offloading the input
/// layer"); the last `-ngl` repeating layers on the GPU, and the output layer too when `-ngl`
/// exceeds the layer count (`-ngl 999`, the default here); with `--n-cpu-moe N` the routed
/// experts (`ffn_(up|down|gate)_exps`) of layers 0..N stay in system RAM. Apple silicon maps
/// the whole file into its unified memory once, so there everything counts against the GPU.
pub fn placement(cfg: &ModelConfig, format: WeightFormat, w: &Workload) -> Placement {
    let p = weight_parts(cfg, format);
    let split = Split::of(cfg, w);
    let per_layer = p.layers / cfg.num_layers.max(1);
    let moe = split.moe_layers(cfg);
    let per_moe = p.experts / (moe.len() as u64).max(1);
    let experts_gpu = moe.iter().filter(|&&i| !split.experts_in_ram(i)).count() as u64;
    let gpu = add(&[
        per_layer.saturating_mul(split.on_gpu),
        per_moe.saturating_mul(experts_gpu),
        if split.output_on_gpu { p.output } else { 0 },
    ]);
    let total = add(&[p.embedding, p.layers, p.experts, p.output]);
    // One mapping of the file: a tied model's output is the same bytes as token_embd.
    let duplicate = if cfg.tie_word_embeddings {
        p.embedding
    } else {
        0
    };
    Placement {
        gpu,
        host: total.saturating_sub(gpu),
        unified: total.saturating_sub(duplicate),
    }
}

/// Where llama.cpp's weights sit, in bytes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// On a discrete GPU.
    pub gpu: u64,
    /// Beside it, in system RAM.
    pub host: u64,
    /// All of it on unified memory (Apple), the file mapped once.
    pub unified: u64,
}

/// Which of a model's layers llama.cpp keeps on the GPU under `-ngl` and `--n-cpu-moe`: the
/// placement of its weights and cache, and what the speed model reads where.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Repeating layers on the GPU (the last ones): `-ngl`, at most the layer count.
    pub on_gpu: u64,
    /// The output layer: on the GPU only when `-ngl` exceeds the layer count.
    pub output_on_gpu: bool,
    /// The first layer on the GPU.
    first_gpu: u64,
    /// `--n-cpu-moe`: layers 0..N keep their routed experts in RAM.
    cpu_moe: u64,
}

impl Split {
    /// The split `w` asks for (`-ngl` absent: every layer and the output on the GPU).
    pub fn of(cfg: &ModelConfig, w: &Workload) -> Self {
        let n = cfg.num_layers.max(1);
        let on_gpu = w.gpu_layers.unwrap_or(u64::MAX).min(n);
        Split {
            on_gpu,
            output_on_gpu: w.gpu_layers.is_none_or(|g| g > n),
            first_gpu: n - on_gpu,
            cpu_moe: w.cpu_moe_layers,
        }
    }

    /// Everything on the GPU (the engines that do not offload).
    pub fn all_on_gpu(cfg: &ModelConfig) -> Self {
        Split {
            on_gpu: cfg.num_layers.max(1),
            output_on_gpu: true,
            first_gpu: 0,
            cpu_moe: 0,
        }
    }

    /// Whether layer `i` sits in system RAM.
    pub fn layer_in_ram(self, i: u64) -> bool {
        i < self.first_gpu
    }

    /// Whether MoE layer `i`'s routed experts sit in system RAM (its layer's, or `--n-cpu-moe`).
    pub fn experts_in_ram(self, i: u64) -> bool {
        self.layer_in_ram(i) || i < self.cpu_moe
    }

    /// The indices of `cfg`'s MoE layers.
    pub fn moe_layers(self, cfg: &ModelConfig) -> Vec<u64> {
        (0..cfg.num_layers.max(1))
            .filter(|&i| cfg.moe_layers.get(i as usize).copied().unwrap_or(false))
            .collect()
    }
}

/// llama.cpp keeps a smaller sliding-window cache only for the architectures its loader gives a
/// `swa_type` (`src/llama-model.cpp`: Gemma 2/3/3n, Cohere2, gpt-oss, Llama 4's chunks);
/// everything else converted with a `sliding_window` (Mistral-7B-v0.1 as `llama`, Phi-3) caches
/// every token in every layer — fedora-copr/logdetective#106 shows 4,096 MiB for Mistral-7B at
/// 32,768 cells, the full size.
pub fn own_kv_layout(kv: KvPerToken, cfg: &ModelConfig) -> KvPerToken {
    let swa = matches!(
        cfg.model_type.as_str(),
        "gemma2"
            | "gemma3"
            | "gemma3_text"
            | "gemma3n"
            | "gemma3n_text"
            | "cohere2"
            | "gpt_oss"
            | "llama4"
            | "llama4_text"
    );
    if swa || kv.sliding == 0 {
        kv
    } else {
        KvPerToken {
            full: kv.full.saturating_add(kv.sliding),
            sliding: 0,
            window: 0,
            state_per_seq: kv.state_per_seq,
        }
    }
}

/// The GPU's share of the KV cache: each layer's cache sits with its layer (`offload_kqv`, on
/// by default), so the layers left on the CPU keep theirs in system RAM.
pub fn kv_share(kv: KvPerToken, cfg: &ModelConfig, w: &Workload) -> KvPerToken {
    let n = cfg.num_layers.max(1);
    let on_gpu = Split::of(cfg, w).on_gpu;
    // Per-token and per-sequence bytes are bounded (`model::read`: 64 MiB and 16 GiB) and
    // layers at most 2,048, so the product fits in 64 bits.
    let part = |b: u64| b.saturating_mul(on_gpu) / n;
    KvPerToken {
        full: part(kv.full),
        sliding: part(kv.sliding),
        window: kv.window,
        state_per_seq: part(kv.state_per_seq),
    }
}

/// KV for `concurrency` slots of `context` tokens: llama-server sizes one cache of `-c` cells
/// shared by `--parallel` slots, so the command for `n` slots of `c` tokens uses `-c n·c`
/// (padded to 256 once, `llama-context.cpp` `GGML_PAD(n_ctx, 256)`).
pub fn workload_kv(kv: KvPerToken, context: u64, concurrency: u64) -> u64 {
    let cells = context.saturating_mul(concurrency).div_ceil(256) * 256;
    let swa = (kv.window.saturating_mul(concurrency) + 512).div_ceil(256) * 256;
    // Recurrent state: one per slot, kept in F32 by llama.cpp (`llama-memory-recurrent`).
    kv.full
        .saturating_mul(cells)
        .saturating_add(kv.sliding.saturating_mul(swa.min(cells)))
        .saturating_add(
            kv.state_per_seq
                .saturating_mul(2)
                .saturating_mul(concurrency),
        )
}

/// `llama-server` (`common/arg.cpp`): `-m`, `-c` (one cache shared by all slots), `-ngl`,
/// `--parallel`, `-ctk`/`-ctv` (a quantized V cache needs `-fa on`).
pub fn command(c: &CommandInput, comments: &mut Vec<String>) -> Vec<String> {
    comments.push(format!(
        "a {} GGUF file of {} (convert_hf_to_gguf.py, then llama-quantize)",
        gguf_type(c.format),
        c.model_id
    ));
    let mut args = vec![
        format!("llama-server -m {}", gguf_file(c.model_id, c.format)),
        format!("-c {}", c.ctx.saturating_mul(c.n)),
        match c.w.gpu_layers {
            Some(n) => format!("-ngl {n}"),
            None => "-ngl 999".into(),
        },
    ];
    if c.w.cpu_moe_layers > 0 && c.moe {
        args.push(format!("--n-cpu-moe {}", c.w.cpu_moe_layers));
    }
    if c.n > 1 {
        args.push(format!("--parallel {}", c.n));
    }
    let cache = match c.w.kv_dtype {
        KvDtype::Q8_0 => Some("q8_0"),
        KvDtype::Q4_0 => Some("q4_0"),
        KvDtype::Fp32 => Some("f32"),
        KvDtype::Bf16 => Some("bf16"),
        // FP8 is refused before a command is written (`kv_refusal`).
        KvDtype::Fp8 | KvDtype::Auto | KvDtype::Fp16 => None,
    };
    if let Some(t) = cache {
        args.push(format!("-ctk {t} -ctv {t}"));
    }
    // Written out: the compute buffer was priced for it (`-fa auto` may resolve either way).
    args.push(
        if c.w.flash_attention {
            "-fa on"
        } else {
            "-fa off"
        }
        .into(),
    );
    if c.tp > 1 || c.pp > 1 {
        comments.push(format!(
            "spread over {} GPUs: llama.cpp splits layers across all visible devices",
            c.tp * c.pp
        ));
    }
    args
}

/// Share of the nominal system RAM bandwidth (channels × MT/s × 8 bytes) llama.cpp's CPU
/// kernels reach when decoding the layers and experts left there: 0.7, the middle of the
/// "typically 60–80% of the spec sheet" that the llmfit estimator documents (AlexsJones/llmfit
/// #703), below the 85–95 % of *measured* (STREAM) bandwidth that x86 CPUs reach
/// (ggml-org/llama.cpp#25976), since measured bandwidth is itself below the nominal.
pub const HOST_MEMORY: f64 = 0.7;

/// Each layer whose experts stay in system RAM (`--n-cpu-moe`) hands the step to the CPU and
/// back: 264 µs a layer, from one named run, Qwen3-30B-A3B Q4_K_M with `--n-cpu-moe 36` at
/// 36.7 tokens/s on an RTX 2080 with ~102 GB/s of RAM (AlexsJones/llmfit#755), whose bytes at
/// those bandwidths take 17.7 ms of its 27.2. The other offload rows of
/// `planner/tests/data/speed_offload.csv` check it. A dense model's `-ngl` split keeps its CPU
/// layers together in front: one hand-over, inside the fixed cost per token.
pub const HOST_ROUND_TRIP_S: f64 = 0.000_264;

/// llama.cpp's decode and prefill efficiency, calibrated on the single-GPU Llama-3-8B rows of
/// XiongjieDai/GPU-Benchmarks-on-LLM-Inference (llama-bench, builds 2795–2843, no flash
/// attention; `planner/tests/data/speed.csv`) and checked on every other row there:
/// - batch-1 decode reaches 92 % of a GDDR or workstation card's bandwidth on F16, 80 % of
///   Apple's unified memory, and only 52 % of an A100/H100's HBM (its kernels do not fill
///   those at batch 1), with 2 ms per token of fixed cost;
/// - K-quants and MXFP4 decode at 91 % of F16's speed per byte, Q8_0 at 95 %, Q4_0 at par;
/// - prefill (pp512) reaches 90 % of the dense FP16 tensor rate on GeForce/workstation cards
///   in F16 and 70 % on quantized weights, 30 % on A100/H100, 60 % of Apple's FP32 rate;
/// - a layer split adds 0.44 ms per GPU: gpt-oss-120b tg1024 at 82.44, 76.84 and 73.43 t/s
///   on 2, 4 and 6 GPUs (ggml-org/llama.cpp#19922).
pub fn efficiency(gpu: &Gpu, format: WeightFormat) -> Efficiency {
    use WeightFormat as F;
    let apple = gpu.arch() == Arch::Apple;
    let hbm = gpu.class == "datacenter" && gpu.bandwidth_gbps.unwrap_or(0) >= 1500;
    let sixteen = matches!(format, F::Fp32 | F::Fp16 | F::Bf16 | F::Native);
    Efficiency {
        memory: if apple {
            0.80
        } else if hbm {
            0.52
        } else {
            0.92
        },
        format: match format {
            F::Q8_0 => 0.95,
            F::Q4_0 => 1.0,
            f if f.is_gguf() || f == F::Mxfp4 => 0.91,
            _ => 1.0,
        },
        compute: Some(if apple {
            0.60
        } else if hbm {
            0.30
        } else if sixteen {
            0.90
        } else {
            0.70
        }),
        step_s: 0.002,
        // Within the 2 ms a token: measured on whole models, not per layer.
        layer_s: 0.0,
        moe_layer_s: 0.0,
        hop_s: 0.000_44,
        // llama.cpp's tensor split (`-sm row`) is not planned: layers only.
        allreduce_s: 0.0,
        host_memory: HOST_MEMORY,
        host_round_trip_s: HOST_ROUND_TRIP_S,
    }
}

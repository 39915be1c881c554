//! The weight storage formats: their ids, labels and what each keeps unquantized. What they
//! cost in bytes is `weights.rs`.

use crate::model::config::{Dtype, ModelConfig, NativeFormat};

/// How the weights are stored.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WeightFormat {
    /// The checkpoint as published (`torch_dtype`, `quantization_config`).
    Native,
    /// 32-bit floats.
    Fp32,
    /// 16-bit floats.
    Fp16,
    /// bfloat16.
    Bf16,
    /// FP8 E4M3 weights with per-channel scales (compressed-tensors FP8, vLLM `--quantization fp8`).
    Fp8,
    /// INT8 weights with per-channel scales (compressed-tensors W8A8 / W8A16).
    Int8,
    /// 4-bit AWQ, group 128, fp16 scales, packed 4-bit zeros (AutoAWQ GEMM layout).
    Awq,
    /// compressed-tensors W4A16: packed int4, one bf16 scale per group of 128, symmetric (no
    /// zeros, no `g_idx`), as RedHatAI/neuralmagic `quantized.w4a16` checkpoints.
    W4a16,
    /// compressed-tensors INT4 with one bf16 scale per group of 32, symmetric (Kimi-K2-Thinking
    /// and Kimi-K2.5 experts: `group_size: 32` in `quantization_config`).
    W4a16G32,
    /// 4-bit GPTQ, group 128, fp16 scales, packed zeros and an int32 `g_idx` (AutoGPTQ layout).
    Gptq,
    /// bitsandbytes NF4 with double quantization (blocks of 64, absmax re-quantized to 8 bits
    /// in blocks of 256; bitsandbytes `functional.py`).
    Nf4,
    /// OCP MXFP4 on routed experts (4-bit E2M1 + one E8M0 scale per 32), bf16 elsewhere (gpt-oss).
    Mxfp4,
    /// NVFP4 (4-bit E2M1 + one FP8 scale per 16 + a per-tensor fp32 scale; ModelOpt).
    Nvfp4,
    /// GGUF Q8_0: 34 bytes per block of 32 (ggml `block_q8_0`).
    Q8_0,
    /// GGUF Q6_K: 210 bytes per super-block of 256.
    Q6K,
    /// GGUF Q5_K_M: Q5_K (176 B/256) with Q6_K on half of attn_v/ffn_down and on output.
    Q5KM,
    /// GGUF Q4_K_M: Q4_K (144 B/256) with Q6_K on half of attn_v/ffn_down and on output.
    Q4KM,
    /// GGUF Q4_0: 18 bytes per block of 32, output at Q6_K.
    Q4_0,
    /// GGUF MXFP4_MOE (gpt-oss GGUF files): routed experts MXFP4 (17 bytes per block of 32),
    /// every other matrix Q8_0, norms F32 (`llama-quant.cpp`: `ne[2] > 1` → MXFP4, else Q8_0).
    Mxfp4Moe,
}

/// All formats, in the order the UI lists them.
pub const ALL_FORMATS: [WeightFormat; 19] = [
    WeightFormat::Native,
    WeightFormat::Fp32,
    WeightFormat::Fp16,
    WeightFormat::Bf16,
    WeightFormat::Fp8,
    WeightFormat::Int8,
    WeightFormat::Awq,
    WeightFormat::W4a16,
    WeightFormat::W4a16G32,
    WeightFormat::Gptq,
    WeightFormat::Nf4,
    WeightFormat::Mxfp4,
    WeightFormat::Nvfp4,
    WeightFormat::Q8_0,
    WeightFormat::Q6K,
    WeightFormat::Q5KM,
    WeightFormat::Q4KM,
    WeightFormat::Q4_0,
    WeightFormat::Mxfp4Moe,
];

impl WeightFormat {
    /// Stable id used in URLs, the CLI and the catalogue.
    pub fn id(self) -> &'static str {
        match self {
            WeightFormat::Native => "native",
            WeightFormat::Fp32 => "fp32",
            WeightFormat::Fp16 => "fp16",
            WeightFormat::Bf16 => "bf16",
            WeightFormat::Fp8 => "fp8",
            WeightFormat::Int8 => "int8",
            WeightFormat::Awq => "awq",
            WeightFormat::W4a16 => "w4a16",
            WeightFormat::W4a16G32 => "w4a16_g32",
            WeightFormat::Gptq => "gptq",
            WeightFormat::Nf4 => "nf4",
            WeightFormat::Mxfp4 => "mxfp4",
            WeightFormat::Nvfp4 => "nvfp4",
            WeightFormat::Q8_0 => "q8_0",
            WeightFormat::Q6K => "q6_k",
            WeightFormat::Q5KM => "q5_k_m",
            WeightFormat::Q4KM => "q4_k_m",
            WeightFormat::Q4_0 => "q4_0",
            WeightFormat::Mxfp4Moe => "mxfp4_moe",
        }
    }

    /// Human label for the grid.
    pub fn label(self) -> &'static str {
        match self {
            WeightFormat::Native => "native",
            WeightFormat::Fp32 => "FP32",
            WeightFormat::Fp16 => "FP16",
            WeightFormat::Bf16 => "BF16",
            WeightFormat::Fp8 => "FP8",
            WeightFormat::Int8 => "INT8",
            WeightFormat::Awq => "INT4 AWQ",
            WeightFormat::W4a16 => "INT4 W4A16",
            WeightFormat::W4a16G32 => "INT4 W4A16 g32",
            WeightFormat::Gptq => "INT4 GPTQ",
            WeightFormat::Nf4 => "NF4",
            WeightFormat::Mxfp4 => "MXFP4",
            WeightFormat::Nvfp4 => "NVFP4",
            WeightFormat::Q8_0 => "GGUF Q8_0",
            WeightFormat::Q6K => "GGUF Q6_K",
            WeightFormat::Q5KM => "GGUF Q5_K_M",
            WeightFormat::Q4KM => "GGUF Q4_K_M",
            WeightFormat::Q4_0 => "GGUF Q4_0",
            WeightFormat::Mxfp4Moe => "GGUF MXFP4_MOE",
        }
    }

    /// The label for a model: the native row names the type it stands for ("native (BF16)",
    /// "native (MXFP4)").
    pub fn label_for(self, cfg: &ModelConfig) -> String {
        if self == WeightFormat::Native {
            format!("native ({})", self.resolve(cfg).label())
        } else {
            self.label().to_string()
        }
    }

    /// Parses an id (case-insensitive); `int4` is accepted as AWQ, the common 4-bit serving format.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        if s == "int4" {
            return Some(WeightFormat::Awq);
        }
        ALL_FORMATS.into_iter().find(|f| f.id() == s)
    }

    /// The concrete format: `native` becomes the checkpoint's own.
    pub fn resolve(self, cfg: &ModelConfig) -> WeightFormat {
        if self != WeightFormat::Native {
            return self;
        }
        match cfg.native_format {
            NativeFormat::Dtype(Dtype::Fp32) => WeightFormat::Fp32,
            NativeFormat::Dtype(Dtype::Fp16) => WeightFormat::Fp16,
            NativeFormat::Dtype(Dtype::Bf16) => WeightFormat::Bf16,
            NativeFormat::Mxfp4 => WeightFormat::Mxfp4,
            NativeFormat::Fp8 => WeightFormat::Fp8,
            NativeFormat::W4a16 => WeightFormat::W4a16,
            NativeFormat::W4a16G32 => WeightFormat::W4a16G32,
            NativeFormat::Awq => WeightFormat::Awq,
            NativeFormat::Gptq => WeightFormat::Gptq,
        }
    }

    /// Bytes per activation element when running this format (fp32 runs in fp32; every other
    /// format computes in 16-bit).
    pub fn activation_bytes(self, cfg: &ModelConfig) -> u64 {
        match self.resolve(cfg) {
            WeightFormat::Fp32 => 4,
            _ => 2,
        }
    }

    /// Nominal bits per quantized weight, scales included, in hundredths (AWQ: 4 + 16/128 +
    /// 4/128 = 4.16 bpw → 416). Derived from the block layouts priced in [`weight_bytes`].
    pub fn centibits_per_weight(self) -> Option<u64> {
        Some(match self {
            WeightFormat::Native => return None,
            WeightFormat::Fp32 => 3200,
            WeightFormat::Fp16 | WeightFormat::Bf16 => 1600,
            WeightFormat::Fp8 | WeightFormat::Int8 => 800,
            WeightFormat::Awq => 416,
            WeightFormat::W4a16 => 413,
            WeightFormat::W4a16G32 => 450,
            WeightFormat::Gptq => 416,
            WeightFormat::Nf4 => 413,
            WeightFormat::Mxfp4 => 425,
            WeightFormat::Nvfp4 => 450,
            WeightFormat::Q8_0 => 850,
            WeightFormat::Q6K => 656,
            WeightFormat::Q5KM => 550,
            WeightFormat::Q4KM => 450,
            WeightFormat::Q4_0 => 450,
            WeightFormat::Mxfp4Moe => 425,
        })
    }

    /// What the format leaves unquantized, in words.
    pub fn unquantized(self) -> &'static str {
        match self {
            WeightFormat::Native => "as the checkpoint ships",
            WeightFormat::Fp32 | WeightFormat::Fp16 | WeightFormat::Bf16 => "nothing is quantized",
            WeightFormat::Mxfp4 => "everything but the routed experts (bf16)",
            WeightFormat::Mxfp4Moe => "everything but the routed experts (Q8_0); norms (F32)",
            WeightFormat::Q4KM | WeightFormat::Q5KM => {
                "norms (F32); output.weight and half the attn_v/ffn_down layers at Q6_K"
            }
            _ if self.is_gguf() => "norms (F32); output.weight at Q6_K or better",
            _ => "embeddings, lm_head, norms and routers (16-bit)",
        }
    }

    /// True for GGUF (llama.cpp) formats.
    pub fn is_gguf(self) -> bool {
        matches!(
            self,
            WeightFormat::Q8_0
                | WeightFormat::Q6K
                | WeightFormat::Q5KM
                | WeightFormat::Q4KM
                | WeightFormat::Q4_0
                | WeightFormat::Mxfp4Moe
        )
    }
}

/// The format a checkpoint's exact bytes are stored in, so that they replace the priced weights
/// on that format's row only (another row asks what the model would weigh stored otherwise).
/// safetensors: what the repo's own config.json says (`torch_dtype`, `quantization_config`).
/// GGUF (ggml's type names are lower-case): the quant type holding most of the bytes — `q4_K`
/// is the Q4_K_M row (a Q4_K_S file reads there too: the grid has no Q4_K_S), `q5_K` Q5_K_M,
/// `q6_K`, `q8_0`, `q4_0`, `mxfp4` (MXFP4_MOE), `f16`, `bf16`, `f32` their own; `None` for a
/// mix the grid has no row for.
pub fn stored_format(
    x: &crate::checkpoint::CheckpointBytes,
    cfg: &ModelConfig,
) -> Option<WeightFormat> {
    let gguf = x
        .by_dtype
        .iter()
        .any(|(d, _)| d.bytes().any(|b| b.is_ascii_lowercase()));
    if !gguf {
        return Some(WeightFormat::Native.resolve(cfg));
    }
    let (main, _) = x.by_dtype.iter().max_by_key(|(_, b)| b.0)?;
    Some(match main.as_str() {
        "q4_K" => WeightFormat::Q4KM,
        "q5_K" => WeightFormat::Q5KM,
        "q6_K" => WeightFormat::Q6K,
        "q8_0" => WeightFormat::Q8_0,
        "q4_0" => WeightFormat::Q4_0,
        "mxfp4" => WeightFormat::Mxfp4Moe,
        "f16" => WeightFormat::Fp16,
        "bf16" => WeightFormat::Bf16,
        "f32" => WeightFormat::Fp32,
        _ => return None,
    })
}

impl ModelConfig {
    /// The exact bytes, when `format` is the one they are stored in
    /// ([`stored_format`]); another format is priced from the config.
    pub fn exact_for(&self, format: WeightFormat) -> Option<&crate::checkpoint::CheckpointBytes> {
        let x = self.exact_weights.as_deref()?;
        let stored = stored_format(x, self)?;
        (format.resolve(self) == stored).then_some(x)
    }
}

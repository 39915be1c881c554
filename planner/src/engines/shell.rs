//! Launch commands as shell text: the pieces every engine's command is made of, and the
//! quoting that keeps what is pasted into a shell inert.

use super::Engine;
use crate::inert;
use crate::model::weights::WeightFormat;
use crate::plan::workload::Workload;

/// What every engine's command is built from, worked out once.
pub struct CommandInput<'a> {
    /// The model's repo id as given (for comments).
    pub model_id: &'a str,
    /// The model argument, escaped and quoted for the shell.
    pub model: String,
    /// The format with `native` resolved.
    pub format: WeightFormat,
    /// `--dtype` when the user chose a float type.
    pub dtype: Option<&'static str>,
    /// Tensor-parallel ranks (≥ 1).
    pub tp: u64,
    /// Pipeline stages (≥ 1).
    pub pp: u64,
    /// Context per sequence (≥ 1).
    pub ctx: u64,
    /// Concurrent sequences (≥ 1).
    pub n: u64,
    /// The workload.
    pub w: &'a Workload,
    /// The format is the checkpoint's own (no other checkpoint to point to).
    pub native: bool,
    /// The model has routed experts (`--n-cpu-moe` means something).
    pub moe: bool,
}

/// A shell command with the comment lines that explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaunchCommand {
    /// The engine it starts.
    pub engine: Engine,
    /// `# …` lines: what to substitute, what the engine cannot do.
    pub comments: Vec<String>,
    /// Program and arguments, one flag (with its value) per entry.
    pub args: Vec<String>,
}

impl LaunchCommand {
    /// The command as copyable shell text: comments first, then one flag per line joined with
    /// `\` continuations. Comments carry names from config.json files and links, so each is
    /// written through [`inert::escape`]: a line break in a name cannot end the comment and
    /// start a command, and a trailing backslash cannot continue it.
    pub fn to_shell(&self) -> String {
        let mut out = String::new();
        for c in &self.comments {
            out.push_str("# ");
            out.push_str(&inert::escape(c));
            out.push('\n');
        }
        out.push_str(&self.args.join(" \\\n  "));
        out
    }

    /// The command on one line (no comments), for tests and logs.
    pub fn one_line(&self) -> String {
        self.args.join(" ")
    }
}

/// Quotes a shell word when it holds anything but `[A-Za-z0-9._/:=@+-]`. Control characters
/// are escaped first ([`inert::escape`]): inside quotes they would be harmless to the shell
/// but not to the terminal that shows the command.
pub fn shell_word(s: &str) -> String {
    let s = &inert::escape(s);
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/:=@+-".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The GGUF file type name llama-quantize uses for a format.
pub fn gguf_type(format: WeightFormat) -> &'static str {
    match format {
        WeightFormat::Q8_0 => "Q8_0",
        WeightFormat::Q6K => "Q6_K",
        WeightFormat::Q5KM => "Q5_K_M",
        WeightFormat::Q4KM => "Q4_K_M",
        WeightFormat::Q4_0 => "Q4_0",
        WeightFormat::Mxfp4Moe => "MXFP4_MOE",
        WeightFormat::Fp32 => "F32",
        WeightFormat::Bf16 => "BF16",
        _ => "F16",
    }
}

/// A file-name-safe stem for GGUF files: the repo's last path segment.
pub fn gguf_file(model_id: &str, format: WeightFormat) -> String {
    let stem = model_id.rsplit('/').next().unwrap_or(model_id);
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("./{stem}-{}.gguf", gguf_type(format))
}

/// The torch dtype name for `--dtype` when the format fixes the compute type.
pub fn torch_dtype(format: WeightFormat) -> Option<&'static str> {
    match format {
        WeightFormat::Fp32 => Some("float32"),
        WeightFormat::Fp16 => Some("float16"),
        WeightFormat::Bf16 => Some("bfloat16"),
        _ => None,
    }
}

/// For formats that need a pre-quantized checkpoint: what to load instead of the repo.
pub fn checkpoint_comment(format: WeightFormat, model_id: &str) -> Option<String> {
    let kind = match format {
        WeightFormat::Int8 => "an INT8 (compressed-tensors W8A8/W8A16)",
        WeightFormat::Awq => "an AWQ",
        WeightFormat::W4a16 => "a compressed-tensors W4A16",
        WeightFormat::W4a16G32 => "a compressed-tensors INT4 group-32",
        WeightFormat::Gptq => "a GPTQ",
        WeightFormat::Mxfp4 => "an MXFP4",
        WeightFormat::Nvfp4 => "an NVFP4 (ModelOpt)",
        _ => return None,
    };
    Some(format!(
        "replace {model_id} with {kind} checkpoint of it: the engine reads its quantization_config"
    ))
}

/// `0.9` not `0.90`, `0.85` stays: the shortest form of a two-decimal fraction.
pub fn trim_fraction(f: f64) -> String {
    let s = crate::units::fixed(f, 2);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".into()
    } else {
        s.into()
    }
}

//! What the URL decoder could not use, as notices the page shows and `fitgrid grid` prints.

use crate::inert;

/// A query parameter that was not used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignored {
    /// The query key, e.g. `ctx` (clipped and escaped); empty for a notice about the whole
    /// link (its length, too many problems, many unknown parameters).
    pub field: String,
    /// The value as it arrived (clipped and escaped, see [`inert::echo`]), shown as text only.
    pub value: String,
    /// What was done instead.
    pub reason: String,
}

impl Ignored {
    /// A notice about `field = value`; all three are made inert ([`inert::echo`]).
    pub fn new(field: &str, value: &str, reason: String) -> Self {
        Ignored {
            field: inert::echo(field, 24),
            value: inert::echo(value, 80),
            // Reasons may quote what arrived (a member's model id); inert like the rest.
            reason: inert::escape(&reason),
        }
    }
}

impl std::fmt::Display for Ignored {
    /// The notice as one sentence: what the page shows and `fitgrid grid` prints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.reason)?;
            if !self.value.is_empty() {
                write!(f, ": {}", self.value)?;
            }
            Ok(())
        } else {
            write!(
                f,
                "Link parameter {} ({}) = “{}”: {}",
                self.field,
                field_name(&self.field),
                self.value,
                self.reason
            )
        }
    }
}

/// Human name of a query key, for notices.
pub fn field_name(key: &str) -> &'static str {
    match key {
        "m" => "models",
        "g" => "GPUs",
        "q" => "weight formats",
        "ctx" => "context length",
        "n" => "concurrency",
        "kv" => "KV-cache dtype",
        "e" => "engine",
        "tp" => "tensor parallel",
        "util" => "GPU memory utilization",
        "bands" => "band thresholds",
        "tps" => "speed target",
        "ram" => "system RAM",
        "rambw" => "system RAM bandwidth",
        "mode" => "grid mode",
        "sort" => "sort order",
        "u" => "units",
        "theme" => "theme",
        "embed" => "embed",
        "cell" => "selected cell",
        "cm" => "custom model",
        "cg" => "custom GPU",
        "pr" => "GPU prices",
        "co" => "co-located model",
        "cog" => "co-location GPU",
        "v" => "link version",
        _ => "unknown parameter",
    }
}

//! What share of a GPU an engine reaches when it decodes and prefills (each engine file says
//! from which measured runs).

/// An engine's efficiency on one GPU for one weight format.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Efficiency {
    /// Share of the memory bandwidth a batch-1 decode step reaches on 16-bit weights.
    pub memory: f64,
    /// Speed of the weight format's kernels against 16-bit ones at equal bytes (the cost of
    /// dequantising).
    pub format: f64,
    /// Share of the dense FP16 tensor throughput (FP32 on Apple) prefill reaches; `None`: no
    /// measured prefill to take it from.
    pub compute: Option<f64>,
    /// Fixed cost of one decode step (launches, sampling, scheduling), seconds.
    pub step_s: f64,
    /// Extra cost per GPU a request passes when the model is split by layers, seconds.
    pub hop_s: f64,
}

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
    /// Fixed cost of each layer in a decode step (its kernels' launch and latency floor, which
    /// CUDA graphs shorten but do not remove), seconds.
    pub layer_s: f64,
    /// Extra fixed cost of each MoE layer (routing, permuting tokens to experts, grouped
    /// matrices), seconds.
    pub moe_layer_s: f64,
    /// Extra cost per GPU a request passes when the model is split by layers, seconds.
    pub hop_s: f64,
    /// Cost of one all-reduce across tensor-parallel ranks (two a layer), seconds.
    pub allreduce_s: f64,
    /// Cost of handing a step between the GPU and the CPU and back (synchronising, copying the
    /// activations), paid at each layer whose experts sit in system RAM, seconds.
    pub host_round_trip_s: f64,
    /// Share of the system RAM's bandwidth the engine's CPU kernels reach on the layers and
    /// experts left in system RAM.
    pub host_memory: f64,
}

//! Memory an engine holds besides weights and KV cache.

use crate::units::Bytes;

/// Memory outside weights and KV cache, per GPU, as the engine would use it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Reserves {
    /// Activation / compute-buffer peak (inside the engine budget).
    pub activation: Bytes,
    /// Non-torch allocations inside the budget (NCCL, cuBLAS workspaces).
    pub non_torch: Bytes,
    /// Memory outside the engine budget: CUDA context, CUDA graphs, llama.cpp margin.
    pub outside_budget: Bytes,
    /// Extra weight-like buffers the engine loads (vLLM's rotary cos/sin cache).
    pub buffers: Bytes,
}

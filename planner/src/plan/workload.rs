//! What the user wants to run: engine, context, concurrency, cache type, parallelism, budget.

use crate::engines::Engine;
use crate::model::kv_cache::KvDtype;

/// What the user wants to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// Engine whose budget rule applies.
    pub engine: Engine,
    /// Context length per sequence (vLLM `--max-model-len`).
    pub context: u64,
    /// Concurrent sequences at that context.
    pub concurrency: u64,
    /// KV cache element type.
    pub kv_dtype: KvDtype,
    /// Tensor-parallel ranks.
    pub tensor_parallel: u64,
    /// Pipeline stages.
    pub pipeline_parallel: u64,
    /// vLLM `--gpu-memory-utilization` (default 0.9).
    pub gpu_memory_utilization: f64,
    /// SGLang `--mem-fraction-static`; `None`: SGLang's own default for the GPU
    /// (`engines::sglang::default_fraction`).
    pub mem_fraction_static: Option<f64>,
    /// llama.cpp `-fa on` (its default `auto` turns it on for CUDA and Metal): without it the
    /// attention scores of a whole ubatch over the whole cache sit in the compute buffer.
    pub flash_attention: bool,
    /// llama.cpp `-ngl`: repeating layers on the GPU; `None`: all of them and the output layer.
    pub gpu_layers: Option<u64>,
    /// llama.cpp `--n-cpu-moe`: the first N layers keep their routed experts in system RAM.
    pub cpu_moe_layers: u64,
    /// Which vLLM release's profile run (its sampler) applies.
    pub vllm_release: crate::engines::VllmRelease,
    /// System RAM free for the engine, bytes; `None`: not given, so llama.cpp's `--fit` is not
    /// planned (a model that does not fit the GPU does not fit).
    pub system_memory_bytes: Option<u64>,
    /// System RAM bandwidth, GB/s (e.g. 89.6 for dual-channel DDR5-5600: 5,600 MT/s × 8 bytes
    /// × 2 channels); `None`: the speed of a plan with layers in RAM is not given.
    pub system_bandwidth_gbps: Option<u64>,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            engine: Engine::Vllm,
            context: 4096,
            concurrency: 1,
            kv_dtype: KvDtype::Auto,
            tensor_parallel: 1,
            pipeline_parallel: 1,
            gpu_memory_utilization: 0.9,
            mem_fraction_static: None,
            flash_attention: true,
            gpu_layers: None,
            cpu_moe_layers: 0,
            vllm_release: Default::default(),
            system_memory_bytes: None,
            system_bandwidth_gbps: None,
        }
    }
}

impl Workload {
    /// GPUs one copy of the model runs on: tensor × pipeline ranks (llama.cpp: its layer
    /// split over that many).
    pub fn gpus(&self) -> u64 {
        self.tensor_parallel.max(1) * self.pipeline_parallel.max(1)
    }
}

impl std::hash::Hash for Workload {
    /// By value, the budget by its bits (a workload is a key of fingerprints and sets).
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (self.engine, self.context, self.concurrency, self.kv_dtype).hash(h);
        (self.tensor_parallel, self.pipeline_parallel).hash(h);
        self.gpu_memory_utilization.to_bits().hash(h);
        self.mem_fraction_static.map(f64::to_bits).hash(h);
        (self.flash_attention, self.gpu_layers, self.cpu_moe_layers).hash(h);
        self.vllm_release.hash(h);
        (self.system_memory_bytes, self.system_bandwidth_gbps).hash(h);
    }
}

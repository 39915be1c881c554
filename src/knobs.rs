//! Number fields that never apply half-typed text, and each engine's own knobs.

use leptos::prelude::*;
use planner::engines::VllmRelease;
use planner::plan::ranges::Field;
use planner::{Engine, GridConfig};

/// Reads a field's value from the configuration (`None`: the engine's default).
pub type Getter = fn(&GridConfig) -> Option<u64>;
/// Writes it.
pub type Setter = fn(&mut GridConfig, Option<u64>);

/// A whole-number field that applies as you type, within its range
/// (`planner::plan::ranges`). While the text is not a valid value ("150" for a percentage,
/// "-1"), the value from before the edit stays applied and the field is marked invalid, so a
/// prefix such as "15" never remains in effect; leaving the field shows what is applied.
#[component]
pub fn NumberField(
    /// The configuration edited.
    config: RwSignal<GridConfig>,
    /// The input's `name` (tests and links use the same key).
    name: &'static str,
    /// The visible label.
    label: &'static str,
    /// Range and wording.
    field: Field,
    /// Reads the value.
    get: Getter,
    /// Writes the value.
    set: Setter,
    /// Placeholder for an empty field; `Some` makes empty mean "the default" (`None`).
    #[prop(optional)]
    empty: Option<&'static str>,
) -> impl IntoView {
    let before = StoredValue::new(None::<Option<u64>>);
    let invalid = RwSignal::new(false);
    let shown = move || config.with(|c| get(c).map(|n| n.to_string()).unwrap_or_default());
    let (min, max) = field.range();
    view! {
        <label class="controls__field">
            <span>{label}</span>
            <input type="text" inputmode="numeric" name=name placeholder=empty.unwrap_or("")
                aria-invalid=move || invalid.get().then_some("true")
                title=format!("a whole number from {min} to {max}{}", if empty.is_some() { ", or empty for the default" } else { "" })
                prop:value=shown
                on:focus=move |_| before.set_value(Some(config.with_untracked(get)))
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    let value = if text.trim().is_empty() && empty.is_some() {
                        Some(None)
                    } else {
                        field.parse(&text).ok().map(Some)
                    };
                    invalid.set(value.is_none());
                    let value = value.or_else(|| before.get_value()).unwrap_or(None);
                    if config.with_untracked(get) != value {
                        config.update(|c| set(c, value));
                    }
                }
                on:change=move |ev| {
                    // Leaving an invalid field shows the value in effect again.
                    if invalid.get_untracked() {
                        invalid.set(false);
                        if let Some(input) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) {
                            input.set_value(&shown());
                        }
                    }
                } />
        </label>
    }
}

/// The knobs of the engine in effect: vLLM's budget and release, SGLang's static fraction,
/// llama.cpp's flash attention and offload.
#[component]
pub fn EngineKnobs(
    /// The configuration edited.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    let engine = Memo::new(move |_| config.with(|c| c.workload.engine));
    view! {
        <Show when=move || engine.get() == Engine::Vllm>
            <NumberField config name="util" label="vLLM memory utilization %" field=Field::GpuUtilPct
                get=|c| Some(c.util_pct()) set=|c, n| if let Some(n) = n { c.set_util_pct(n) } />
            <label class="controls__field">
                <span>"vLLM release"</span>
                // Its sampler's dummy run is most of the profile-run peak (engines::VllmRelease).
                <select name="vr"
                    prop:value=move || config.with(|c| c.workload.vllm_release.id())
                    on:change=move |ev| if let Some(r) = VllmRelease::parse(&event_target_value(&ev)) {
                        config.update(|c| c.workload.vllm_release = r)
                    }>
                    {[VllmRelease::Current, VllmRelease::SortSampler].into_iter().map(|r| view! {
                        <option value=r.id()>{r.label()}</option>
                    }).collect_view()}
                </select>
            </label>
        </Show>
        <Show when=move || engine.get() == Engine::Sglang>
            // Empty: SGLang's own default for each GPU (shown in the cell detail).
            <NumberField config name="mfs" label="SGLang mem_fraction_static %" field=Field::MemFractionStaticPct
                empty="default" get=|c| c.mfs_pct() set=|c, n| c.set_mfs_pct(n) />
        </Show>
        <Show when=move || engine.get() == Engine::LlamaCpp>
            <label class="controls__field controls__field--check">
                <input type="checkbox" name="fa"
                    prop:checked=move || config.with(|c| c.workload.flash_attention)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        config.update(|c| c.workload.flash_attention = on)
                    } />
                <span>"Flash attention (-fa)"</span>
            </label>
            // Empty: every layer and the output layer on the GPU (-ngl 999).
            <NumberField config name="ngl" label="GPU layers (-ngl)" field=Field::GpuLayers empty="all"
                get=|c| c.workload.gpu_layers set=|c, n| c.workload.gpu_layers = n />
            <NumberField config name="cmoe" label="Experts on CPU (--n-cpu-moe)" field=Field::CpuMoeLayers
                get=|c| Some(c.workload.cpu_moe_layers) set=|c, n| c.workload.cpu_moe_layers = n.unwrap_or(0) />
            // Given: llama.cpp's --fit may keep layers or experts there (the cell says ⇅ offload);
            // the bandwidth prices their speed (nominal: channels × MT/s × 8 bytes).
            <NumberField config name="ram" label="System RAM GiB (offload)" field=Field::SystemMemoryGib
                empty="not given" get=|c| c.workload.system_memory_bytes.map(|b| b >> 30)
                set=|c, n| c.workload.system_memory_bytes = n.map(|g| g << 30) />
            <NumberField config name="rambw" label="RAM bandwidth GB/s" field=Field::SystemBandwidth
                empty="e.g. 90" get=|c| c.workload.system_bandwidth_gbps
                set=|c, n| c.workload.system_bandwidth_gbps = n />
        </Show>
    }
}

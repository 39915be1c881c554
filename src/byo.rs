//! Bring your own model and GPU: paste or upload a config.json, fetch one from the Hugging Face
//! Hub, or describe a GPU. Everything added goes into the configuration (and so the link).

use leptos::prelude::*;
use leptos::task::spawn_local;
use planner::catalog::custom::CustomModel;
use planner::catalog::custom_gpu::{custom_gpu, memory_mib, tflops_gflops};
use planner::GridConfig;
use wasm_bindgen::JsCast;

/// Adds a parsed model to the grid (replacing one with the same id) and reports the outcome.
pub(crate) fn add_model(
    config: RwSignal<GridConfig>,
    m: CustomModel,
    added: String,
) -> (bool, String) {
    let mut result = Ok(());
    config.update(|c| result = c.add_custom_model(m));
    match result {
        Ok(()) => (true, added),
        Err(why) => (false, why),
    }
}

/// The "add your own" panel.
#[component]
pub fn BringYourOwn(
    /// The configuration that receives the new rows and columns.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    view! {
        <details class="byo" data-testid="byo">
            <summary class="byo__summary">"Add your own model or GPU"</summary>
            <div class="byo__body">
                <PasteModel config=config />
                <crate::fetch_model::FetchModel config=config />
                <CustomGpuForm config=config />
                <CustomList config=config />
            </div>
        </details>
    }
    .into_any()
}

/// Paste or upload a config.json (optionally with a parameter count or the safetensors index).
#[component]
fn PasteModel(
    /// Receives the model.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let params = RwSignal::new(String::new());
    let index = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let add = move |_| {
        let published =
            params.with_untracked(|p| p.replace([',', '_', ' '], "").parse::<u64>().ok());
        let cfg = text.get_untracked();
        let result = CustomModel::from_config_text(&cfg, Some(&name.get_untracked()), published)
            .map(|mut m| {
                if published.is_none() {
                    if let Some(p) = index.with_untracked(|i| m.params_from_index(i)) {
                        m.model.params = Some(p);
                    }
                }
                m
            });
        match result {
            Ok(m) => {
                let added = format!(
                    "Added {} ({} B parameters)",
                    m.model.name,
                    planner::units::fixed(m.model.config.param_count() as f64 / 1e9, 2)
                );
                message.set(Some(add_model(config, m, added)));
            }
            Err(e) => message.set(Some((false, e.to_string()))),
        }
    };
    // Reads an uploaded file into a signal (File.text() is a promise).
    let read_into = move |ev: leptos::ev::Event, target: RwSignal<String>| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(v) => target.set(v.as_string().unwrap_or_default()),
                Err(_) => message.set(Some((false, "could not read the file".into()))),
            }
        });
    };
    view! {
        <fieldset class="byo__group">
            <legend>"Paste or upload a config.json"</legend>
            <textarea name="config" rows="6" placeholder="{ \"architectures\": [\"LlamaForCausalLM\"], … }"
                aria-label="config.json" prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <div class="byo__row">
                <label>"Upload config.json " <input type="file" name="config-file" accept=".json,application/json"
                    on:change=move |ev| read_into(ev, text) /></label>
                <label>"Name " <input type="text" name="model-name" placeholder="my-org/my-model" on:input=move |ev| name.set(event_target_value(&ev)) /></label>
            </div>
            <div class="byo__row">
                <label>"Parameter count (optional) " <input type="text" name="params" inputmode="numeric" on:input=move |ev| params.set(event_target_value(&ev)) /></label>
                <label>"or model.safetensors.index.json " <input type="file" name="index-file" accept=".json"
                    on:change=move |ev| read_into(ev, index) /></label>
            </div>
            <button type="button" class="button" name="add-config" on:click=add>"Add model"</button>
            <Message message=message />
        </fieldset>
    }
    .into_any()
}

/// A status or error line.
#[component]
pub(crate) fn Message(
    /// `(ok, text)`; an error is announced as an alert.
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    move || {
        message.get().map(|(ok, text)| {
            if ok {
                view! { <p class="byo__ok" role="status">{text}</p> }.into_any()
            } else {
                view! { <p class="byo__error" role="alert">{text}</p> }.into_any()
            }
        })
    }
}

/// Describe a GPU: name, memory in MiB or GiB, optional bandwidth and dense FP16 TFLOPS (the
/// speed mode's decode needs the first, prefill the second).
#[component]
fn CustomGpuForm(
    /// Receives the GPU.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let memory = RwSignal::new(String::new());
    let unit = RwSignal::new("GiB".to_string());
    let bandwidth = RwSignal::new(String::new());
    let tflops = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let add = move |_| {
        let mib = memory_mib(&memory.get_untracked(), unit.get_untracked() == "GiB");
        let bw = bandwidth.get_untracked().trim().parse::<u64>().ok();
        let fp16 = tflops.with_untracked(|t| tflops_gflops(t));
        match mib.and_then(|m| custom_gpu(&name.get_untracked(), m, bw)) {
            Some(mut g) => {
                g.fp16_gflops = fp16;
                let added = format!("Added {}", g.name);
                let mut result = Ok(());
                config.update(|c| result = c.add_custom_gpu(g));
                message.set(Some(match result {
                    Ok(()) => (true, added),
                    Err(why) => (false, why),
                }));
            }
            None => message.set(Some((
                false,
                "a GPU needs a name and a memory size between 256 MiB and 16 TiB".into(),
            ))),
        }
    };
    view! {
        <fieldset class="byo__group">
            <legend>"Describe a GPU"</legend>
            <div class="byo__row">
                <label>"Name " <input type="text" name="gpu-name"
                    on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>"Memory " <input type="number" name="gpu-memory" min="0" step="any"
                    on:input=move |ev| memory.set(event_target_value(&ev)) /></label>
                <select name="gpu-unit" aria-label="Memory unit"
                    on:change=move |ev| unit.set(event_target_value(&ev))>
                    <option value="GiB">"GiB"</option>
                    <option value="MiB">"MiB"</option>
                </select>
                <label>"Bandwidth GB/s (optional) " <input type="number" name="gpu-bandwidth" min="0" on:input=move |ev| bandwidth.set(event_target_value(&ev)) /></label>
                <label>"Dense FP16 TFLOPS (optional) " <input type="number" name="gpu-tflops" min="0" step="any" on:input=move |ev| tflops.set(event_target_value(&ev)) /></label>
            </div>
            <button type="button" class="button" name="add-gpu" on:click=add>"Add GPU"</button>
            <Message message=message />
        </fieldset>
    }
    .into_any()
}

/// A fingerprint of the user's own models and GPUs (ids and names): what the custom list and
/// the co-location panel's pickers show of them.
pub(crate) fn custom_fingerprint(c: &GridConfig) -> u64 {
    let models = c.custom_models.iter().map(|m| (&m.model.id, &m.model.name));
    let gpus = c.custom_gpus.iter().map(|g| (&g.id, &g.name));
    crate::fingerprint(models.chain(gpus).collect::<Vec<_>>())
}

/// The user's own entries, with their notes and a remove button each. Plain rows rendered
/// from the configuration and one delegated click listener (smaller wasm than keyed lists).
#[component]
fn CustomList(
    /// The configuration holding them.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    // Re-rendered when the user's entries change, not on every configuration change.
    let entries = Memo::new(move |_| config.with(custom_fingerprint));
    let rows = move || {
        let _ = entries.get();
        config.with_untracked(|c| {
            let models = c.custom_models.iter().map(|m| {
                (m.model.id.clone(), m.model.name.clone(), m.notes.join(" · "))
            });
            let gpus = c
                .custom_gpus
                .iter()
                .map(|g| (g.id.clone(), g.name.clone(), g.memory().to_string()));
            models
                .chain(gpus)
                .map(|(id, name, detail)| {
                    view! {
                        <li data-custom=id.clone()>
                            <strong>{name.clone()}</strong> " " <span class="byo__note">{detail}</span>
                            <button type="button" class="button" data-remove=id.clone() aria-label=format!("Remove {name}")>"Remove"</button>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let click = move |ev: web_sys::MouseEvent| {
        let Some(id) = crate::event_element(&ev).and_then(|el| el.get_attribute("data-remove"))
        else {
            return;
        };
        config.update(|c| c.remove_custom(&id))
    };
    view! {
        <ul class="byo__list" data-testid="custom-list" on:click=click>{rows}</ul>
    }
    .into_any()
}

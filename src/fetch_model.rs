//! Fetch a model from the Hugging Face Hub: its config.json, its published parameter count and
//! its checkpoint's exact bytes. The planner's [`HubFetch`] decides what to read and what each
//! answer means; this component only performs the reads, with the token, the timer and Cancel.

use crate::byo::{add_model, Message};
use crate::hub::{get, stopped, Ask, Stop, FETCH_TIMEOUT};
use leptos::leptos_dom::helpers::TimeoutHandle;
use leptos::prelude::*;
use leptos::task::spawn_local;
use planner::hub::{HubFetch, HubStep};
use planner::GridConfig;

/// Fetch config.json, the parameter count and the exact bytes of a Hub repo (or of a GGUF file
/// on the Hub), with an optional token kept in memory only (never in the URL or storage).
#[component]
pub(crate) fn FetchModel(
    /// Receives the model.
    config: RwSignal<GridConfig>,
) -> impl IntoView {
    let repo = RwSignal::new(String::new());
    let gguf = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    // The fetch under way: its abort controller (for Cancel and the timer), the timer, and
    // why it stopped.
    let controller =
        StoredValue::new_local(None::<(web_sys::AbortController, Option<TimeoutHandle>)>);
    let stop = RwSignal::new(None::<Stop>);
    let abort = move |why: Stop| {
        if let Some((c, _)) = controller.get_value() {
            stop.set(Some(why));
            c.abort();
        }
    };
    let fetch = move || {
        // A GGUF file, when given, is what the weights are read from.
        let (r, g) = (repo.get_untracked(), gguf.get_untracked());
        let start = if g.trim().is_empty() {
            HubFetch::new(&r)
        } else {
            HubFetch::with_gguf(&r, &g)
        };
        let mut hub = match start {
            Ok(h) => h,
            Err(e) => return message.set(Some((false, e))),
        };
        let tok = token.get_untracked().trim().to_string();
        let Ok(ctrl) = web_sys::AbortController::new() else {
            message.set(Some((false, "this browser cannot cancel requests".into())));
            return;
        };
        let signal = ctrl.signal();
        controller.set_value(Some((ctrl, None)));
        stop.set(None);
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            let ask = Ask {
                token: &tok,
                signal: &signal,
                stop,
            };
            let result = loop {
                progress.set(hub.progress());
                // Each request gets the full wait: a checkpoint of 160 shards takes many.
                controller.update_value(|c| {
                    if let Some((_, t)) = c {
                        if let Some(t) = t.take() {
                            t.clear();
                        }
                        *t = set_timeout_with_handle(move || abort(Stop::TimedOut), FETCH_TIMEOUT)
                            .ok();
                    }
                });
                let read = hub.read();
                let step = match get(&read.url, ask, read.first, read.max).await {
                    Ok((status, body)) => hub.feed(status, &body),
                    // Cancel adds nothing; a failed or slow read is the planner's to judge.
                    Err(why) => match stop.get_untracked() {
                        Some(Stop::Cancelled) => Err(stopped(Some(Stop::Cancelled), why)),
                        Some(Stop::TimedOut) => hub
                            .fail(&format!(
                                "the Hub did not answer within {} s",
                                FETCH_TIMEOUT.as_secs()
                            ))
                            .map_err(|_| stopped(Some(Stop::TimedOut), why)),
                        None => hub.fail(&why),
                    },
                };
                match step {
                    Ok(HubStep::Read(_)) => {}
                    Ok(HubStep::Done(m, words)) => break Ok((m, words)),
                    Err(e) => break Err(e),
                }
            };
            if let Some((_, Some(t))) = controller.get_value() {
                t.clear();
            }
            controller.set_value(None);
            busy.set(false);
            message.set(Some(match result {
                Ok((m, words)) => add_model(config, *m, words),
                Err(e) => (false, e),
            }));
        });
    };
    view! {
        <fieldset class="byo__group" aria-busy=move || busy.get().to_string()>
            <legend>"Fetch from the Hugging Face Hub"</legend>
            // Enter in any of the fields fetches, as a form would.
            <div class="byo__row" on:keydown=move |ev| if ev.key() == "Enter" && !busy.get_untracked() { fetch() }>
                <label>"Repo id " <input type="text" name="repo" placeholder="Qwen/Qwen3-8B" on:input=move |ev| repo.set(event_target_value(&ev)) /></label>
                <label>"GGUF file (optional) " <input type="text" name="gguf"
                    placeholder="owner/name-GGUF/model-Q4_K_M.gguf"
                    on:input=move |ev| gguf.set(event_target_value(&ev)) /></label>
                <label>"Access token (gated repos; kept in memory only) "
                    <input type="password" name="token" autocomplete="off" on:input=move |ev| token.set(event_target_value(&ev)) /></label>
            </div>
            <p class="byo__hint">"The weights' exact bytes are read from the checkpoint's headers (its safetensors, or the GGUF file when one is given, with the original model's repo id for config.json): the first 256 KiB of each file (1 MiB and up for a GGUF), never the weights."</p>
            <button type="button" class="button" name="fetch" on:click=move |_| fetch() disabled=move || busy.get()>"Fetch"</button>
            <Show when=move || busy.get()>
                <span class="byo__progress" role="progressbar" aria-label="Fetching from the Hub" aria-live="polite">{move || progress.get()}</span>
                <button type="button" class="button" name="cancel-fetch" on:click=move |_| abort(Stop::Cancelled)>"Cancel"</button>
            </Show>
            <Message message=message />
        </fieldset>
    }
    .into_any()
}

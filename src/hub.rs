//! Requests to the Hugging Face Hub: a GET with the user's token (in memory only), an abort
//! signal (the Cancel button and the timer) and, for checkpoint headers, an HTTP Range of the
//! file's first bytes. Answers are streamed and capped, so a wrong file is never read whole.

use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// Longest wait for one Hub answer before the fetch gives up.
pub(crate) const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a fetch stopped before it had an answer (set by the timer or the Cancel button).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// [`FETCH_TIMEOUT`] passed without an answer.
    TimedOut,
    /// The user pressed Cancel.
    Cancelled,
}

/// What the user reads when `signal` aborted the fetch, or `fallback`.
pub(crate) fn stopped(stop: Option<Stop>, fallback: String) -> String {
    match stop {
        Some(Stop::TimedOut) => format!(
            "the Hub did not answer within {} s (offline, a proxy holding the request, or the Hub is slow); nothing was added, try again",
            FETCH_TIMEOUT.as_secs()
        ),
        Some(Stop::Cancelled) => "cancelled; nothing was added".into(),
        None => fallback,
    }
}

/// One request's settings.
#[derive(Copy, Clone)]
pub(crate) struct Ask<'a> {
    /// The user's access token ("" for none).
    pub token: &'a str,
    /// Aborts the request.
    pub signal: &'a web_sys::AbortSignal,
    /// Why `signal` fired, if it did.
    pub stop: RwSignal<Option<Stop>>,
}

/// GETs `url`: its first `first` bytes (an HTTP Range; a server that ignores it and answers
/// 200 with the whole file is read to those bytes, then cancelled) or, with `None`, all of it
/// up to `max` bytes. Returns the status and the bytes read.
pub(crate) async fn get(
    url: &str,
    ask: Ask<'_>,
    first: Option<u64>,
    max: u64,
) -> Result<(u16, Vec<u8>), String> {
    // The request is built here rather than by gloo's builder, which always re-parses the URL
    // to merge query parameters (a URL parser and a form encoder in the wasm for nothing).
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(ask.signal));
    let headers = web_sys::Headers::new().map_err(|_| "this browser cannot send headers")?;
    if !ask.token.is_empty() {
        let _ = headers.set("Authorization", &format!("Bearer {}", ask.token));
    }
    if let Some(n) = first {
        let _ = headers.set("Range", &format!("bytes=0-{}", n.max(1) - 1));
    }
    init.set_headers(&headers);
    let req = web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(|_| format!("`{url}` is not an address the browser accepts"))?;
    let resp = gloo_net::http::Request::from(req)
        .send()
        .await
        .map_err(|_| {
            stopped(
            ask.stop.get_untracked(),
            "network error: the Hub could not be reached (offline, blocked by a proxy, or CORS)"
                .into(),
        )
        })?;
    let status = resp.status();
    let file = url.rsplit('/').next().unwrap_or(url);
    let cap = first.unwrap_or(max);
    let too_large = || {
        format!(
            "{file} is larger than {} MiB, so Fitgrid stopped reading it",
            cap >> 20
        )
    };
    let declared = resp.headers().get("content-length");
    if first.is_none() && declared.and_then(|l| l.trim().parse::<u64>().ok()) > Some(cap) {
        return Err(too_large());
    }
    let Some(body) = resp.body() else {
        return Ok((status, Vec::new()));
    };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let unreadable = || {
        stopped(
            ask.stop.get_untracked(),
            format!("{file}: the answer could not be read"),
        )
    };
    let mut bytes = Vec::new();
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|_| unreadable())?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).map_err(|_| unreadable())?;
        if done.as_bool() == Some(true) {
            break;
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into()).map_err(|_| unreadable())?;
        bytes.extend(js_sys::Uint8Array::new(&value).to_vec());
        if bytes.len() as u64 > cap {
            // Stop the download (a server that ignores the Range sends the whole file: its
            // first bytes are as good); the promise's outcome no longer matters.
            let _ = reader.cancel();
            if first.is_none() {
                return Err(too_large());
            }
            bytes.truncate(cap as usize);
            break;
        }
    }
    Ok((status, bytes))
}

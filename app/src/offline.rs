//! Offline: the app's side of `app/js/offline.js` (loaded after first paint),
//! which keeps the draft and its photos (as Blobs) in IndexedDB, queues
//! submissions made without a connection and sends them by itself, registers
//! the service worker and draws the connection's status (`#net`).
//!
//! Every call goes through one wasm-bindgen import (`js/net.js`: call a
//! function of offline.js by name), so the first load carries a few lines of
//! JS and these wrappers, not the module. Nothing here fails loudly: a
//! refusal is an answer (`false`, `None`), which the screens show.

use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/js/net.js")]
extern "C" {
    fn fc_off(op: &str, a: &JsValue, b: &JsValue, c: &JsValue, d: &JsValue) -> js_sys::Promise;
}

async fn call(op: &str, a: JsValue, b: JsValue, c: JsValue, d: JsValue) -> Option<JsValue> {
    JsFuture::from(fc_off(op, &a, &b, &c, &d)).await.ok()
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

const U: JsValue = JsValue::UNDEFINED;

/// Fire and forget.
fn fire(op: &'static str, a: JsValue, b: JsValue, c: JsValue) {
    leptos::task::spawn_local(async move {
        call(op, a, b, c, U).await;
    });
}

/// After first paint: the service worker, the storage check, the status
/// panel and the outbox's sender. `context` is the asset's context URL, kept
/// for opening it offline on the first visit.
pub fn start(context: &str) {
    fire("start", s(context), U, U);
}

/// The saved draft's text (moved from `localStorage` once, by offline.js).
pub async fn load_draft(token: &str) -> Option<String> {
    call("loadDraft", s(token), U, U, U).await?.as_string()
}

/// Save the draft's text (`None`: forget it). When nothing can keep it,
/// offline.js warns in the status panel.
pub fn save_draft(token: &str, text: Option<&str>) {
    fire("saveDraft", s(token), text.map_or(JsValue::NULL, s), U);
}

/// `save_draft`, resolving once the phone's storage has it (or refused it).
pub async fn store_draft(token: &str, text: &str) {
    call("saveDraft", s(token), s(text), U, U).await;
}

/// Keep a chosen photo's Blob with the draft, under its `blob:` thumbnail.
/// Resolves once the phone's storage has it (or refused it: then
/// offline.js warns in the status panel), so a photo the technician sees
/// survives a reload or a killed tab from that moment; or after
/// `KEEP_WAIT_MS` at the most, the write going on behind (offline.js is
/// loaded before the notes screen shows, but when that load failed, each
/// call fetches it again, which a bad signal can hold for long).
pub async fn keep_photo(token: &str, thumb: &str, blob: &web_sys::Blob) {
    const KEEP_WAIT_MS: i32 = 2000;
    let kept = fc_off("keepPhoto", &s(token), &s(thumb), &blob.into(), &U);
    let waited = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, KEEP_WAIT_MS);
        }
    });
    let _ = JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(&kept, &waited))).await;
}

/// Replace a kept photo's Blob by its smaller copy, in the background (the
/// first one is kept until this one is), if it is still kept.
pub fn replace_photo(token: &str, thumb: &str, blob: &web_sys::Blob) {
    fire("replacePhoto", s(token), s(thumb), blob.into());
}

/// The photo shown as `thumb` is on the server as `sha256`.
pub fn photo_uploaded(token: &str, thumb: &str, sha256: &str) {
    fire("photoUploaded", s(token), s(thumb), s(sha256));
}

/// Forget a kept photo, by its `blob:` thumbnail or its hash.
pub fn drop_photo(token: &str, key: &str) {
    fire("dropPhoto", s(token), s(key), U);
}

pub fn clear_draft_photos(token: &str) {
    fire("clearDraftPhotos", s(token), U, U);
}

/// The draft's kept photos not uploaded yet: a new `blob:` URL of each (now
/// its key) and its file.
pub async fn pending_photos(token: &str) -> Vec<(String, web_sys::File)> {
    let Some(list) = call("pendingPhotos", s(token), U, U, U).await else {
        return Vec::new();
    };
    let list = js_sys::Array::from(&list);
    (0..list.length() / 2)
        .filter_map(|i| {
            let url = list.get(2 * i).as_string()?;
            Some((url, list.get(2 * i + 1).dyn_into().ok()?))
        })
        .collect()
}

/// Queue a submission (its body as the review engine made it) with the
/// draft's photos, durably; it is sent by itself. False when it could not
/// be stored (then nothing was queued).
pub async fn queue(token: &str, id: &uuid::Uuid, body: &str, asset: &str) -> bool {
    let id = crate::draft::uuid_str(id, &mut [0; 36]).to_owned();
    call("queue", s(token), s(&id), s(body), s(asset))
        .await
        .is_some_and(|v| v.is_truthy())
}

//! The few browser services the console uses, behind plain functions.

use fieldcase_core::console::QueueChange;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn document() -> Option<web_sys::Document> {
    window()?.document()
}

pub fn set_title(title: &str) {
    if let Some(d) = document() {
        d.set_title(title);
    }
}

/// Seconds since the Unix epoch, from the browser's clock.
pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// The path the page is at (to come back to after signing in again).
pub fn pathname() -> String {
    window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

/// The page's query string (`?…`), e.g. the sign-in page's `next`.
pub fn search() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Leave the console for another page of the site (a full navigation).
pub fn assign(path: &str) {
    if let Some(w) = window() {
        let _ = w.location().assign(path);
    }
}

/// An invitation link of the form `/console/#/accept/TOKEN` becomes
/// `/console/accept/TOKEN` before the router reads the address.
pub fn rewrite_hash_link() {
    let Some(w) = window() else { return };
    let hash = w.location().hash().unwrap_or_default();
    if let Some(token) = hash.strip_prefix("#/accept/") {
        let to = format!("/console/accept/{token}");
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&to));
        }
    }
}

pub fn focus(id: &str) {
    if let Some(el) = document()
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Whether a key press belongs to something else: a text field, a select, a
/// dialog, a modifier combo, or Enter on a button or link (the browser's).
pub fn typing_target(ev: &web_sys::KeyboardEvent) -> bool {
    if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
        return true;
    }
    let Some(el) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let tag = el.tag_name().to_ascii_lowercase();
    let text_entry = match tag.as_str() {
        "textarea" | "select" => true,
        "input" => el.get_attribute("type").as_deref() != Some("checkbox"),
        _ => el.get_attribute("contenteditable").is_some(),
    };
    let activates = matches!(tag.as_str(), "a" | "button") && ev.key() == "Enter";
    text_entry || activates || el.closest("dialog[open]").ok().flatten().is_some()
}

pub fn show_modal(id: &str) {
    if let Some(d) = document()
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok())
        && !d.open()
    {
        let _ = d.show_modal();
    }
}

pub fn close_dialog(id: &str) {
    if let Some(d) = document()
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok())
        && d.open()
    {
        d.close();
    }
}

pub fn copy_to_clipboard(text: &str) {
    if let Some(w) = window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// The queue's live updates: `EventSource(/api/v1/console/events)`, event
/// `queue`. Closed when dropped.
pub struct Live {
    source: web_sys::EventSource,
    _on_queue: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Live {
    /// `on_change` gets each change; `on_closed` is told when the browser
    /// gave up reconnecting (the session ended, or the server is gone).
    pub fn open(
        url: &str,
        on_change: impl Fn(QueueChange) + 'static,
        on_closed: impl Fn() + 'static,
    ) -> Option<Live> {
        let source = web_sys::EventSource::new(url).ok()?;
        let on_queue =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                if let Some(data) = ev.data().as_string()
                    && let Ok(change) = serde_json::from_str::<QueueChange>(&data)
                {
                    on_change(change);
                }
            });
        source
            .add_event_listener_with_callback("queue", on_queue.as_ref().unchecked_ref())
            .ok()?;
        let watched = source.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_ev: web_sys::Event| {
            if watched.ready_state() == web_sys::EventSource::CLOSED {
                on_closed();
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(Live {
            source,
            _on_queue: on_queue,
            _on_error: on_error,
        })
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.source.close();
    }
}

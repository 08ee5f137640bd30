//! The few browser services the app uses, behind plain functions.

use wasm_bindgen::{JsCast, JsValue};

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok()?
}

/// Read a `localStorage` entry.
pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Write a `localStorage` entry; false when the browser refused (full, blocked).
pub fn save(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// The path the page was opened at.
pub fn pathname() -> String {
    window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

pub fn navigate(path: &str) {
    if let Some(w) = window() {
        let _ = w.location().set_href(path);
    }
}

/// A new intake id: UUID v7 from the clock and 10 bytes of `crypto.getRandomValues`.
pub fn new_intake_id() -> uuid::Uuid {
    let mut bytes = [0u8; 10];
    let filled = window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    let ms = js_sys::Date::now() as u64;
    uuid::Builder::from_unix_timestamp_millis(ms, &bytes).into_uuid()
}

pub fn object_url(file: &web_sys::File) -> String {
    web_sys::Url::create_object_url_with_blob(file).unwrap_or_default()
}

pub fn revoke_object_url(url: &str) {
    if url.starts_with("blob:") {
        let _ = web_sys::Url::revoke_object_url(url);
    }
}

/// Move keyboard focus (and the screen) to an element, opening the fold
/// (`<details>`) it is in.
pub fn focus(id: &str) {
    if let Some(el) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    {
        open_fold(&el);
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

fn open_fold(el: &web_sys::Element) {
    if let Ok(Some(fold)) = el.closest("details") {
        let _ = fold.set_attribute("open", "");
    }
}

pub fn scroll_to_top() {
    if let Some(w) = window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Ask yes or no (the browser's own dialog); no when it cannot ask.
pub fn confirm(message: &str) -> bool {
    window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

/// Copy to the clipboard; false where the browser has none (plain-HTTP pages).
pub fn copy_text(text: &str) -> bool {
    let Some(w) = window() else { return false };
    let navigator = w.navigator();
    let has = js_sys::Reflect::get(&navigator, &"clipboard".into()).is_ok_and(|c| c.is_object());
    if has {
        let _ = navigator.clipboard().write_text(text);
    }
    has
}

/// A click on a `data-copy` button: copy its value and, when the browser
/// could, show its `data-copied` words on it (the confirmation's reference).
pub fn copy_clicked(ev: &web_sys::Event) {
    let Some(button) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("[data-copy]").ok().flatten())
    else {
        return;
    };
    let value = button.get_attribute("data-copy").unwrap_or_default();
    if copy_text(&value) {
        button.set_text_content(button.get_attribute("data-copied").as_deref());
    }
}

/// Put a value into a form control (after "Use the suggestion").
pub fn set_control(id: &str, text: &str, checked: bool) {
    let Some(el) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    else {
        return;
    };
    if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        if i.type_() == "checkbox" {
            i.set_checked(checked);
        } else {
            i.set_value(text);
        }
    } else if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        t.set_value(text);
    } else if let Some(s) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
        s.set_value(text);
    }
}

fn element(id: &str) -> Option<web_sys::Element> {
    window()?.document()?.get_element_by_id(id)
}

/// The id of the element with the keyboard focus, if it has one.
pub fn focused_id() -> Option<String> {
    let id = window()?.document()?.active_element()?.id();
    (!id.is_empty()).then_some(id)
}

/// An edit in the review's fields (delegated `input`, or `change` when
/// `change`): the field, the technician detail it is, and its new value.
/// Text controls answer `input`; checkboxes and picklists `change`, as the
/// review's own controls always did.
pub fn edited(
    ev: &web_sys::Event,
    change: bool,
) -> Option<(String, Option<crate::draft::Detail>, crate::json::Json)> {
    use crate::json::Json;
    let el: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let name = el.id().strip_prefix("f-")?.to_owned();
    let value = if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        let checkbox = i.type_() == "checkbox";
        if checkbox != change {
            return None;
        }
        if checkbox {
            Json::Bool(i.checked())
        } else {
            Json::Str(i.value())
        }
    } else if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        if change {
            return None;
        }
        Json::Str(t.value())
    } else {
        let s = el.dyn_ref::<web_sys::HtmlSelectElement>()?;
        if !change {
            return None;
        }
        Json::Str(s.value())
    };
    let detail = el
        .get_attribute("data-detail")
        .and_then(|d| crate::draft::Detail::parse(&d));
    Some((name, detail, value))
}

/// The `attr` of the element clicked, or of its nearest ancestor that has it
/// (the recent list's `data-answer` buttons).
pub fn closest_data(ev: &web_sys::Event, attr: &str) -> Option<String> {
    let el: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let mut selector = String::from("[");
    selector.push_str(attr);
    selector.push(']');
    el.closest(&selector).ok()??.get_attribute(attr)
}

/// A click on one of the review's own buttons: `(true, id)` to focus a field
/// (the summary), `(false, field)` to give a field back to the proposal.
pub fn clicked(ev: &web_sys::Event) -> Option<(bool, String)> {
    let el: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let button = el.closest("[data-focus],[data-revert]").ok()??;
    match button.get_attribute("data-focus") {
        Some(id) => Some((true, id)),
        None => Some((false, button.get_attribute("data-revert")?)),
    }
}

/// Bring the review's fields from what `prev` showed to `next`: each
/// changed field's `aria-invalid`, message and source line, and the summary.
/// Nothing else is touched: the controls keep what the person typed.
pub fn patch_review(prev: &crate::review::Answer, next: &crate::review::Answer) {
    if prev.summary != next.summary
        && let Some(s) = element("review-summary")
    {
        s.set_inner_html(&next.summary);
    }
    for (name, state) in &next.fields {
        let old = prev.field(name);
        if old == Some(state) {
            continue;
        }
        let mut id = String::from("f-");
        id.push_str(name);
        let (Some(control), Some(src)) = (element(&id), element(&(id.clone() + "-src"))) else {
            continue;
        };
        if state.err.is_empty() {
            let _ = control.remove_attribute("aria-invalid");
        } else {
            let _ = control.set_attribute("aria-invalid", "true");
        }
        if old.map(|o| o.err.as_str()) != Some(state.err.as_str()) {
            // A new message is a new alert; the same one is left alone.
            if let Some(e) = element(&(id + "-err")) {
                e.remove();
            }
            if !state.err.is_empty() {
                let _ = src.insert_adjacent_html("beforebegin", &state.err);
                // Nothing wrong stays folded away.
                open_fold(&control);
            }
        }
        if old.map(|o| o.src.as_str()) != Some(state.src.as_str()) {
            src.set_inner_html(&state.src);
        }
        // A value the engine changed by itself (the server's proposal came):
        // the control shows it. One the technician typed is already shown.
        if old.is_some_and(|o| o.text != state.text || o.checked != state.checked) {
            show_value(&control, &state.text, state.checked);
        }
    }
}

fn show_value(control: &web_sys::Element, text: &str, checked: bool) {
    let (key, value) = if control.get_attribute("type").as_deref() == Some("checkbox") {
        ("checked", JsValue::from_bool(checked))
    } else {
        ("value", JsValue::from_str(text))
    };
    let key = JsValue::from_str(key);
    if js_sys::Reflect::get(control, &key).ok().as_ref() != Some(&value) {
        let _ = js_sys::Reflect::set(control, &key, &value);
    }
}

/// Is this element on the page?
pub fn has_element(id: &str) -> bool {
    element(id).is_some()
}

/// Take an element off the page (the server's first paint, once the app
/// draws the same thing).
pub fn remove_element(id: &str) {
    if let Some(e) = element(id) {
        e.remove();
    }
}

pub fn set_title(title: &str) {
    if let Some(d) = window().and_then(|w| w.document()) {
        d.set_title(title);
    }
}

/// Say a status change through the page's one `aria-live` region.
pub fn announce(text: &str) {
    if let Some(live) = element("live") {
        // Emptied first, so the same words said twice are said twice.
        live.set_text_content(None);
        live.set_text_content(Some(text));
    }
}

// History, through `Reflect` rather than web-sys's `History` binding: it
// reuses imports the first load already has (every byte counts).
fn history() -> Option<wasm_bindgen::JsValue> {
    let w: wasm_bindgen::JsValue = window()?.into();
    js_sys::Reflect::get(&w, &"history".into()).ok()
}

fn history_call(method: &str, args: &js_sys::Array) {
    if let Some(h) = history()
        && let Some(f) = js_sys::Reflect::get(&h, &method.into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = f.apply(&h, args);
    }
}

/// The current history entry's screen (`history.state`), if it is one of ours.
pub fn history_state() -> Option<String> {
    js_sys::Reflect::get(&history()?, &"state".into())
        .ok()?
        .as_string()
}

/// A new history entry for a screen (`pushState`), or the current one
/// relabelled (`replaceState`); `None` is the first screen.
pub fn history_set(screen: Option<&str>, replace: bool) {
    let state = screen.map_or(wasm_bindgen::JsValue::NULL, Into::into);
    let args = js_sys::Array::of2(&state, &"".into());
    history_call(if replace { "replaceState" } else { "pushState" }, &args);
}

pub fn history_back() {
    history_call("back", &js_sys::Array::new());
}

/// Run `f` when the browser is idle (`requestIdleCallback`, at most
/// `timeout_ms` later), or after `timeout_ms` where it has no such thing.
pub fn when_idle(f: impl FnOnce() + 'static, timeout_ms: i32) {
    let Some(w) = window() else { return };
    let cb = wasm_bindgen::closure::Closure::once_into_js(f);
    let idle = js_sys::Reflect::get(&w, &"requestIdleCallback".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match idle {
        Some(idle) => {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"timeout".into(), &timeout_ms.into());
            let _ = idle.call2(&w, &cb, &options);
        }
        None => {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                cb.unchecked_ref::<js_sys::Function>(),
                timeout_ms,
            );
        }
    }
}

/// Load and run a module script (`<script type="module" src>`).
pub fn load_script(src: &str) {
    let Some(d) = window().and_then(|w| w.document()) else {
        return;
    };
    if let (Ok(s), Some(body)) = (d.create_element("script"), d.body()) {
        let _ = s.set_attribute("type", "module");
        let _ = s.set_attribute("src", src);
        let _ = body.append_child(&s);
    }
}

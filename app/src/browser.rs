//! The few browser services the app uses, behind plain functions.

use wasm_bindgen::JsCast;

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

/// Move keyboard focus (and the screen) to an element.
pub fn focus(id: &str) {
    if let Some(el) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

pub fn scroll_to_top() {
    if let Some(w) = window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
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

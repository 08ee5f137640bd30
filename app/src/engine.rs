//! The review engine (`fieldcase-engine`): a second WebAssembly module with
//! the structurer, the validator and serde, fetched after the intake page's
//! first paint and then called synchronously, with no network.
//!
//! Its URL is in `<meta name="fieldcase-engine" content="/…wasm">`, written
//! by `scripts/post-build.sh` when Trunk builds the app; its ABI is in
//! `engine/src/main.rs` (no imports, three exports: `fc_buffer`, `fc_run`,
//! `fc_ptr`, and its `memory`).

use std::cell::RefCell;

use js_sys::{Function, Object, Reflect, Uint8Array, WebAssembly};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

struct Module {
    memory: WebAssembly::Memory,
    buffer: Function,
    run: Function,
    ptr: Function,
}

thread_local! {
    static MODULE: RefCell<Option<Module>> = const { RefCell::new(None) };
}

fn export(exports: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    let v = Reflect::get(exports, &JsValue::from_str(name))?;
    if v.is_undefined() {
        Err(JsValue::from_str(name))
    } else {
        Ok(v)
    }
}

/// The engine's URL, from the page.
fn url() -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector("meta[name=fieldcase-engine]")
        .ok()??
        .get_attribute("content")
}

/// Fetch and instantiate the engine (once per page).
pub async fn load() -> Result<(), JsValue> {
    if ready() {
        return Ok(());
    }
    let url = url().ok_or_else(|| JsValue::from_str("no engine in this build"))?;
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let response = window.fetch_with_str(&url);
    let result = JsFuture::from(WebAssembly::instantiate_streaming(
        &response,
        &Object::new(),
    ))
    .await?;
    let exports = Reflect::get(&export(&result, "instance")?, &JsValue::from_str("exports"))?;
    let module = Module {
        memory: export(&exports, "memory")?.unchecked_into(),
        buffer: export(&exports, "fc_buffer")?.unchecked_into(),
        run: export(&exports, "fc_run")?.unchecked_into(),
        ptr: export(&exports, "fc_ptr")?.unchecked_into(),
    };
    MODULE.with_borrow_mut(|m| *m = Some(module));
    Ok(())
}

pub fn ready() -> bool {
    MODULE.with_borrow(Option::is_some)
}

fn number(v: JsValue) -> Result<u32, JsValue> {
    v.as_f64().map(|n| n as u32).ok_or(v)
}

/// Run one operation: JSON text in, JSON text out (`{"error":…}` on failure).
/// `None` when the engine is not loaded or broke.
pub fn call(op: u32, input: &str) -> Option<String> {
    MODULE.with_borrow(|m| {
        let m = m.as_ref()?;
        let run = || -> Result<String, JsValue> {
            let len = input.len() as u32;
            let at = number(m.buffer.call1(&JsValue::NULL, &JsValue::from(len))?)?;
            Uint8Array::new_with_byte_offset_and_length(&m.memory.buffer(), at, len)
                .copy_from(input.as_bytes());
            let n = number(m.run.call1(&JsValue::NULL, &JsValue::from(op))?)?;
            let at = number(m.ptr.call0(&JsValue::NULL)?)?;
            let bytes =
                Uint8Array::new_with_byte_offset_and_length(&m.memory.buffer(), at, n).to_vec();
            String::from_utf8(bytes).map_err(|_| JsValue::NULL)
        };
        run().ok()
    })
}

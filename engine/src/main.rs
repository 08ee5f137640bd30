//! The engine as a WebAssembly module with no imports and a tiny ABI, so the
//! app can instantiate it with `WebAssembly.instantiateStreaming` and no
//! JavaScript glue of its own:
//!
//! 1. `fc_buffer(len) -> ptr`: make room for `len` bytes of input; the app
//!    writes the UTF-8 input there;
//! 2. `fc_run(op) -> len`: run the operation (see the library's `OP_*`);
//!    the answer (UTF-8 JSON) replaces the input, `len` bytes long;
//! 3. `fc_ptr() -> ptr`: where the answer is, to read it.
//!
//! Pointers are only valid until the next call.

#![cfg_attr(target_arch = "wasm32", no_main)]

#[cfg(target_arch = "wasm32")]
mod abi {
    use std::cell::RefCell;

    use fieldcase_engine::Session;

    thread_local! {
        static IO: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        static SESSION: RefCell<Session> = RefCell::new(Session::default());
    }

    #[allow(unsafe_code)] // an export: the attribute is the only unsafe part
    #[unsafe(no_mangle)]
    pub extern "C" fn fc_buffer(len: usize) -> *mut u8 {
        IO.with_borrow_mut(|io| {
            io.clear();
            io.resize(len, 0);
            io.as_mut_ptr()
        })
    }

    #[allow(unsafe_code)]
    #[unsafe(no_mangle)]
    pub extern "C" fn fc_run(op: u32) -> usize {
        IO.with_borrow_mut(|io| {
            let answer = match std::str::from_utf8(io) {
                Ok(input) => SESSION.with_borrow_mut(|s| s.handle(op, input)),
                Err(_) => r#"{"error":"input is not UTF-8"}"#.to_owned(),
            };
            *io = answer.into_bytes();
            io.len()
        })
    }

    #[allow(unsafe_code)]
    #[unsafe(no_mangle)]
    pub extern "C" fn fc_ptr() -> *const u8 {
        IO.with_borrow(|io| io.as_ptr())
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("fieldcase-engine runs in the browser: `trunk build` builds it with the app.");
}

//! The decoder as a WebAssembly module with no imports, instantiated by
//! `public/code.js` with `WebAssembly.instantiateStreaming` (no JS glue):
//!
//! 1. `alloc(len) -> ptr`: room for `len` bytes of greyscale pixels, which
//!    the page writes there;
//! 2. `decode(width, height) -> len`: the decoded text's length in bytes,
//!    0 when no QR code was read;
//! 3. `text() -> ptr`: where that text is (UTF-8).
//!
//! Pointers are only valid until the next call.

#![cfg_attr(target_arch = "wasm32", no_main)]

#[cfg(target_arch = "wasm32")]
mod abi {
    use std::cell::RefCell;

    thread_local! {
        static PIXELS: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        static TEXT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }

    #[allow(unsafe_code)] // an export: the attribute is the only unsafe part
    #[unsafe(no_mangle)]
    pub extern "C" fn alloc(len: usize) -> *mut u8 {
        PIXELS.with_borrow_mut(|p| {
            p.clear();
            p.resize(len, 0);
            p.as_mut_ptr()
        })
    }

    #[allow(unsafe_code)]
    #[unsafe(no_mangle)]
    pub extern "C" fn decode(width: usize, height: usize) -> usize {
        let text = PIXELS.with_borrow(|p| fieldcase_scanner::decode(p, width, height));
        TEXT.with_borrow_mut(|t| {
            *t = text.unwrap_or_default().into_bytes();
            t.len()
        })
    }

    #[allow(unsafe_code)]
    #[unsafe(no_mangle)]
    pub extern "C" fn text() -> *const u8 {
        TEXT.with_borrow(|t| t.as_ptr())
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("fieldcase-scanner runs in the browser: `trunk build` builds it with the app.");
}

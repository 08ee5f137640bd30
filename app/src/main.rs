//! Mounts the app; everything else lives in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(fieldcase_app::components::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("fieldcase-app runs in the browser: build it with `trunk build`.");
}

//! Mounts the console; everything else lives in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(fieldcase_console::components::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "fieldcase-console runs in the browser: build it with `trunk build --config console/Trunk.toml`."
    );
}

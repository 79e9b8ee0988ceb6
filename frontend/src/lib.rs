//! The browser entry point (cargo-leptos `lib-package`): the only cdylib of the workspace.
//!
//! The islands live in `app` (compiled into this WASM module with its `hydrate` feature); each
//! island's `#[wasm_bindgen]` export is kept because this crate links `app`. The loader script
//! in the page calls `hydrate()`, which hydrates every island on the page and nothing else.

#![cfg(target_arch = "wasm32")]

// Links `app` (and so every island's export) although no item of it is named here.
use app as _;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

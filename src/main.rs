//! Boots the standalone app: the development identity comes from the address.
//!
//! A host portal that loads this module as a library has no `#app` element;
//! it calls the exported `mount(element, options)` itself.

use tenant_settings::{mount, AppOptions};
use wasm_bindgen::JsCast;

fn main() {
    console_error_panic_hook::set_once();
    let window = web_sys::window().expect("the app runs in a browser window");
    let document = window.document().expect("the window has a document");
    let Some(parent) = document
        .get_element_by_id("app")
        .and_then(|element| element.dyn_into().ok())
    else {
        return;
    };
    let query = window.location().search().unwrap_or_default();
    mount(parent, AppOptions::standalone(&query)).forget();
}

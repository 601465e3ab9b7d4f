//! Roles, accessible names and descriptions as assistive technology computes
//! them: dom-accessibility-api (npm, pinned in `xtask/a11y/`), the same
//! engine the keyboard run (`xtask/src/e2e/`) uses. `cargo xtask install`
//! bundles it into `xtask/a11y/dist/a11y.js`, a browser script defining
//! `window.__a11y`; it is compiled into the tests and added to the test page
//! once, as axe-core is for the accessibility audit.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

const ENGINE_SOURCE: &str = include_str!("../../xtask/a11y/dist/a11y.js");

/// `window.__a11y`, loading the engine into the page the first time.
fn engine() -> JsValue {
    let window = web_sys::window().unwrap();
    let loaded = js_sys::Reflect::get(&window, &"__a11y".into()).unwrap();
    if !loaded.is_undefined() {
        return loaded;
    }
    let document = window.document().unwrap();
    let script = document.create_element("script").unwrap();
    script.set_id("a11y-engine-script");
    script.set_text_content(Some(ENGINE_SOURCE));
    document.head().unwrap().append_child(&script).unwrap();
    let loaded = js_sys::Reflect::get(&window, &"__a11y".into()).unwrap();
    assert!(
        !loaded.is_undefined(),
        "the accessibility engine (xtask/a11y/dist/a11y.js) did not load"
    );
    loaded
}

/// Calls `window.__a11y.<function>(args…)`.
fn call(function: &str, args: &[&JsValue]) -> JsValue {
    let engine = engine();
    let function: js_sys::Function = js_sys::Reflect::get(&engine, &function.into())
        .unwrap()
        .unchecked_into();
    let args: js_sys::Array = args.iter().copied().collect();
    function
        .apply(&engine, &args)
        .unwrap_or_else(|e| panic!("the accessibility engine failed: {e:?}"))
}

/// The element's ARIA role: its explicit role, else its implicit one.
pub fn role_of(element: &Element) -> Option<String> {
    call("role", &[element.as_ref()]).as_string()
}

/// The element's accessible name, whitespace collapsed.
pub fn accessible_name(element: &Element) -> String {
    call("name", &[element.as_ref()])
        .as_string()
        .unwrap_or_default()
}

/// The element's accessible description, whitespace collapsed.
pub fn accessible_description(element: &Element) -> String {
    call("description", &[element.as_ref()])
        .as_string()
        .unwrap_or_default()
}

/// Whether a person or a screen reader can perceive `element` (it is not
/// hidden, `aria-hidden`, `display: none` or `visibility: hidden`, nor inside
/// something that is).
pub fn perceivable(element: &Element) -> bool {
    call("perceivable", &[element.as_ref()])
        .as_bool()
        .unwrap_or(false)
}

/// The first perceivable element under `root` with this role and accessible name.
pub fn find(root: &Element, role: &str, name: &str) -> Option<Element> {
    let found = call(
        "find",
        &[
            root.as_ref(),
            &JsValue::from_str(role),
            &JsValue::from_str(name),
        ],
    );
    found.dyn_into::<Element>().ok()
}

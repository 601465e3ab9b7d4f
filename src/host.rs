//! The DOM events the app dispatches on its root element for the host page.
//!
//! Events (`CustomEvent`s that bubble, so a host can listen on the element
//! it mounted into):
//!
//! - `datasharingchange` after the API confirmed a save; `detail` is
//!   `{ program, enabled, contact, version }` (`contact` is `null` for a
//!   program without a contact preference).
//! - `navigate` when a person follows a link that leaves the app (another
//!   origin, or a path outside the route base); `detail` is `{ href, external }`.
//!   It is cancelable: a host that calls `preventDefault()` handles the
//!   navigation itself and the browser stays put.
//!
//! The app provides a [`HostEvents`] handle as context; screens reach it with
//! [`use_host_events`] and never import the mount code.

use consent_core::{DataSharingDocument, ProgramId};
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// A `Copy` handle to the app's root element, where events to the host are dispatched.
#[derive(Clone, Copy)]
pub struct HostEvents {
    root: NodeRef<Div>,
}

impl HostEvents {
    /// Events dispatched on the element `root` will refer to.
    pub fn new(root: NodeRef<Div>) -> HostEvents {
        HostEvents { root }
    }

    /// Tells the host that a save of `program` was confirmed: `datasharingchange`.
    pub fn data_sharing_changed(&self, program: ProgramId, document: &DataSharingDocument) {
        let (Some(root), Some(view)) = (
            self.root.try_get_untracked().flatten(),
            document.program(program),
        ) else {
            return;
        };
        let detail = js_sys::Object::new();
        set(&detail, "program", &program.as_str().into());
        set(&detail, "enabled", &view.enabled.into());
        let contact = view.contact_allowed.map_or(JsValue::NULL, JsValue::from);
        set(&detail, "contact", &contact);
        set(&detail, "version", &(document.version as f64).into());
        dispatch(&root, "datasharingchange", &detail, false);
    }

    /// Tells the host about a click on a link that leaves the app (`navigate`);
    /// stops the browser from following it when the host cancels the event.
    pub fn on_click(&self, base_path: &str, event: &web_sys::MouseEvent) {
        if event.default_prevented()
            || event.button() != 0
            || event.meta_key()
            || event.alt_key()
            || event.ctrl_key()
            || event.shift_key()
        {
            return;
        }
        let Some(anchor) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten())
            .and_then(|element| element.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        else {
            return;
        };
        if anchor.has_attribute("download") {
            return;
        }
        let Some(root) = self.root.try_get_untracked().flatten() else {
            return;
        };
        let origin = window().location().origin().unwrap_or_default();
        let href = anchor.href();
        let Ok(url) = web_sys::Url::new(&href) else {
            return;
        };
        let external = url.origin() != origin;
        if !external && inside(base_path, &url.pathname()) {
            return;
        }
        let detail = js_sys::Object::new();
        set(&detail, "href", &href.into());
        set(&detail, "external", &external.into());
        if !dispatch(&root, "navigate", &detail, true) {
            event.prevent_default();
        }
    }
}

/// Whether `path` is one of the app's own, under the route base `base` (no trailing slash).
fn inside(base: &str, path: &str) -> bool {
    base.is_empty()
        || path
            .strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The host events of the surrounding app.
pub fn use_host_events() -> HostEvents {
    expect_context::<HostEvents>()
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) {
    // Setting a property on a plain new object cannot fail.
    let _ = js_sys::Reflect::set(object, &key.into(), value);
}

/// Dispatches a bubbling `CustomEvent`; false when a listener cancelled it.
fn dispatch(target: &web_sys::Element, name: &str, detail: &JsValue, cancelable: bool) -> bool {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(cancelable);
    init.set_detail(detail);
    match web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        Ok(event) => target.dispatch_event(&event).unwrap_or(true),
        Err(_) => true,
    }
}

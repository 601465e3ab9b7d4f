//! What a host portal sees of the app: the JavaScript `mount` export and the
//! DOM events the app dispatches on its root element.
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

use std::sync::Arc;

use consent_core::{DataSharingDocument, ProgramId};
use leptos::html::Div;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::AsyncTokenFn;
use crate::{AppOptions, Mounted, Theme, TokenSource};

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

/// The app mounted by JavaScript's `mount(element, options)`.
#[wasm_bindgen]
pub struct MountHandle {
    mounted: Option<Mounted>,
}

#[wasm_bindgen]
impl MountHandle {
    /// Removes the app, its listeners and its timers from the page; the
    /// host's element stays. Calling it again does nothing.
    pub fn unmount(&mut self) {
        if let Some(mounted) = self.mounted.take() {
            mounted.unmount();
        }
    }
}

/// `mount(element, options)` for JavaScript hosts: shows the settings inside
/// `element` and returns a handle whose `unmount()` removes them.
///
/// `options`: `tenant` (string, required); `token` (string) or `getToken`
/// (a function returning a string or a `Promise` of one, called before every
/// request and once more after a 401); `apiBaseUrl` (string, default: the
/// page's origin); `basePath` (string, default `""`); `locale` (a BCP 47
/// tag such as `"de-DE"`, default: the browser's languages); `languageSwitch`
/// (boolean, default `false`: the page then follows the host's locale only);
/// `theme` (`"auto"`, the default, `"light"` or `"dark"`).
/// Invalid options throw an `Error` saying which one is wrong.
#[wasm_bindgen(js_name = mount)]
pub fn mount_js(element: JsValue, options: JsValue) -> Result<MountHandle, JsValue> {
    let element: web_sys::HtmlElement = element
        .dyn_into()
        .map_err(|_| js_error("mount: the first argument must be an HTML element"))?;
    let options = options_from_js(&options).map_err(|message| js_error(&message))?;
    Ok(MountHandle {
        mounted: Some(crate::mount(element, options)),
    })
}

fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// Reads the JavaScript options object, or says which option is wrong.
fn options_from_js(options: &JsValue) -> Result<AppOptions, String> {
    if !options.is_object() {
        return Err("mount: the second argument must be an options object".to_owned());
    }
    let get = |key: &str| js_sys::Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let string = |key: &str| -> Result<Option<String>, String> {
        let value = get(key);
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| format!("mount: options.{key} must be a string"))
    };
    let tenant = string("tenant")?
        .filter(|t| !t.trim().is_empty())
        .ok_or("mount: options.tenant is required (the tenant id)")?;
    let api_base_url = string("apiBaseUrl")?.unwrap_or_default();
    let base_path = string("basePath")?.unwrap_or_default();
    if !base_path.is_empty() && !base_path.starts_with('/') {
        return Err("mount: options.basePath must start with \"/\" (or be empty)".to_owned());
    }
    let locale = string("locale")?.filter(|l| !l.trim().is_empty());
    let language_switch = match get("languageSwitch") {
        value if value.is_undefined() || value.is_null() => false,
        value => value
            .as_bool()
            .ok_or("mount: options.languageSwitch must be a boolean")?,
    };
    let theme = match string("theme")? {
        None => Theme::Auto,
        Some(name) => Theme::parse(&name)
            .ok_or("mount: options.theme must be \"auto\", \"light\" or \"dark\"".to_owned())?,
    };
    let get_token = get("getToken");
    let token = match (
        string("token")?,
        get_token.is_undefined() || get_token.is_null(),
    ) {
        (Some(_), false) => {
            return Err("mount: pass either options.token or options.getToken, not both".to_owned())
        }
        (Some(token), true) => TokenSource::Bearer(token),
        (None, false) => {
            let provider = get_token
                .dyn_into::<js_sys::Function>()
                .map_err(|_| "mount: options.getToken must be a function".to_owned())?;
            TokenSource::AsyncProvider(token_provider(provider))
        }
        (None, true) => {
            return Err("mount: options.token or options.getToken is required".to_owned())
        }
    };
    Ok(AppOptions {
        api_base_url,
        tenant,
        token,
        base_path,
        locale,
        language_switch,
        theme,
    })
}

/// Calls the host's `getToken`, awaiting it when it returns a `Promise`.
fn token_provider(get_token: js_sys::Function) -> AsyncTokenFn {
    let get_token = SendWrapper::new(get_token);
    Arc::new(move || {
        let result = get_token.call0(&JsValue::UNDEFINED);
        Box::pin(async move {
            let value = result.ok()?;
            let value = match value.dyn_into::<js_sys::Promise>() {
                Ok(promise) => JsFuture::from(promise).await.ok()?,
                Err(value) => value,
            };
            value.as_string()
        })
    })
}

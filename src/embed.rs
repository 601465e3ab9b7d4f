//! The options object of JavaScript's `mount(element, options)`: reading
//! and checking it, and calling the host's `getToken`.
//!
//! The `mount` export itself is in `lib.rs`; the events the app sends a host
//! are in [`crate::host`].

use std::sync::Arc;

use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::api::AsyncTokenFn;
use crate::options::{AppOptions, Theme};
use crate::session::TokenSource;

pub(crate) fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// Reads the JavaScript options object, or says which option is wrong.
pub(crate) fn options_from_js(options: &JsValue) -> Result<AppOptions, String> {
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

//! Saving text the app fetched (with its credentials) as a file on the
//! person's device, and the line that says how it went.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::ApiError;
use crate::i18n::I18n;
use web_sys::{Blob, BlobPropertyBag, Element, HtmlAnchorElement, Url};

/// How long the file's object URL stays valid after the download started;
/// some browsers read the file only after the click has returned.
const REVOKE_AFTER: Duration = Duration::from_millis(1_000);

/// Offers `text` as a download named `file_name` of type `mime`.
///
/// A link to an object URL is put into `parent` (an element the app owns),
/// clicked and removed at once; the URL is revoked shortly after. A bearer
/// token cannot ride on a plain link, which is why the app fetches the file
/// itself and hands it over this way.
pub fn save_text(parent: &Element, file_name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let document = parent
        .owner_document()
        .ok_or_else(|| JsValue::from_str("the element is not in a document"))?;
    let link: HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.set_hidden(true);
    parent.append_child(&link)?;
    link.click();
    link.remove();
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        REVOKE_AFTER,
    );
    Ok(())
}

/// Fetches a copy signed with the ledger key (a compact JWS) with `fetch`,
/// saves it as `name` into `page`, and says in `download` how it went,
/// naming the key that signed it.
pub fn save_signed<F>(
    h: I18n,
    page: NodeRef<leptos::html::Div>,
    download: RwSignal<Download>,
    name: String,
    fetch: F,
) where
    F: std::future::Future<Output = Result<String, ApiError>> + 'static,
{
    download.set(Download::Working(tr!(h, "downloading")));
    leptos::task::spawn_local(async move {
        let saved = match fetch.await {
            Ok(token) => page
                .get_untracked()
                .filter(|parent| save_text(parent, &name, "application/jose", &token).is_ok())
                .map(|_| token),
            Err(_) => None,
        };
        download.try_set(match saved {
            Some(token) => Download::Done(tr!(
                h,
                "downloaded-signed",
                file = name.as_str(),
                kid = jws_key_id(&token).unwrap_or_default()
            )),
            None => Download::Failed(tr!(h, "download-failed")),
        });
    });
}

/// What the person last asked to download, and how it went.
#[derive(Debug, Clone, PartialEq)]
pub enum Download {
    Idle,
    Working(String),
    Done(String),
    Failed(String),
}

/// The polite line that says how a download went (and an alert when it failed).
#[component]
pub fn DownloadStatus(
    /// The download to report on.
    download: RwSignal<Download>,
) -> impl IntoView {
    view! {
        <p class="ts-download-status" role="status" aria-live="polite">
            {move || match download.get() {
                Download::Working(text) => text.to_owned(),
                Download::Done(text) => text,
                _ => String::new(),
            }}
        </p>
        <div class="ts-alert-slot" role="alert">
            {move || match download.get() {
                Download::Failed(text) => Some(view! { <p class="ts-alert">{text}</p> }),
                _ => None,
            }}
        </div>
    }
}

/// The file name a downloaded receipt is saved under, with `extension`
/// (`json`, or `jws` for the signed one).
pub fn receipt_file_name(tenant: &str, receipt_id: &str, extension: &str) -> String {
    record_file_name(tenant, "consent-receipt", receipt_id, extension)
}

/// The file name a signed deletion certificate is saved under.
pub fn certificate_file_name(tenant: &str, opt_out_event_id: &str) -> String {
    record_file_name(tenant, "deletion-certificate", opt_out_event_id, "jws")
}

/// `<tenant>-<kind>-<id>.<extension>`, the id cut to letters, digits and
/// hyphens (64 at most) so that it is a safe file name.
fn record_file_name(tenant: &str, kind: &str, id: &str, extension: &str) -> String {
    let safe: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect();
    format!("{tenant}-{kind}-{safe}.{extension}")
}

/// The key id (`kid`) in a compact JWS's header, if it names one.
pub fn jws_key_id(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let padded = format!("{header}{}", "=".repeat((4 - header.len() % 4) % 4));
    let standard: String = padded
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let bytes = web_sys::window()?.atob(&standard).ok()?;
    let header: serde_json::Value = serde_json::from_str(&bytes).ok()?;
    header["kid"].as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::receipt_file_name;

    // Guards the receipt file name: the tenant and the receipt id, nothing a file system would trip on.
    #[test]
    fn receipt_file_names_are_plain() {
        assert_eq!(
            receipt_file_name("t-1", "0b7c-4e", "json"),
            "t-1-consent-receipt-0b7c-4e.json"
        );
        assert_eq!(
            receipt_file_name("t-1", "../x/y", "jws"),
            "t-1-consent-receipt-xy.jws"
        );
    }
}

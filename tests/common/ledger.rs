//! What the history and receipt tests share: many events made quickly, the
//! rows of a table as a person reads them, choosing in a native select, and
//! catching the files the page offers for download.

use consent_core::{ChangeRequest, ProgramId, Role};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};

use super::{all, client_as, normalized, text_without_hidden, wait_for};

/// Turns Copilot on and off `times` times through the API (two events each,
/// the newest an opt-out), as one admin, reusing each answer's tag.
pub async fn toggle_copilot(tenant: &str, times: usize) {
    let admin = client_as(tenant, Role::Admin).await;
    let (document, mut etag) = admin.get_data_sharing(tenant).await.expect("reading");
    let notices = document
        .program(ProgramId::Copilot)
        .expect("Copilot")
        .notices
        .clone();
    for _ in 0..times {
        for enabled in [true, false] {
            let change = ChangeRequest {
                enabled,
                accept_notices: if enabled {
                    notices.iter().cloned().map(Into::into).collect()
                } else {
                    Vec::new()
                },
                contact_allowed: None,
            };
            etag = admin
                .change_program(tenant, ProgramId::Copilot, &change, &etag, None)
                .await
                .expect("changing Copilot")
                .1;
        }
    }
}

/// The visible text of `element`, as a screen reader would read it.
pub fn visible_text(element: &Element) -> String {
    normalized(&text_without_hidden(element))
}

/// The value a definition list gives for `term` (the `<dd>` after its `<dt>`).
pub fn fact(root: &impl AsRef<Element>, term: &str) -> Option<String> {
    all(root.as_ref(), "dt")
        .into_iter()
        .find(|dt| visible_text(dt) == term)
        .and_then(|dt| dt.next_element_sibling())
        .map(|dd| visible_text(&dd))
}

/// The body rows of `table`, each as its cells' texts.
pub fn table_rows(table: &impl AsRef<Element>) -> Vec<Vec<String>> {
    all(table.as_ref(), "tbody tr")
        .iter()
        .map(|row| all(row, "th, td").iter().map(visible_text).collect())
        .collect()
}

/// The body rows of `table`, as elements.
pub fn row_elements(table: &impl AsRef<Element>) -> Vec<HtmlElement> {
    all(table.as_ref(), "tbody tr")
        .into_iter()
        .map(JsCast::unchecked_into)
        .collect()
}

/// Chooses the option with this value in a native `<select>`, as a person would.
pub fn choose(select: &impl AsRef<Element>, value: &str) {
    let select = select.as_ref();
    js_sys::Reflect::set(select, &"value".into(), &value.into()).unwrap();
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
    select.dispatch_event(&event).unwrap();
}

/// A file the page offered for download.
#[derive(Debug, Clone)]
pub struct SavedFile {
    /// The `download` attribute of the link: the file name.
    pub name: String,
    /// The object URL the link pointed to.
    pub url: String,
    /// The MIME type of the file's blob.
    pub mime: String,
    /// The file's content.
    pub text: String,
}

/// Catches downloads: records every object URL made and revoked, and stops
/// the browser from saving files that download links point to.
const SPY: &str = r#"
if (!window.__tsDownloads) {
  const spy = { blobs: {}, saved: [], revoked: [] };
  window.__tsDownloads = spy;
  const create = URL.createObjectURL.bind(URL);
  const revoke = URL.revokeObjectURL.bind(URL);
  URL.createObjectURL = (blob) => { const url = create(blob); spy.blobs[url] = blob; return url; };
  URL.revokeObjectURL = (url) => { spy.revoked.push(url); revoke(url); };
  document.addEventListener("click", (event) => {
    const link = event.target && event.target.closest && event.target.closest("a[download]");
    if (link) {
      event.preventDefault();
      spy.saved.push({ name: link.getAttribute("download"), url: link.href });
    }
  }, true);
}
window.__tsDownloads.saved = [];
"#;

/// Starts catching downloads; forgets what was caught before.
pub fn catch_downloads() {
    js_sys::Function::new_no_args(SPY)
        .call0(&JsValue::UNDEFINED)
        .unwrap();
}

fn spy() -> JsValue {
    js_sys::Reflect::get(&web_sys::window().unwrap(), &"__tsDownloads".into()).unwrap()
}

fn field(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &name.into()).unwrap()
}

/// Waits for the next file the page offers, and reads it.
pub async fn next_download() -> SavedFile {
    let saved = wait_for("a file to be offered for download", || {
        let saved: js_sys::Array = field(&spy(), "saved").unchecked_into();
        (saved.length() > 0).then(|| saved.shift())
    })
    .await;
    let name = field(&saved, "name").as_string().unwrap_or_default();
    let url = field(&saved, "url").as_string().unwrap_or_default();
    let blob = field(&field(&spy(), "blobs"), &url);
    assert!(
        !blob.is_undefined(),
        "the download link points to {url}, which is not an object URL the page made"
    );
    let mime = field(&blob, "type").as_string().unwrap_or_default();
    let text = js_sys::Reflect::get(&blob, &"text".into())
        .unwrap()
        .unchecked_into::<js_sys::Function>()
        .call0(&blob)
        .unwrap();
    let text = JsFuture::from(text.unchecked_into::<js_sys::Promise>())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    SavedFile {
        name,
        url,
        mime,
        text,
    }
}

/// Whether the page revoked this object URL (so the file does not stay in memory).
pub fn revoked(url: &str) -> bool {
    let revoked: js_sys::Array = field(&spy(), "revoked").unchecked_into();
    revoked.includes(&url.into(), 0)
}

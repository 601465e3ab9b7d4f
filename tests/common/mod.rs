//! What the browser tests share: a fresh tenant on the real consent API, the
//! mounted app, and finding things the way a person does (role and name,
//! label, visible text), with waits that have a deadline.

#![allow(dead_code)]

pub mod a11y;
pub mod controls;
pub mod fault;
pub mod ledger;

use std::cell::RefCell;

pub use a11y::accessible_name;
#[allow(unused_imports)] // not every test file opens a panel
pub use controls::*;

use consent_core::{ChangeRequest, DataSharingDocument, ProgramId, Role, Tenant};
use tenant_settings::api::{ApiClient, ETag};
use tenant_settings::{mount, AppOptions, Mounted, Theme, TokenSource};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement, HtmlInputElement};

/// How long any condition may take to become true.
const DEADLINE_MS: f64 = 5_000.0;
/// How often a condition is checked.
const POLL_MS: i32 = 20;

pub const COPILOT: &str = "Copilot AI features data sharing";
pub const MARKETING: &str = "Marketing: human review of anonymized customer data";

/// The consent API the test command started (`CONSENT_API_URL` at compile time).
pub fn api_url() -> &'static str {
    match option_env!("CONSENT_API_URL") {
        Some(url) => url,
        None => panic!(
            "CONSENT_API_URL was not set when the tests were compiled: start the consent API \
             (consent-api --dev --cors-loopback) and build the tests with \
             CONSENT_API_URL=http://127.0.0.1:<port>"
        ),
    }
}

/// A fresh, isolated tenant in `region` ("US" or "EU").
pub async fn fresh_tenant(region: &str) -> Tenant {
    ApiClient::new(api_url())
        .dev_create_tenant(region)
        .await
        .unwrap_or_else(|e| panic!("creating a {region} tenant on {}: {e}", api_url()))
}

/// An API client signed in as the tenant's development person with `role`.
pub async fn client_as(tenant: &str, role: Role) -> ApiClient {
    let api = ApiClient::new(api_url());
    let token = api
        .dev_token(tenant, role)
        .await
        .unwrap_or_else(|e| panic!("getting a {role:?} token for {tenant}: {e}"));
    api.with_bearer(token.token)
}

/// Reads a tenant's settings as another admin would.
pub async fn settings_of(tenant: &str) -> (DataSharingDocument, ETag) {
    client_as(tenant, Role::Admin)
        .await
        .get_data_sharing(tenant)
        .await
        .expect("reading the settings through the API")
}

/// Turns a program on or off through the API, as another admin would, behind the page's back.
pub async fn set_program(tenant: &str, program: ProgramId, enabled: bool) -> DataSharingDocument {
    let admin = client_as(tenant, Role::Admin).await;
    let (document, etag) = admin
        .get_data_sharing(tenant)
        .await
        .expect("reading the settings");
    let accept_notices = match (enabled, document.program(program)) {
        (true, Some(view)) => view.notices.iter().cloned().map(Into::into).collect(),
        _ => Vec::new(),
    };
    let change = ChangeRequest {
        enabled,
        accept_notices,
        contact_allowed: None,
    };
    admin
        .change_program(tenant, program, &change, &etag, None)
        .await
        .expect("changing the program through the API")
        .0
}

thread_local! {
    /// The app of the running test. A failed test stops without running
    /// destructors, so the next test unmounts what it left behind.
    static MOUNTED: RefCell<Option<(Mounted, HtmlElement)>> = const { RefCell::new(None) };
}

/// The options of a test's app: the test API, in the browser's language, the system's theme.
fn options(tenant: &str, token: TokenSource) -> AppOptions {
    AppOptions {
        api_base_url: api_url().to_owned(),
        tenant: tenant.to_owned(),
        token,
        base_path: String::new(),
        locale: None,
        language_switch: false,
        theme: Theme::Auto,
    }
}

/// The app mounted in its own element at the end of the page.
pub struct TestApp {
    pub root: HtmlElement,
}

impl TestApp {
    /// Mounts the app for `tenant`, signed in with `role`, at the address `path`,
    /// in the browser's language.
    pub fn mount(tenant: &str, role: Role, path: &str) -> TestApp {
        TestApp::mount_with(tenant, TokenSource::Development(role), path, Theme::Auto)
    }

    /// Mounts the app talking to the API at `api_base_url` (the fault proxy, say).
    pub fn mount_on(api_base_url: &str, tenant: &str, role: Role, path: &str) -> TestApp {
        let mut options = options(tenant, TokenSource::Development(role));
        options.api_base_url = api_base_url.to_owned();
        TestApp::mount_options(path, options)
    }

    /// Like [`TestApp::mount`], with the host's `locale` and, if
    /// `language_switch`, the standalone page's language switch.
    pub fn mount_in(
        tenant: &str,
        role: Role,
        path: &str,
        locale: Option<&str>,
        language_switch: bool,
    ) -> TestApp {
        let mut options = options(tenant, TokenSource::Development(role));
        options.locale = locale.map(str::to_owned);
        options.language_switch = language_switch;
        TestApp::mount_options(path, options)
    }

    /// Mounts the app for `tenant` with this token source and theme, at the address `path`.
    pub fn mount_with(tenant: &str, token: TokenSource, path: &str, theme: Theme) -> TestApp {
        let mut options = options(tenant, token);
        options.theme = theme;
        TestApp::mount_options(path, options)
    }

    /// Mounts the app with `options` at the address `path`.
    fn mount_options(path: &str, options: AppOptions) -> TestApp {
        unmount_leftover();
        let window = web_sys::window().unwrap();
        window
            .history()
            .unwrap()
            .replace_state_with_url(&JsValue::NULL, "", Some(path))
            .unwrap();
        let document = window.document().unwrap();
        let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
        document.body().unwrap().append_child(&root).unwrap();
        let handle = mount(root.clone(), options);
        MOUNTED.with(|m| *m.borrow_mut() = Some((handle, root.clone())));
        TestApp { root }
    }

    /// Removes the app and its element from the page.
    pub fn unmount(self) {
        unmount_leftover();
    }

    /// Waits for the element with this role and accessible name.
    pub async fn role(&self, role: &str, name: &str) -> HtmlElement {
        let what = format!("{role} {name:?}");
        wait_for(&what, || by_role(&self.root, role, name)).await
    }

    /// Waits until no visible element has this role and accessible name.
    pub async fn gone(&self, role: &str, name: &str) {
        let what = format!("{role} {name:?} to go away");
        wait_until(&what, || by_role(&self.root, role, name).is_none()).await
    }

    /// Waits for visible text containing `text`.
    pub async fn text(&self, text: &str) -> HtmlElement {
        let what = format!("text {text:?}");
        wait_for(&what, || by_text(&self.root, text)).await
    }

    /// Waits for the settings list to be loaded (its rows are links).
    pub async fn loaded(&self) {
        self.role("link", COPILOT).await;
    }

    /// Opens a setting's panel the way a person does: by its row's link.
    pub async fn open_panel(&self, setting: &str) -> HtmlElement {
        let link = self.role("link", setting).await;
        link.focus().unwrap();
        link.click();
        self.role("dialog", setting).await
    }

    /// The state shown in a setting's row (the description of its link).
    pub async fn row_state(&self, setting: &str) -> String {
        description(&self.role("link", setting).await)
    }

    /// Waits until a setting's row shows a state starting with `state`.
    pub async fn wait_row_state(&self, setting: &str, state: &str) {
        let link = self.role("link", setting).await;
        let what = format!("row {setting:?} to show {state:?}");
        wait_until(&what, || description(&link).starts_with(state)).await
    }

    /// The panel's polite status line in its footer ("Saving…", "Saved").
    pub fn status_line(&self, panel: &Element) -> String {
        panel
            .query_selector(".ts-panel__footer [role=status]")
            .unwrap()
            .map(|e| normalized(&e.text_content().unwrap_or_default()))
            .unwrap_or_default()
    }
}

fn unmount_leftover() {
    if let Some((handle, root)) = MOUNTED.with(|m| m.borrow_mut().take()) {
        handle.unmount();
        root.remove();
    }
}

/// Waits until `find` returns something, or fails the test naming `what`.
pub async fn wait_for<T>(what: &str, mut find: impl FnMut() -> Option<T>) -> T {
    let start = js_sys::Date::now();
    loop {
        if let Some(found) = find() {
            return found;
        }
        if js_sys::Date::now() - start > DEADLINE_MS {
            // What the apps on the page show, to tell why the wait failed.
            let document = web_sys::window().unwrap().document().unwrap();
            let page: Vec<String> = all(&document.document_element().unwrap(), ".ts-app")
                .iter()
                .map(text_without_hidden)
                .collect();
            let page = page.join(" | ");
            panic!(
                "timed out after {DEADLINE_MS} ms waiting for {what}; the page shows: {}",
                normalized(&page)
            );
        }
        next_poll().await;
    }
}

/// Waits until `condition` holds, or fails the test naming `what`.
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    wait_for(what, || condition().then_some(())).await
}

/// Waits until the async `check` returns something, for at most `deadline_ms`
/// (for conditions that take longer than a person's click, such as a backoff).
pub async fn wait_async<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    deadline_ms: f64,
    mut check: impl FnMut() -> F,
) -> T {
    let start = js_sys::Date::now();
    loop {
        if let Some(found) = check().await {
            return found;
        }
        if js_sys::Date::now() - start > deadline_ms {
            panic!("timed out after {deadline_ms} ms waiting for {what}");
        }
        sleep_ms(100).await;
    }
}

/// Tells the app the person came back to its window (it reads the settings again then).
pub fn come_back_to_the_page() {
    let event = web_sys::Event::new("focus").unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

/// Lets `ms` pass: only to watch that something does NOT happen in that time.
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Yields to the browser for one polling interval.
async fn next_poll() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, POLL_MS)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// The perceivable element under `root` with this role and accessible name.
pub fn by_role(root: &Element, role: &str, name: &str) -> Option<HtmlElement> {
    a11y::find(root, role, name).map(JsCast::unchecked_into)
}

/// The perceivable live region (`status`, `alert`) under `root` that announces
/// `text`: such roles take no accessible name from their content, a screen
/// reader reads out their text.
pub fn live_region(root: &Element, role: &str, text: &str) -> Option<HtmlElement> {
    all(root, "*")
        .into_iter()
        .find(|e| {
            a11y::role_of(e).as_deref() == Some(role)
                && a11y::perceivable(e)
                && normalized(&text_without_hidden(e)) == text
        })
        .map(JsCast::unchecked_into)
}

/// The visible form control under `root` whose label is `label`.
pub fn by_label(root: &Element, label: &str) -> Option<HtmlInputElement> {
    all(root, "input")
        .into_iter()
        .find(|e| accessible_name(e) == label && a11y::perceivable(e))
        .map(|e| e.unchecked_into())
}

/// The innermost visible element under `root` whose text contains `text`.
pub fn by_text(root: &Element, text: &str) -> Option<HtmlElement> {
    all(root, "*")
        .into_iter()
        .filter(|e| visible(e) && normalized(&e.text_content().unwrap_or_default()).contains(text))
        .last()
        .map(JsCast::unchecked_into)
}

/// An element's accessible description (a row link's state, a switch's explanation).
pub fn description(element: &impl AsRef<Element>) -> String {
    a11y::accessible_description(element.as_ref())
}

/// The element that has keyboard focus.
pub fn focused() -> Option<Element> {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
}

/// Whether `element` is disabled.
pub fn is_disabled(element: &impl AsRef<Element>) -> bool {
    element.as_ref().has_attribute("disabled")
}

/// Whether a checkbox or switch is on.
pub fn is_checked(element: &impl AsRef<Element>) -> bool {
    element
        .as_ref()
        .unchecked_ref::<HtmlInputElement>()
        .checked()
}

/// Clicks `element` once it can be clicked (a person waits for a disabled button to wake up).
pub async fn click(element: &impl AsRef<Element>) {
    let element = element.as_ref();
    let what = format!("{:?} to be enabled", accessible_name(element));
    wait_until(&what, || !is_disabled(element)).await;
    element.unchecked_ref::<HtmlElement>().click();
}

/// Types `text` into a text field, replacing what was there, as a person's input would.
pub fn type_into(input: &HtmlInputElement, text: &str) {
    input.focus().unwrap();
    input.set_value(text);
    let event = web_sys::InputEvent::new_with_event_init_dict("input", &{
        let init = web_sys::InputEventInit::new();
        init.set_bubbles(true);
        init
    })
    .unwrap();
    input.dispatch_event(&event).unwrap();
}

/// Presses a key (for example "Escape") on `element`.
pub fn press(element: &impl AsRef<Element>, key: &str) {
    let element = element.as_ref();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    element.dispatch_event(&event).unwrap();
}

/// The calendar date `days` from now, as the person's browser writes it (independent of the app).
pub fn date_in_days(days: f64) -> String {
    date_in_days_in(None, days)
}

/// The calendar date `days` from now, as `Intl` writes it in `locale`
/// (the browser's own when `None`).
pub fn date_in_days_in(locale: Option<&str>, days: f64) -> String {
    date_at_in(locale, js_sys::Date::now() + days * 86_400_000.0)
}

/// The date of the moment `millis` (since the epoch) in the long style, as
/// `Intl` writes it in `locale` (the browser's own when `None`) and the
/// person's time zone.
pub fn date_at_in(locale: Option<&str>, millis: f64) -> String {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into()).unwrap();
    let locales = js_sys::Array::new();
    if let Some(locale) = locale {
        locales.push(&JsValue::from_str(locale));
    }
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    let at = js_sys::Date::new(&JsValue::from_f64(millis));
    format
        .format()
        .call1(&JsValue::UNDEFINED, &at)
        .unwrap()
        .as_string()
        .unwrap()
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

/// The text of `element`, leaving out what is hidden from assistive technology.
fn text_without_hidden(element: &Element) -> String {
    let mut text = String::new();
    let children = element.child_nodes();
    for i in 0..children.length() {
        let Some(node) = children.item(i) else {
            continue;
        };
        match node.dyn_ref::<Element>() {
            Some(child) if child.get_attribute("aria-hidden").as_deref() == Some("true") => {}
            Some(child) => {
                text.push(' ');
                text.push_str(&text_without_hidden(child));
            }
            None => text.push_str(&node.text_content().unwrap_or_default()),
        }
    }
    text
}

/// Whether `element` is outside anything hidden (its text is on the page).
fn visible(element: &Element) -> bool {
    element
        .closest("[hidden], [aria-hidden=\"true\"]")
        .unwrap()
        .is_none()
}

fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

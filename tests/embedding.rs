#![cfg(target_arch = "wasm32")]
//! The app inside a host portal page: mounted under a route base path into
//! the host's element, telling the host about saves and links that leave it,
//! and leaving nothing behind when unmounted.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use consent_core::{ProgramId, Role};
use tenant_settings::api::ApiClient;
use tenant_settings::{mount, mount_js, AppOptions, Theme, TokenSource};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const BASE: &str = "/host/settings-app";

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn pathname() -> String {
    web_sys::window().unwrap().location().pathname().unwrap()
}

fn go_to(path: &str) {
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some(path))
        .unwrap();
}

/// A host page: its own content, then the element it mounts the app into.
struct HostPage {
    content: HtmlElement,
    container: HtmlElement,
}

impl HostPage {
    fn new() -> HostPage {
        let document = document();
        let nav: HtmlElement = document.create_element("nav").unwrap().unchecked_into();
        nav.set_text_content(Some("Host portal: Users · Billing · Settings"));
        let container: HtmlElement = document.create_element("section").unwrap().unchecked_into();
        let body = document.body().unwrap();
        body.append_child(&nav).unwrap();
        body.append_child(&container).unwrap();
        HostPage {
            content: nav,
            container,
        }
    }

    /// The example host page of `examples/host` (its markup; its script stays inert).
    fn example() -> HostPage {
        let html = include_str!("../examples/host/index.html");
        let body = &html[html.find("<body>").unwrap() + 6..html.find("</body>").unwrap()];
        let document = document();
        let nav: HtmlElement = document.create_element("div").unwrap().unchecked_into();
        nav.set_inner_html(body);
        document.body().unwrap().append_child(&nav).unwrap();
        let container = document
            .get_element_by_id("tenant-settings")
            .expect("the example's element for the app")
            .unchecked_into();
        HostPage {
            content: nav,
            container,
        }
    }

    fn remove(self) {
        self.content.remove();
        self.container.remove();
    }
}

/// The `detail`s of the events a host listener saw.
type Seen = Rc<RefCell<Vec<JsValue>>>;

/// A host's event listener, kept alive while it listens.
type Listener = Closure<dyn FnMut(web_sys::CustomEvent)>;

/// Records the `detail` of every event `name` that reaches `target`; the host
/// handles `navigate` itself (so the test page never leaves).
fn record(target: &Element, name: &str) -> (Seen, Listener) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = seen.clone();
    let listener = Listener::new(move |event: web_sys::CustomEvent| {
        if event.type_() == "navigate" {
            event.prevent_default();
        }
        log.borrow_mut().push(event.detail());
    });
    target
        .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
        .unwrap();
    (seen, listener)
}

fn field(detail: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(detail, &key.into()).unwrap()
}

/// Counts the listeners added to `window` and `document` and not removed again.
fn count_global_listeners() -> impl Fn() -> usize {
    js_sys::Function::new_no_args(
        "if (window.__globalListeners) return;
         const live = window.__globalListeners = [];
         for (const target of [window, document]) {
           const add = target.addEventListener, remove = target.removeEventListener;
           const same = (e, type, listener, options) => e.target === target && e.type === type
             && e.listener === listener && e.capture === !!(options === true || (options && options.capture));
           target.addEventListener = function (type, listener, options) {
             if (!live.some(e => same(e, type, listener, options)))
               live.push({ target, type, listener, capture: !!(options === true || (options && options.capture)) });
             return add.call(this, type, listener, options);
           };
           target.removeEventListener = function (type, listener, options) {
             const i = live.findIndex(e => same(e, type, listener, options));
             if (i >= 0) live.splice(i, 1);
             return remove.call(this, type, listener, options);
           };
         }",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    || {
        let live =
            js_sys::Reflect::get(&web_sys::window().unwrap(), &"__globalListeners".into()).unwrap();
        live.unchecked_into::<js_sys::Array>().length() as usize
    }
}

/// The style sheets and `<style>` elements of the page.
fn style_count() -> u32 {
    document()
        .query_selector_all("style, link[rel=stylesheet]")
        .unwrap()
        .length()
}

// Guards the whole embedding contract: rendering only inside the host's element,
// routes under the base path, back/forward, the token provider, the events to
// the host, and an unmount that leaves no listeners, DOM or styles behind.
#[wasm_bindgen_test]
async fn embedded_app_stays_in_its_element_and_under_its_base_path() {
    let tenant = fresh_tenant("US").await;
    let token = ApiClient::new(api_url())
        .dev_token(&tenant.id, Role::Admin)
        .await
        .expect("a development token")
        .token;
    let listeners = count_global_listeners();
    let listeners_before = listeners();
    let styles_before = style_count();
    go_to(&format!("{BASE}/settings"));
    let host = HostPage::new();
    let host_popstates = Rc::new(RefCell::new(0));
    let counter = host_popstates.clone();
    let on_popstate = Closure::<dyn FnMut()>::new(move || *counter.borrow_mut() += 1);
    web_sys::window()
        .unwrap()
        .add_event_listener_with_callback("popstate", on_popstate.as_ref().unchecked_ref())
        .unwrap();
    let (changes, _on_change) = record(&host.container, "datasharingchange");
    let (navigations, _on_navigate) = record(&host.container, "navigate");

    let token_calls = Arc::new(AtomicUsize::new(0));
    let calls = token_calls.clone();
    let handle = mount(
        host.container.clone(),
        AppOptions {
            api_base_url: api_url().to_owned(),
            tenant: tenant.id.clone(),
            token: TokenSource::Provider(Arc::new(move || {
                calls.fetch_add(1, Ordering::SeqCst);
                token.clone()
            })),
            base_path: BASE.to_owned(),
            locale: None,
            language_switch: false,
            theme: Theme::Dark,
        },
    );
    let app = TestApp {
        root: host.container.clone(),
    };
    app.loaded().await;

    // Inside the host's element only, the host's own content untouched.
    let root = host
        .container
        .query_selector(".ts-app")
        .unwrap()
        .expect("the app's root");
    assert_eq!(root.get_attribute("data-theme").as_deref(), Some("dark"));
    assert_eq!(
        document().query_selector_all(".ts-app").unwrap().length(),
        1,
        "one app on the page"
    );
    assert_eq!(
        host.content.text_content().unwrap(),
        "Host portal: Users · Billing · Settings"
    );
    assert!(
        token_calls.load(Ordering::SeqCst) > 0,
        "the token provider was asked"
    );

    // Every link of the app points under the base path.
    let links = root.query_selector_all("a[href]").unwrap();
    for i in 0..links.length() {
        let href = links
            .item(i)
            .unwrap()
            .unchecked_into::<Element>()
            .get_attribute("href")
            .unwrap();
        assert!(
            href.starts_with(BASE) || href.starts_with('#'),
            "link {href:?} outside {BASE}"
        );
    }

    // A panel is a deep link under the base path; Back and Forward close and reopen it.
    let panel = app.open_panel(COPILOT).await;
    assert_eq!(pathname(), format!("{BASE}/settings/copilot-data-sharing"));
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .back()
        .unwrap();
    app.gone("dialog", COPILOT).await;
    assert_eq!(pathname(), format!("{BASE}/settings"));
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .forward()
        .unwrap();
    let panel = {
        drop(panel);
        app.role("dialog", COPILOT).await
    };
    assert_eq!(pathname(), format!("{BASE}/settings/copilot-data-sharing"));
    assert!(
        *host_popstates.borrow() >= 2,
        "the host's own popstate listener still hears history"
    );

    // A confirmed save tells the host, with the saved state.
    let switch = wait_for("the switch", || {
        by_role(&panel, "switch", "Enable data sharing")
    })
    .await;
    click(&switch).await;
    click(&wait_for("Save", || by_role(&panel, "button", "Save")).await).await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    wait_until("a datasharingchange event", || !changes.borrow().is_empty()).await;
    let (saved, _) = settings_of(&tenant.id).await;
    {
        let changes = changes.borrow();
        assert_eq!(changes.len(), 1, "one event per confirmed save");
        let detail = &changes[0];
        assert_eq!(
            field(detail, "program").as_string().as_deref(),
            Some(ProgramId::Copilot.as_str())
        );
        assert_eq!(field(detail, "enabled").as_bool(), Some(true));
        assert!(
            field(detail, "contact").is_null(),
            "Copilot has no contact preference"
        );
        assert_eq!(
            field(detail, "version").as_f64(),
            Some(saved.version as f64)
        );
    }

    // Links that leave the app are the host's to follow; links inside are not announced.
    assert!(
        navigations.borrow().is_empty(),
        "no navigate for the app's own links"
    );
    for (href, external) in [("https://example.com/help", true), ("/host/billing", false)] {
        let link: HtmlElement = document().create_element("a").unwrap().unchecked_into();
        link.set_attribute("href", href).unwrap();
        link.set_text_content(Some("Leave"));
        root.append_child(&link).unwrap();
        link.click();
        link.remove();
        let last = navigations
            .borrow()
            .last()
            .cloned()
            .expect("a navigate event");
        let expected = if external {
            href.to_owned()
        } else {
            format!(
                "{}{href}",
                web_sys::window().unwrap().location().origin().unwrap()
            )
        };
        assert_eq!(field(&last, "href").as_string(), Some(expected));
        assert_eq!(field(&last, "external").as_bool(), Some(external));
    }
    assert_eq!(navigations.borrow().len(), 2);
    assert_eq!(
        pathname(),
        format!("{BASE}/settings/copilot-data-sharing"),
        "the host kept the page"
    );

    // Unmounted: no DOM, no listeners, no styles; history no longer reaches the app.
    handle.unmount();
    assert_eq!(
        host.container.child_element_count(),
        0,
        "the app's DOM is gone"
    );
    assert_eq!(
        listeners(),
        listeners_before + 1,
        "only the host's own popstate listener is left"
    );
    assert_eq!(style_count(), styles_before);
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .push_state_with_url(&JsValue::NULL, "", Some(&format!("{BASE}/faq")))
        .unwrap();
    web_sys::window()
        .unwrap()
        .dispatch_event(&web_sys::Event::new("popstate").unwrap())
        .unwrap();
    assert_eq!(
        host.container.child_element_count(),
        0,
        "nothing renders after unmount"
    );
    assert_eq!(
        host.content.text_content().unwrap(),
        "Host portal: Users · Billing · Settings"
    );

    web_sys::window()
        .unwrap()
        .remove_event_listener_with_callback("popstate", on_popstate.as_ref().unchecked_ref())
        .unwrap();
    host.remove();
}

/// Calls the JavaScript export with an options object built as a host would.
fn js_mount(
    element: &HtmlElement,
    options: &[(&str, JsValue)],
) -> Result<tenant_settings::MountHandle, String> {
    let object = js_sys::Object::new();
    for (key, value) in options {
        js_sys::Reflect::set(&object, &(*key).into(), value).unwrap();
    }
    mount_js(element.clone().into(), object.into()).map_err(|error| {
        error
            .dyn_into::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|_| "not an Error".to_owned())
    })
}

// Guards the JavaScript `mount`: clear errors for wrong options; a `getToken`
// returning a Promise, asked again after a 401; the locale and theme on the root; `unmount()`.
#[wasm_bindgen_test]
async fn javascript_mount_checks_options_and_renews_tokens_after_a_401() {
    let tenant = fresh_tenant("US").await;
    let token = ApiClient::new(api_url())
        .dev_token(&tenant.id, Role::Admin)
        .await
        .expect("a development token")
        .token;
    let host = HostPage::example();
    let url = JsValue::from(api_url());

    let error =
        |options: &[(&str, JsValue)]| js_mount(&host.container, options).err().unwrap_or_default();
    assert!(error(&[("apiBaseUrl", url.clone()), ("token", "t".into())])
        .contains("options.tenant is required"));
    assert!(error(&[("tenant", tenant.id.as_str().into())])
        .contains("options.token or options.getToken"));
    assert!(error(&[
        ("tenant", tenant.id.as_str().into()),
        ("getToken", "x".into())
    ])
    .contains("must be a function"));
    assert!(error(&[
        ("tenant", tenant.id.as_str().into()),
        ("token", "t".into()),
        ("basePath", "admin".into())
    ])
    .contains("basePath must start with"));
    assert!(error(&[
        ("tenant", tenant.id.as_str().into()),
        ("token", "t".into()),
        ("theme", "blue".into())
    ])
    .contains("options.theme must be"));
    assert!(
        mount_js(JsValue::NULL, js_sys::Object::new().into()).is_err(),
        "no element"
    );
    assert_eq!(
        host.container.child_element_count(),
        0,
        "nothing mounted for wrong options"
    );

    // The first token the host hands out is stale: the app asks again after the 401.
    let window = web_sys::window().unwrap();
    js_sys::Reflect::set(&window, &"__freshToken".into(), &token.as_str().into()).unwrap();
    js_sys::Reflect::set(&window, &"__tokenCalls".into(), &0.into()).unwrap();
    let get_token = js_sys::Function::new_no_args(
        "window.__tokenCalls += 1;
         return Promise.resolve(window.__tokenCalls === 1 ? 'stale' : window.__freshToken);",
    );
    go_to("/portal/data-sharing/settings");
    let mut handle = js_mount(
        &host.container,
        &[
            ("apiBaseUrl", url),
            ("tenant", tenant.id.as_str().into()),
            ("getToken", get_token.into()),
            ("basePath", "/portal/data-sharing".into()),
            ("locale", "en-GB".into()),
            ("theme", "light".into()),
        ],
    )
    .expect("valid options mount");
    let app = TestApp {
        root: host.container.clone(),
    };
    app.loaded().await;
    let calls = js_sys::Reflect::get(&window, &"__tokenCalls".into())
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(
        calls >= 2.0,
        "getToken asked again after the 401 ({calls} calls)"
    );
    let root = host.container.query_selector(".ts-app").unwrap().unwrap();
    assert_eq!(root.get_attribute("lang").as_deref(), Some("en-GB"));
    assert_eq!(root.get_attribute("data-theme").as_deref(), Some("light"));

    assert!(
        host.content
            .text_content()
            .unwrap()
            .contains("Example admin portal"),
        "the portal's own content stays"
    );

    handle.unmount();
    handle.unmount();
    assert_eq!(
        host.container.child_element_count(),
        0,
        "unmount() removes the app"
    );
    assert!(host
        .content
        .text_content()
        .unwrap()
        .contains("Events from the app"));
    host.remove();
}

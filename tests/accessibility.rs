#![cfg(target_arch = "wasm32")]
//! Accessibility audit: axe-core runs on the app's root for every screen and
//! state, with the app's own stylesheet applied, in the light and the dark
//! theme. Any violation of a WCAG 2.x level A or AA rule (or of axe's best
//! practices) fails the test, listing what axe found and where.
//!
//! axe-core is the npm package pinned in `xtask/axe/`; `cargo xtask test`
//! installs it and names its `axe.min.js` in `AXE_CORE_JS` when it builds
//! the browser tests, and the script is compiled into this file.

mod common;
mod publish;

use common::ledger::row_elements;
use common::*;
use consent_core::{ProgramId, Role};
use tenant_settings::{Theme, TokenSource};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const AXE_SOURCE: &str = include_str!(env!(
    "AXE_CORE_JS",
    "set AXE_CORE_JS to axe-core's axe.min.js when building the browser tests \
     (`cargo xtask test` does; `cargo xtask install` puts it in \
     xtask/axe/node_modules/axe-core/axe.min.js)"
));
const STYLESHEET: &str = include_str!("../style/main.css");

/// The rule sets audited, one axe tag a line: WCAG 2.0, 2.1 and 2.2, levels
/// A and AA, and axe's best practices (unique landmarks matter to a host
/// page with its own). The keyboard run audits the split build with the same.
const AUDITED_TAGS: &str = include_str!("../xtask/axe/audited-tags.txt");

const ALL_EVENTS: &str = "Consent events, newest first";

/// Adds the app's stylesheet and axe-core to the test page (once), as a host page would link the CSS.
fn prepare_page() {
    let document = web_sys::window().unwrap().document().unwrap();
    if document.get_element_by_id("axe-core-script").is_some() {
        return;
    }
    let head = document.head().unwrap();
    let style = document.create_element("style").unwrap();
    style.set_text_content(Some(STYLESHEET));
    head.append_child(&style).unwrap();
    let script = document.create_element("script").unwrap();
    script.set_id("axe-core-script");
    script.set_text_content(Some(AXE_SOURCE));
    head.append_child(&script).unwrap();
    assert!(
        js_sys::Reflect::has(&web_sys::window().unwrap(), &"axe".into()).unwrap(),
        "axe-core did not load from AXE_CORE_JS"
    );
}

/// Waits until entrance animations and transitions have finished, so colours are measured as shown.
async fn settled() {
    let wait = js_sys::Function::new_no_args(
        "return Promise.all(document.getAnimations()
            .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
            .map(a => a.finished.catch(() => null)));",
    );
    let promise: js_sys::Promise = wait.call0(&JsValue::UNDEFINED).unwrap().unchecked_into();
    JsFuture::from(promise).await.unwrap();
}

/// axe's findings on `root` for the audited rule sets: violations listed one a line, and how many rules passed.
async fn axe_findings(root: &HtmlElement) -> (Vec<String>, u32) {
    prepare_page();
    settled().await;
    let run = js_sys::Function::new_with_args(
        "root, tags",
        "return window.axe.run(root, {
            runOnly: { type: 'tag', values: tags },
            resultTypes: ['violations']
        }).then(r => ({
            passes: r.passes.length,
            violations: r.violations.flatMap(v => v.nodes.map(n =>
                `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')} :: ${n.failureSummary.replace(/\\s+/g, ' ')}`))
        }));",
    );
    let tags: js_sys::Array = AUDITED_TAGS.lines().map(JsValue::from).collect();
    let promise: js_sys::Promise = run
        .call2(&JsValue::UNDEFINED, root, &tags)
        .unwrap()
        .unchecked_into();
    let results = JsFuture::from(promise).await.expect("axe.run failed");
    let violations: Vec<String> =
        js_sys::Array::from(&js_sys::Reflect::get(&results, &"violations".into()).unwrap())
            .iter()
            .map(|v| v.as_string().unwrap_or_default())
            .collect();
    let passes = js_sys::Reflect::get(&results, &"passes".into())
        .unwrap()
        .as_f64()
        .unwrap_or(0.0) as u32;
    (violations, passes)
}

/// Fails the test if axe finds any violation in what the app shows now.
async fn audit(app: &TestApp, state: &str) {
    let (violations, passes) = axe_findings(&app.root).await;
    assert!(
        violations.is_empty(),
        "{state}: {} accessibility violation(s):\n{}",
        violations.len(),
        violations.join("\n")
    );
    assert!(
        passes > 5,
        "{state}: axe checked almost nothing ({passes} rules passed)"
    );
}

/// Mounts the app with a theme, signed in as `role`.
fn mount(tenant: &str, role: Role, path: &str, theme: Theme) -> TestApp {
    TestApp::mount_with(tenant, TokenSource::Development(role), path, theme)
}

// Guards the audit itself: on markup with known faults axe reports them, so a clean result means something.
#[wasm_bindgen_test]
async fn the_audit_reports_known_faults() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.loaded().await;
    let faulty = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .create_element("div")
        .unwrap();
    faulty.set_inner_html(
        "<input type=\"checkbox\" role=\"switch\">\
         <p style=\"color:#bbb;background:#fff\">Faint text</p>\
         <button></button>",
    );
    app.root.append_child(&faulty).unwrap();
    let (violations, _) = axe_findings(&app.root).await;
    for rule in ["label", "color-contrast", "button-name"] {
        assert!(
            violations.iter().any(|v| v.starts_with(rule)),
            "axe should report {rule}; it reported {violations:#?}"
        );
    }
    faulty.remove();
    app.unmount();
}

// Guards the settings list, in both themes, and that the dark theme really changes the colours.
#[wasm_bindgen_test]
async fn settings_list_has_no_violations_light_or_dark() {
    let tenant = fresh_tenant("US").await;
    let app = mount(&tenant.id, Role::Admin, "/settings", Theme::Light);
    app.loaded().await;
    audit(&app, "settings list, light").await;
    let light = background_of(&app);

    let app = mount(&tenant.id, Role::Admin, "/settings", Theme::Dark);
    app.loaded().await;
    let root = app.root.query_selector(".ts-app").unwrap().unwrap();
    assert_eq!(root.get_attribute("data-theme").as_deref(), Some("dark"));
    assert_ne!(
        background_of(&app),
        light,
        "the dark theme has its own background"
    );
    audit(&app, "settings list, dark").await;
    app.unmount();
}

/// The computed background colour of the app's root.
fn background_of(app: &TestApp) -> String {
    let root = app.root.query_selector(".ts-app").unwrap().unwrap();
    web_sys::window()
        .unwrap()
        .get_computed_style(&root)
        .unwrap()
        .unwrap()
        .get_property_value("background-color")
        .unwrap()
}

// Guards the Copilot panel and the turn-off confirmation, in both themes.
#[wasm_bindgen_test]
async fn copilot_panel_and_turn_off_confirmation_have_no_violations() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    for theme in [Theme::Light, Theme::Dark] {
        let app = mount(&tenant.id, Role::Admin, "/settings", theme);
        app.wait_row_state(COPILOT, "On").await;
        let panel = app.open_panel(COPILOT).await;
        let switch = panel_switch(&panel).await;
        wait_until("the switch to show on", || is_checked(&switch)).await;
        audit(&app, &format!("Copilot panel, {theme:?}")).await;

        click(&switch).await;
        click(&control(&panel, "button", "Save").await).await;
        app.role("alertdialog", "Turn off data sharing?").await;
        audit(&app, &format!("turn-off confirmation, {theme:?}")).await;
        app.unmount();
    }
}

// Guards the question asked before an unsaved change is dropped.
#[wasm_bindgen_test]
async fn discard_dialog_has_no_violations() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(COPILOT).await;
    click(&panel_switch(&panel).await).await;
    press(&panel, "Escape");
    app.role("alertdialog", "Discard your change?").await;
    audit(&app, "discard dialog").await;
    app.unmount();
}

// Guards the Marketing panel, on its own and with a notice open in the reader, in both themes.
#[wasm_bindgen_test]
async fn marketing_panel_and_notice_reader_have_no_violations() {
    let tenant = fresh_tenant("US").await;
    for theme in [Theme::Light, Theme::Dark] {
        let app = mount(&tenant.id, Role::Admin, "/settings", theme);
        let panel = app.open_panel(MARKETING).await;
        let switch = panel_switch(&panel).await;
        click(&switch).await;
        audit(&app, &format!("Marketing panel, switched on, {theme:?}")).await;

        // The current version: other suites may have published newer ones on the same server.
        let (settings, _) = settings_of(&tenant.id).await;
        let notice = settings.program(ProgramId::Marketing).unwrap().notices[0].clone();
        let read = control(
            &panel,
            "button",
            &format!(
                "Read the Marketing engagement notice (version {})",
                notice.version
            ),
        )
        .await;
        click(&read).await;
        let reader = wait_for("the notice reader over the panel", || {
            let dialogs = app.root.query_selector_all("[role=dialog]").unwrap();
            (0..dialogs.length())
                .filter_map(|i| dialogs.item(i))
                .map(|d| d.unchecked_into::<HtmlElement>())
                .find(|d| d != &panel)
        })
        .await;
        wait_until("the notice to load in the reader", || {
            reader.query_selector(".ts-notice__meta").unwrap().is_some()
        })
        .await;
        audit(
            &app,
            &format!("notice reader over the Marketing panel, {theme:?}"),
        )
        .await;
        app.unmount();
    }
}

// Guards the deletion progress after an opt-out, in the list and the panel.
#[wasm_bindgen_test]
async fn deletion_progress_has_no_violations() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Marketing, true).await;
    set_program(&tenant.id, ProgramId::Marketing, false).await;
    for theme in [Theme::Light, Theme::Dark] {
        let app = mount(&tenant.id, Role::Admin, "/settings", theme);
        wait_for("the row's deletion line", || {
            app.root.query_selector(".ts-setting__deletion").unwrap()
        })
        .await;
        audit(&app, &format!("settings list with a deletion, {theme:?}")).await;
        let panel = app.open_panel(MARKETING).await;
        wait_for("the panel's deletion progress", || {
            panel.query_selector(".ts-deletions__opt-out").unwrap()
        })
        .await;
        audit(
            &app,
            &format!("Marketing panel with its deletion, {theme:?}"),
        )
        .await;
        app.unmount();
    }
}

// Guards the FAQ and a notice's own page, with the words that changed
// since the version before shown, and the re-acceptance banner that shows
// them too.
#[wasm_bindgen_test]
async fn faq_and_notice_pages_have_no_violations() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    publish::publish_new_version("copilot-data-sharing", true).await;
    for theme in [Theme::Light, Theme::Dark] {
        let app = mount(&tenant.id, Role::Admin, "/faq", theme);
        app.role("heading", "Frequently asked questions").await;
        app.role(
            "heading",
            "Copilot data sharing: frequently asked questions",
        )
        .await;
        audit(&app, &format!("FAQ, {theme:?}")).await;
        app.unmount();

        let app = mount(
            &tenant.id,
            Role::Admin,
            "/notices/copilot-data-sharing",
            theme,
        );
        app.role("navigation", "Contents").await;
        let since = app
            .root
            .query_selector(".ts-notice__changes > summary")
            .unwrap()
            .expect("the notice has a version before");
        click(&since).await;
        wait_for("the changed words", || {
            app.root.query_selector(".ts-notice__changes ins").unwrap()
        })
        .await;
        audit(&app, &format!("notice page with its changes, {theme:?}")).await;
        app.unmount();

        let app = mount(
            &tenant.id,
            Role::Admin,
            "/settings/copilot-data-sharing",
            theme,
        );
        app.role("heading", "Accept the changed notice to keep sharing")
            .await;
        wait_for("the changed words in the banner", || {
            app.root.query_selector(".ts-banner ins").unwrap()
        })
        .await;
        audit(&app, &format!("re-acceptance banner, {theme:?}")).await;
        app.unmount();
    }
}

// Guards the history table and a receipt.
#[wasm_bindgen_test]
async fn history_and_receipt_have_no_violations() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    set_program(&tenant.id, ProgramId::Copilot, false).await;
    for theme in [Theme::Light, Theme::Dark] {
        let app = mount(&tenant.id, Role::Admin, "/history", theme);
        let table = app.role("table", ALL_EVENTS).await;
        wait_until("two history rows", || row_elements(&table).len() == 2).await;
        audit(&app, &format!("history, {theme:?}")).await;

        let row = row_elements(&table).remove(0);
        by_role(&row, "link", "View receipt").unwrap().click();
        app.role("heading", "Consent receipt").await;
        app.text("Consent withdrawn").await;
        audit(&app, &format!("receipt, {theme:?}")).await;
        app.unmount();
    }
}

// Guards the panels a reader and an ineligible tenant see: disabled controls, and why.
#[wasm_bindgen_test]
async fn reader_and_ineligible_panels_have_no_violations() {
    let us = fresh_tenant("US").await;
    let app = TestApp::mount(&us.id, Role::Reader, "/settings");
    let panel = app.open_panel(COPILOT).await;
    app.text("Only tenant administrators can change this setting.")
        .await;
    audit(&app, "Copilot panel as a reader").await;

    let eu = fresh_tenant("EU").await;
    for theme in [Theme::Light, Theme::Dark] {
        let app = mount(&eu.id, Role::Admin, "/settings", theme);
        let panel = app.open_panel(COPILOT).await;
        let switch = panel_switch(&panel).await;
        assert!(is_disabled(&switch));
        app.text("only available to tenants in the United States region")
            .await;
        audit(&app, &format!("Copilot panel in an EU tenant, {theme:?}")).await;
        app.unmount();
    }
    drop(panel);
}

// Guards the failures a person can meet: settings that cannot be loaded, and a save the server refused.
#[wasm_bindgen_test]
async fn failure_states_have_no_violations() {
    for theme in [Theme::Light, Theme::Dark] {
        let app = mount("no-such-tenant", Role::Admin, "/settings", theme);
        app.role("button", "Retry").await;
        wait_until("the failure to be shown as an alert", || {
            app.root.query_selector("[role=alert]").unwrap().is_some()
        })
        .await;
        audit(&app, &format!("settings that cannot be loaded, {theme:?}")).await;

        let tenant = fresh_tenant("US").await;
        let app = mount(&tenant.id, Role::Admin, "/settings", theme);
        let panel = app.open_panel(COPILOT).await;
        click(&panel_switch(&panel).await).await;
        // Another admin turns it on first: this save is refused as a conflict.
        set_program(&tenant.id, ProgramId::Copilot, true).await;
        click(&control(&panel, "button", "Save").await).await;
        let next = control(&panel, "button", "Show the current setting").await;
        assert!(!is_disabled(&next));
        audit(&app, &format!("a refused save, {theme:?}")).await;
        app.unmount();
    }
}

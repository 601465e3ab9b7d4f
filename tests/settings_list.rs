#![cfg(target_arch = "wasm32")]
//! The tenant settings list, against the real consent API.

mod common;

use common::*;
use consent_core::Role;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// Guards the start page: heading, tenant name and region, both settings, both off.
#[wasm_bindgen_test]
async fn lists_the_tenant_and_both_settings_off() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    // Before any answer has arrived, the page shows it is loading, not a blank.
    leptos::task::tick().await;
    assert!(live_region(&app.root, "status", "Loading settings…").is_some());

    app.role("heading", "Tenant settings").await;
    app.text(&tenant.name).await;
    app.text("Region: United States").await;
    assert_eq!(app.row_state(COPILOT).await, "Off");
    assert_eq!(app.row_state(MARKETING).await, "Off");

    app.unmount();
}

// Guards that the development identity in use is shown.
#[wasm_bindgen_test]
async fn shows_the_development_identity() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Reader, "/settings");

    let banner = app.text("Development identity:").await;
    wait_until("the banner to name the role and tenant", || {
        let text = banner.text_content().unwrap_or_default();
        text.contains("(reader)") && text.contains(&tenant.name)
    })
    .await;

    app.unmount();
}

// Guards the search box: rows are filtered as the person types, with a note when none match.
#[wasm_bindgen_test]
async fn search_filters_the_rows_as_you_type() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.loaded().await;
    let search = wait_for("the search box", || by_label(&app.root, "Search settings")).await;

    type_into(&search, "copilot");
    app.gone("link", MARKETING).await;
    app.role("link", COPILOT).await;

    type_into(&search, "ANONYMIZED customer");
    app.gone("link", COPILOT).await;
    app.role("link", MARKETING).await;

    type_into(&search, "no such setting");
    app.gone("link", MARKETING).await;
    app.text("No settings match your search.").await;

    type_into(&search, "");
    app.role("link", COPILOT).await;
    app.role("link", MARKETING).await;
    assert!(by_text(&app.root, "No settings match").is_none());

    app.unmount();
}

// Guards the start address: `/` leads to the settings list.
#[wasm_bindgen_test]
async fn the_root_address_leads_to_the_settings() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/");

    app.role("heading", "Tenant settings").await;
    wait_until("the address to become /settings", || {
        web_sys::window().unwrap().location().pathname().unwrap() == "/settings"
    })
    .await;

    app.unmount();
}

// Guards the Marketing panel: it opens by its address and shows the setting and its state.
#[wasm_bindgen_test]
async fn marketing_panel_opens_and_shows_the_state() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings/marketing-data-sharing");

    let panel = app.role("dialog", MARKETING).await;
    assert_eq!(panel.get_attribute("aria-modal").as_deref(), Some("true"));
    app.text("Current setting: Off").await;
    let close = wait_for("the Close button in the panel", || {
        by_role(&panel, "button", "Close")
    })
    .await;
    click(&close).await;
    app.gone("dialog", MARKETING).await;

    app.unmount();
}

// Guards a failed load: it is said in words (not a blank page), with a way to try again.
#[wasm_bindgen_test]
async fn a_failed_load_says_so_and_offers_retry() {
    let app = TestApp::mount("no-such-tenant", Role::Admin, "/settings");

    app.role("heading", "Tenant settings").await;
    app.text("Signing in with the development identity failed.")
        .await;
    app.text("could not be found").await;
    click(&app.role("button", "Retry").await).await;
    app.text("Signing in with the development identity failed.")
        .await;
    app.role("button", "Retry").await;

    app.unmount();
}

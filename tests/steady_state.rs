#![cfg(target_arch = "wasm32")]
//! The cheap steady state and the marks the bench reads, against the real consent API.

mod common;

use common::*;
use consent_core::{ProgramId, Role};
use tenant_settings::perf::{PANEL_INTERACTIVE, SETTINGS_RENDERED};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// Guards the conditional read: the tag the page holds answers "unchanged"
// (no document), and after someone's change, the new document and tag.
#[wasm_bindgen_test]
async fn conditional_read_answers_unchanged_until_a_change() {
    let tenant = fresh_tenant("US").await;
    let admin = client_as(&tenant.id, Role::Admin).await;
    let (document, etag) = admin.get_data_sharing(&tenant.id).await.unwrap();

    let again = admin
        .get_data_sharing_if_changed(&tenant.id, &etag)
        .await
        .unwrap();
    assert_eq!(again, None, "unchanged settings are not sent again");

    let changed = set_program(&tenant.id, ProgramId::Copilot, true).await;
    let (fresh, fresh_etag) = admin
        .get_data_sharing_if_changed(&tenant.id, &etag)
        .await
        .unwrap()
        .expect("a changed document is sent");
    assert_eq!(fresh, changed);
    assert_ne!(fresh_etag, etag);
    assert_eq!(fresh.version, document.version + 1);
}

// Guards the marks `cargo xtask bench` measures: the list with live data,
// then the panel's switch taking input, each set once.
#[wasm_bindgen_test]
async fn the_app_marks_when_settings_show_and_the_panel_takes_input() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings/copilot-data-sharing");
    let performance = web_sys::window().unwrap().performance().unwrap();
    let marked = |name: &str| performance.get_entries_by_name(name).length();
    wait_until("both marks", || {
        marked(SETTINGS_RENDERED) == 1 && marked(PANEL_INTERACTIVE) == 1
    })
    .await;
    app.unmount();
}

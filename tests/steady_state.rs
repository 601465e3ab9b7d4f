#![cfg(target_arch = "wasm32")]
//! The cheap steady state and the marks the bench reads, against the real consent API.

mod common;
mod publish;

use common::fault::{reset_proxy, seen, seen_for_settings, Method, Seen};
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

/// The latest read of the tenant's settings the proxy saw, once there are `count`.
async fn nth_read(tenant: &str, count: usize) -> Seen {
    wait_async(&format!("read number {count}"), 5_000.0, || async {
        let reads = seen_for_settings(tenant, Method::Get).await;
        (reads.len() >= count && reads[count - 1].status != 0).then(|| reads[count - 1].clone())
    })
    .await
}

// Guards the cheap refresh: coming back to the page reads the settings
// again conditionally, and the server answers 304 while nothing changed;
// once a notice version is published, the same refresh gets the new
// document (200) and the page asks for re-acceptance.
#[wasm_bindgen_test]
async fn a_refresh_is_304_until_a_notice_version_is_published() {
    reset_proxy().await;
    let tenant = fresh_tenant("US").await.id;
    set_program(&tenant, ProgramId::Copilot, true).await;
    let app = TestApp::mount_on(fault::proxy_url(), &tenant, Role::Admin, "/settings");
    app.wait_row_state(COPILOT, "On").await;
    let first = nth_read(&tenant, 1).await;
    assert_eq!((first.status, first.if_none_match.as_deref()), (200, None));

    // Past the moment a read counts as slow: a finished read must not look pending.
    sleep_ms(2000).await;
    come_back_to_the_page();
    let again = nth_read(&tenant, 2).await;
    assert_eq!(again.status, 304, "nothing changed: no document is sent");
    assert!(again.if_none_match.is_some());
    assert_eq!(app.row_state(COPILOT).await, "On");

    publish::publish_new_version("copilot-data-sharing", true).await;
    come_back_to_the_page();
    let after = nth_read(&tenant, 3).await;
    assert_eq!(after.status, 200, "a new notice version is a new document");
    assert_eq!(after.if_none_match, again.if_none_match);
    app.wait_row_state(COPILOT, "Re-acceptance needed").await;

    come_back_to_the_page();
    assert_eq!(nth_read(&tenant, 4).await.status, 304);
    app.unmount();
}

// Guards the first load of a panel's address: the notices the panel needs to
// say what changed are asked for while the settings are still on their way,
// not after them.
#[wasm_bindgen_test]
async fn a_panel_link_reads_its_notices_together_with_the_settings() {
    reset_proxy().await;
    let tenant = fresh_tenant("US").await.id;
    set_program(&tenant, ProgramId::Copilot, true).await;
    publish::publish_new_version("copilot-data-sharing", true).await;
    let app = TestApp::mount_on(
        fault::proxy_url(),
        &tenant,
        Role::Admin,
        "/settings/copilot-data-sharing",
    );
    app.role("heading", "Accept the changed notice to keep sharing")
        .await;
    app.text("What changed, section by section:").await;

    let requests = seen().await;
    let settings = requests
        .iter()
        .find(|r| {
            r.method == Method::Get.as_str()
                && r.path == format!("/api/v1/tenants/{tenant}/data-sharing")
        })
        .expect("the settings were read");
    let versions = requests
        .iter()
        .find(|r| r.path == "/api/v1/notices/copilot-data-sharing/versions")
        .expect("the notice's versions were read");
    assert!(
        versions.started_ms < settings.ended_ms,
        "the notice versions ({:.0}–{:.0} ms) were asked for before the settings \
         ({:.0}–{:.0} ms) arrived",
        versions.started_ms,
        versions.ended_ms,
        settings.started_ms,
        settings.ended_ms
    );
    app.unmount();
}

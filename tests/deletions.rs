#![cfg(target_arch = "wasm32")]
//! Deletion progress after an opt-out, against the real consent API: each
//! data store of the program owes a deletion; the list and the panel say
//! how many confirmed and what is still due, also after opting back in.

mod common;

use common::*;
use consent_core::ProgramId;
use consent_core::Role;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// Guards what a tenant admin sees after turning Marketing off: the row and
// the panel say that none of the three stores confirmed yet and what is
// due (schema copies included); after turning it on again the panel still
// shows the deletion and says the data shared before is still deleted.
#[wasm_bindgen_test]
async fn an_opt_out_shows_each_stores_deletion_and_survives_opting_in() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Marketing, true).await;
    set_program(&tenant.id, ProgramId::Marketing, false).await;
    let owed = client_as(&tenant.id, Role::Reader)
        .await
        .get_deletions(&tenant.id)
        .await
        .unwrap();
    let names: Vec<String> = owed.opt_outs[0]
        .obligations
        .iter()
        .map(|o| o.store_name.clone())
        .collect();
    assert_eq!(names.len(), 3, "one obligation per Marketing store");

    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let line = wait_for("the row's deletion line", || {
        app.root.query_selector(".ts-setting__deletion").unwrap()
    })
    .await;
    let text = line.text_content().unwrap();
    assert!(
        text.starts_with("Deletion: 0 of 3 stores confirmed · "),
        "{text}"
    );
    for name in &names {
        assert!(text.contains(&format!("{name} due by ")), "{name}: {text}");
    }
    let panel = app.open_panel(MARKETING).await;
    wait_until("the panel's deletion progress", || {
        by_text(&panel, &text).is_some()
    })
    .await;
    app.unmount();

    set_program(&tenant.id, ProgramId::Marketing, true).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings/marketing-data-sharing");
    app.text(&text).await;
    let still = wait_for("the sentence about data shared before", || {
        app.root
            .query_selector(".ts-deletions")
            .unwrap()
            .and_then(|block| block.text_content())
            .filter(|t| t.contains("is still deleted as promised."))
    })
    .await;
    assert!(
        still.contains("Data shared before you turned sharing off on "),
        "{still}"
    );
    app.unmount();
}

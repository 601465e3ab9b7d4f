#![cfg(target_arch = "wasm32")]
//! Consent receipts: readable from the history, downloadable as the JSON
//! the API issued and signed with the ledger key.

mod common;

use common::ledger::*;
use common::*;
use consent_core::{ConsentEvent, ProgramId, Role, Tenant};
use tenant_settings::api::ApiClient;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ALL_EVENTS: &str = "Consent events, newest first";

/// A fresh US tenant with Copilot turned on: the tenant, a reader's client
/// and the newest event.
async fn copilot_turned_on() -> (Tenant, ApiClient, ConsentEvent) {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    let reader = client_as(&tenant.id, Role::Reader).await;
    let event = reader
        .get_history(&tenant.id, None, None, None)
        .await
        .unwrap()
        .events
        .remove(0);
    (tenant, reader, event)
}

// Guards the readable receipt: reached from its history row, it names the
// event, the tenant and who acted, the notice with version and hash, the
// purposes, data categories, storage, retention, jurisdiction and withdrawal.
#[wasm_bindgen_test]
async fn a_receipt_reads_as_a_page_from_its_history_row() {
    let (tenant, reader, event) = copilot_turned_on().await;
    let receipt = reader
        .get_receipt(&tenant.id, &event.receipt_id)
        .await
        .unwrap();
    let app = TestApp::mount(&tenant.id, Role::Admin, "/history");
    let table = app.role("table", ALL_EVENTS).await;
    let row = wait_for("a history row", || row_elements(&table).into_iter().next()).await;
    by_role(&row, "link", "View receipt").unwrap().click();

    app.role("heading", "Consent receipt").await;
    assert_eq!(
        web_sys::window().unwrap().location().pathname().unwrap(),
        format!("/history/receipts/{}", event.receipt_id)
    );
    app.text("Consent given").await;
    assert_eq!(fact(&app.root, "Event").as_deref(), Some("Consent given"));
    assert_eq!(
        fact(&app.root, "Consent afterwards").as_deref(),
        Some("Given")
    );
    app.text(&format!(
        "{} (tenant ID {}), region United States",
        tenant.name, tenant.id
    ))
    .await;
    assert_eq!(
        fact(&app.root, "Acted by"),
        Some(receipt.actor.name.clone())
    );
    assert_eq!(fact(&app.root, "Roles").as_deref(), Some("admin"));
    let notice = &receipt.notices[0];
    let notices = app
        .role("table", "Notice versions in force with this change")
        .await;
    let rows = table_rows(&notices);
    assert_eq!(rows.len(), 1);
    assert!(rows[0][0].starts_with(&notice.title), "{rows:?}");
    assert_eq!(rows[0][1], notice.version.to_string());
    assert_eq!(rows[0][2], notice.language);
    assert_eq!(rows[0][3], notice.sha256);
    for purpose in &receipt.purposes {
        app.text(purpose).await;
    }
    let data = app
        .role("table", "What is shared, where it is kept and for how long")
        .await;
    let rows = table_rows(&data);
    assert_eq!(rows.len(), receipt.data_categories.len());
    assert_eq!(rows[0][0], receipt.data_categories[0].name);
    assert!(rows[0][3].starts_with("30 days"), "{rows:?}");
    assert_eq!(
        fact(&app.root, "Jurisdiction").as_deref(),
        Some("United States (US)")
    );
    app.text(&receipt.withdrawal_method).await;
    app.text(&receipt.receipt_id).await;

    // Back to the history.
    app.role("link", "Back to consent history").await.click();
    app.role("table", ALL_EVENTS).await;
    app.unmount();
}

// Guards Download JSON on the receipt page: the exact JSON the API issued, named after the receipt.
#[wasm_bindgen_test]
async fn download_json_saves_the_receipt_as_issued() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    set_program(&tenant.id, ProgramId::Copilot, false).await;
    let reader = client_as(&tenant.id, Role::Reader).await;
    let event = reader
        .get_history(&tenant.id, None, None, None)
        .await
        .unwrap()
        .events
        .remove(0);
    let issued = reader
        .get_receipt_json(&tenant.id, &event.receipt_id)
        .await
        .unwrap();
    catch_downloads();
    let app = TestApp::mount(
        &tenant.id,
        Role::Admin,
        &format!("/history/receipts/{}", event.receipt_id),
    );
    app.text("Consent withdrawn").await;
    assert_eq!(
        fact(&app.root, "Shared data deleted by"),
        Some(date_in_days(30.0))
    );

    click(&app.role("button", "Download JSON").await).await;
    let file = next_download().await;
    let name = format!("{}-consent-receipt-{}.json", tenant.id, event.receipt_id);
    assert_eq!(file.name, name);
    assert_eq!(file.mime, "application/json");
    assert_eq!(file.text, issued);
    app.text(&format!("Downloaded {name}.")).await;
    wait_until("the file's URL to be released", || revoked(&file.url)).await;
    app.role("button", "Print").await;
    app.unmount();
}

// Guards the signed receipt: the page shows the event's hash in the
// ledger chain, and "Download signed receipt" saves a compact JWS whose
// payload is the receipt exactly as issued, naming the key that signed it.
#[wasm_bindgen_test]
async fn download_signed_saves_the_receipt_as_a_jws() {
    let (tenant, reader, event) = copilot_turned_on().await;
    let issued = reader
        .get_receipt_json(&tenant.id, &event.receipt_id)
        .await
        .unwrap();
    let receipt = reader
        .get_receipt(&tenant.id, &event.receipt_id)
        .await
        .unwrap();
    let hash = receipt
        .event_hash
        .expect("the receipt names its event's hash");
    catch_downloads();
    let app = TestApp::mount(
        &tenant.id,
        Role::Reader,
        &format!("/history/receipts/{}", event.receipt_id),
    );
    app.text("Consent given").await;
    assert_eq!(
        fact(
            &app.root,
            "Event hash in the tenant's ledger chain (SHA-256)"
        ),
        Some(hash)
    );

    click(&app.role("button", "Download signed receipt").await).await;
    let file = next_download().await;
    let name = format!("{}-consent-receipt-{}.jws", tenant.id, event.receipt_id);
    assert_eq!(file.name, name);
    assert_eq!(file.mime, "application/jose");
    let parts: Vec<&str> = file.text.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS: {}", file.text);
    assert_eq!(
        base64url_text(parts[1]),
        issued,
        "the payload is the receipt as issued"
    );
    app.text(&format!("Downloaded {name}, signed with key development."))
        .await;
    app.unmount();
}

/// The text of a base64url part of a JWS.
fn base64url_text(part: &str) -> String {
    let standard: String = part
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let padded = format!("{standard}{}", "=".repeat((4 - standard.len() % 4) % 4));
    let binary = web_sys::window().unwrap().atob(&padded).unwrap();
    // atob answers one character per byte; the receipt is UTF-8.
    let bytes: Vec<u8> = binary.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8(bytes).unwrap()
}

// Guards the per-row download in the history: each row saves its own receipt.
#[wasm_bindgen_test]
async fn each_history_row_downloads_its_receipt() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    set_program(&tenant.id, ProgramId::Copilot, false).await;
    let events = client_as(&tenant.id, Role::Reader)
        .await
        .get_history(&tenant.id, None, None, None)
        .await
        .unwrap()
        .events;
    catch_downloads();
    let app = TestApp::mount(&tenant.id, Role::Reader, "/history");
    let table = app.role("table", ALL_EVENTS).await;
    let rows = wait_for("two history rows", || {
        let rows = row_elements(&table);
        (rows.len() == 2).then_some(rows)
    })
    .await;

    for (row, event) in rows.iter().zip(&events).rev() {
        click(&by_role(row, "button", "Download JSON").unwrap()).await;
        let file = next_download().await;
        let receipt: serde_json::Value = serde_json::from_str(&file.text).unwrap();
        assert_eq!(receipt["receipt_id"], event.receipt_id.as_str());
        assert_eq!(receipt["event_id"], event.id.as_str());
        assert!(file.name.ends_with(&format!("{}.json", event.receipt_id)));
    }
    app.unmount();
}

// Guards an unknown receipt: the page says it could not be loaded and offers Retry.
#[wasm_bindgen_test]
async fn an_unknown_receipt_says_so() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(
        &tenant.id,
        Role::Reader,
        "/history/receipts/00000000-0000-0000-0000-000000000000",
    );
    app.text("The receipt could not be loaded.").await;
    app.role("button", "Retry").await;
    app.role("link", "Back to consent history").await;
    app.unmount();
}

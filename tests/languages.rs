#![cfg(target_arch = "wasm32")]
//! The page in another language: chosen by the host, the browser or the
//! standalone switch, with plural forms, and dates written by `Intl`.

mod common;
mod publish;

use common::*;
use consent_core::{ProgramId, Role};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlSelectElement;

wasm_bindgen_test_configure!(run_in_browser);

const COPILOT_DE: &str = "Datenfreigabe für Copilot-KI-Funktionen";

/// The `lang` of the app's root element.
fn page_language(app: &TestApp) -> Option<String> {
    app.root
        .query_selector(".ts-app")
        .unwrap()
        .and_then(|root| root.get_attribute("lang"))
}

// Guards the host's locale: a German host gets the whole page in German, `lang` included.
#[wasm_bindgen_test]
async fn a_german_host_gets_the_page_in_german() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount_in(&tenant.id, Role::Admin, "/settings", Some("de-DE"), false);

    app.role("heading", "Mandanteneinstellungen").await;
    app.role("link", COPILOT_DE).await;
    assert_eq!(page_language(&app).as_deref(), Some("de-DE"));
    assert_eq!(app.row_state(COPILOT_DE).await, "Aus");
    assert!(
        by_role(&app.root, "heading", "Tenant settings").is_none(),
        "English heading left on a German page"
    );
    assert!(
        by_role(&app.root, "combobox", "Sprache").is_none(),
        "an embedded page follows its host and offers no language switch"
    );

    app.unmount();
}

// Guards that the turn-off dialog writes the deletion date the German way.
#[wasm_bindgen_test]
async fn german_dates_come_from_intl() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    let app = TestApp::mount_in(&tenant.id, Role::Admin, "/settings", Some("de-DE"), false);
    let panel = app.open_panel(COPILOT_DE).await;
    let switch = wait_for("the German switch", || {
        by_role(&panel, "switch", "Datenfreigabe aktivieren")
    })
    .await;
    click(&switch).await;
    let save = wait_for("Speichern", || by_role(&panel, "button", "Speichern")).await;
    click(&save).await;
    let dialog = app.role("alertdialog", "Datenfreigabe ausschalten?").await;

    let due = date_in_days_in(Some("de-DE"), 30.0);
    let body = dialog.text_content().unwrap_or_default();
    assert!(
        body.contains(&format!("bis {due} gelöscht")),
        "the dialog should give {due:?} in German: {body:?}"
    );
    app.role("button", "Weiter freigeben").await;

    app.unmount();
}

// Guards the fallback: a language we have no catalogue for gets English.
#[wasm_bindgen_test]
async fn an_unknown_language_falls_back_to_english() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount_in(&tenant.id, Role::Admin, "/settings", Some("fr-FR"), false);

    app.role("heading", "Tenant settings").await;
    assert_eq!(page_language(&app).as_deref(), Some("en"));

    app.unmount();
}

// Guards plural forms: one event and several events read differently in each language.
#[wasm_bindgen_test]
async fn counts_take_the_plural_form_of_the_language() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;

    let app = TestApp::mount_in(&tenant.id, Role::Admin, "/history", Some("de"), false);
    app.text("1 Ereignis wird angezeigt.").await;
    app.unmount();
    let app = TestApp::mount_in(&tenant.id, Role::Admin, "/history", Some("en-GB"), false);
    app.text("Showing 1 event.").await;
    app.unmount();

    set_program(&tenant.id, ProgramId::Copilot, false).await;
    let app = TestApp::mount_in(&tenant.id, Role::Admin, "/history", Some("de"), false);
    app.text("2 Ereignisse werden angezeigt.").await;
    app.unmount();
    let app = TestApp::mount_in(&tenant.id, Role::Admin, "/history", Some("en"), false);
    app.text("Showing 2 events.").await;
    app.unmount();
}

// Guards the standalone switch: the page changes language in place, keeps
// the unsaved change, and remembers the choice.
#[wasm_bindgen_test]
async fn the_language_switch_changes_the_page_and_keeps_the_draft() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount_in(&tenant.id, Role::Admin, "/settings", Some("en"), true);
    let panel = app.open_panel(COPILOT).await;
    let switch = wait_for("the switch", || {
        by_role(&panel, "switch", "Enable data sharing")
    })
    .await;
    click(&switch).await;
    wait_until("the draft to show", || is_checked(&switch)).await;

    let select: HtmlSelectElement = app.role("combobox", "Language").await.unchecked_into();
    select.set_value("de");
    let change = web_sys::Event::new("change").unwrap();
    select.dispatch_event(&change).unwrap();

    let panel = app.role("dialog", COPILOT_DE).await;
    let switch = wait_for("the German switch", || {
        by_role(&panel, "switch", "Datenfreigabe aktivieren")
    })
    .await;
    assert!(
        is_checked(&switch),
        "the unsaved change survives the switch"
    );
    assert_eq!(page_language(&app).as_deref(), Some("de"));
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    assert_eq!(
        storage.get_item("ts-language").unwrap().as_deref(),
        Some("de")
    );
    storage.remove_item("ts-language").unwrap();

    app.unmount();
}

// Guards the receipt's wording: a German admin who reads the notices in
// German and accepts them gets a receipt naming German as the language read.
#[wasm_bindgen_test]
async fn a_receipt_names_the_language_the_notices_were_read_in() {
    // Other tests publish newer versions in English only; make sure the
    // current ones have a German wording too.
    for id in ProgramId::Marketing.required_notices() {
        publish::ensure_german(id).await;
    }
    let tenant = fresh_tenant("US").await;
    let admin = client_as(&tenant.id, Role::Admin).await;
    let (settings, _) = settings_of(&tenant.id).await;
    let expected: Vec<(String, u32, &str)> = settings
        .program(ProgramId::Marketing)
        .unwrap()
        .notices
        .iter()
        .map(|notice| (notice.id.clone(), notice.version, "de"))
        .collect();
    let name = |id: &str| match id {
        "marketing-nda" => "Geheimhaltungsvereinbarung",
        _ => "Hinweis zur Marketing-Zusammenarbeit",
    };

    let app = TestApp::mount_in(&tenant.id, Role::Admin, "/settings", Some("de"), false);
    let panel = app
        .open_panel("Marketing: Prüfung anonymisierter Kundendaten durch Menschen")
        .await;
    for (id, version, _) in &expected {
        let reader = format!("{} lesen (Version {version})", name(id));
        let open = wait_for(&reader, || by_role(&panel, "button", &reader)).await;
        click(&open).await;
        let close = app.role("button", "Dokument schließen").await;
        click(&close).await;
        app.gone("button", "Dokument schließen").await;
    }
    let switch = wait_for("the German switch", || {
        by_role(&panel, "switch", "Datenfreigabe aktivieren")
    })
    .await;
    click(&switch).await;
    let label = format!(
        "Ich habe Folgendes gelesen und akzeptiere es: {} (Version {}) und {} (Version {})",
        name(&expected[0].0),
        expected[0].1,
        name(&expected[1].0),
        expected[1].1
    );
    let accept = wait_for("the acceptance box", || by_role(&panel, "checkbox", &label)).await;
    click(&accept).await;
    click(&wait_for("Speichern", || by_role(&panel, "button", "Speichern")).await).await;
    app.wait_row_state(
        "Marketing: Prüfung anonymisierter Kundendaten durch Menschen",
        "Ein",
    )
    .await;

    let history = admin
        .get_history(&tenant.id, Some(ProgramId::Marketing), None, None)
        .await
        .expect("the history");
    let receipt = admin
        .get_receipt(&tenant.id, &history.events[0].receipt_id)
        .await
        .expect("the receipt");
    let read: Vec<(String, u32, &str)> = receipt
        .notices
        .iter()
        .map(|n| (n.id.clone(), n.version, n.language.as_str()))
        .collect();
    assert_eq!(read, expected, "{receipt:?}");

    app.unmount();
}

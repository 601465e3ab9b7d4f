#![cfg(target_arch = "wasm32")]
//! A save that lost the race (412): the panel says what the other admin
//! changed, in words, and keeps the person's draft.

mod common;

use common::*;
use consent_core::{ProgramId, Role, Timestamp};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The time of day of `at` as the person's browser writes it (independent of the app).
fn time_of_day(at: Timestamp) -> String {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into()).unwrap();
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options);
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    format
        .format()
        .call1(&JsValue::UNDEFINED, &date)
        .unwrap()
        .as_string()
        .unwrap()
}

/// Who changed `program` last and when, in the words the panel uses.
async fn last_change(tenant: &str, program: ProgramId) -> (String, String) {
    let (document, _) = settings_of(tenant).await;
    let view = document.program(program).unwrap();
    (
        view.updated_by.clone().unwrap().name,
        time_of_day(view.updated_at.unwrap()),
    )
}

// Guards the conflict message: who turned the setting on, and when; the draft stays.
#[wasm_bindgen_test]
async fn says_who_turned_it_on_and_keeps_the_draft() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(COPILOT, "On").await;
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;
    wait_until("the switch to show on", || is_checked(&switch)).await;

    // Another admin turns it off, then on again, while this page is open.
    set_program(&tenant.id, ProgramId::Copilot, false).await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    // The person's draft: off.
    click(&switch).await;
    click(&control(&panel, "button", "Save").await).await;
    let confirm = app.role("alertdialog", "Turn off data sharing?").await;
    click(&control(&confirm, "button", "Turn off").await).await;

    // The stored state looks the same as before, but it was changed in between.
    let (who, time) = last_change(&tenant.id, ProgramId::Copilot).await;
    app.text("Someone else changed this setting while you were editing.")
        .await;
    app.text(&format!(
        "{who} changed this setting and then changed it back at {time}."
    ))
    .await;
    assert!(!is_checked(&switch), "the person's choice is kept");
    assert!(!is_disabled(&control(&panel, "button", "Save").await));
    app.unmount();
}

// Guards the words for the common race: the other admin turned it on (accepting the notice).
#[wasm_bindgen_test]
async fn says_what_the_other_admin_turned_on() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;
    click(&switch).await;
    wait_until("the switch to show the draft", || is_checked(&switch)).await;

    let after = set_program(&tenant.id, ProgramId::Copilot, true).await;
    set_program(&tenant.id, ProgramId::Copilot, false).await;
    let version = after.program(ProgramId::Copilot).unwrap().notices[0].version;

    click(&control(&panel, "button", "Save").await).await;
    let (who, time) = last_change(&tenant.id, ProgramId::Copilot).await;
    let alert = app
        .text("Someone else changed this setting while you were editing.")
        .await;
    let sentence = format!(
        "{who} turned data sharing on and off again and accepted version {version} of the \
         Copilot data sharing notice at {time}."
    );
    app.text(&sentence).await;
    assert!(
        alert.closest("[role=alert]").unwrap().is_some(),
        "announced as an alert"
    );
    assert!(is_checked(&switch), "the person's choice is kept");
    app.wait_row_state(COPILOT, "Off – deletion pending").await;

    // Showing the current setting drops the draft and the explanation.
    click(&control(&panel, "button", "Show the current setting").await).await;
    wait_until("the switch to show the stored state", || {
        !is_checked(&switch)
    })
    .await;
    assert!(by_text(&panel, &sentence).is_none());
    app.unmount();
}

// Guards a race with a change to the other program: the panel names that program.
#[wasm_bindgen_test]
async fn names_the_other_program_when_that_one_changed() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;
    click(&switch).await;

    set_program(&tenant.id, ProgramId::Marketing, true).await;
    click(&control(&panel, "button", "Save").await).await;
    let (who, time) = last_change(&tenant.id, ProgramId::Marketing).await;
    let sentence = wait_for("the sentence about Marketing", || {
        by_text(
            &panel,
            &format!("For {MARKETING}, {who} turned data sharing on, accepted"),
        )
    })
    .await;
    let sentence = sentence.text_content().unwrap_or_default();
    assert!(
        sentence.contains("Marketing non-disclosure agreement")
            && sentence.ends_with(&format!(" at {time}.")),
        "{sentence}"
    );
    assert!(is_checked(&switch), "the person's choice is kept");

    // Saving again applies the choice over the new state.
    click(&control(&panel, "button", "Save").await).await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    app.wait_row_state(COPILOT, "On").await;
    app.unmount();
}

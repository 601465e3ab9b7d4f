#![cfg(target_arch = "wasm32")]
//! The Marketing data-sharing panel, against the real consent API.

mod common;
mod publish;

use common::*;
use consent_core::{pending_deletion, NoticeRef, ProgramId, Role};
use tenant_settings::i18n::I18n;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const CONTACT: &str = "Allow the vendor to contact the system administrator";

/// The current Marketing notices (engagement notice, then NDA), as the API lists them.
async fn marketing_notices(tenant: &str) -> Vec<NoticeRef> {
    let (document, _) = settings_of(tenant).await;
    document
        .program(ProgramId::Marketing)
        .unwrap()
        .notices
        .clone()
}

/// The acceptance box's name for these notice versions.
fn accept_label(notices: &[NoticeRef]) -> String {
    format!(
        "I have read and accept the Marketing engagement notice (version {}) and the \
         non-disclosure agreement (version {})",
        notices[0].version, notices[1].version
    )
}

// Guards the opt-in: the box names both versions and is required before
// Save; contact is allowed by default; the API stores both acceptances.
#[wasm_bindgen_test]
async fn opting_in_needs_both_documents_accepted_and_allows_contact() {
    let tenant = fresh_tenant("US").await;
    let notices = marketing_notices(&tenant.id).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(MARKETING).await;

    assert!(by_role(&panel, "checkbox", &accept_label(&notices)).is_none());
    assert!(by_role(&panel, "switch", CONTACT).is_none());
    click(&panel_switch(&panel).await).await;

    let accept = control(&panel, "checkbox", &accept_label(&notices)).await;
    let contact = control(&panel, "switch", CONTACT).await;
    let save = control(&panel, "button", "Save").await;
    assert!(!is_checked(&accept));
    assert!(is_checked(&contact), "contact is on by default at opt-in");
    assert!(is_disabled(&save), "Save waits for the acceptance");
    app.text("To save, first confirm that you have read and accept the documents above.")
        .await;
    assert!(description(&save).contains("To save, first confirm"));

    click(&accept).await;
    wait_until("Save to be enabled once accepted", || !is_disabled(&save)).await;
    click(&save).await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    app.wait_row_state(MARKETING, "On").await;
    app.text(&format!(
        "Accepted: the Marketing engagement notice (version {}) and the non-disclosure \
         agreement (version {}).",
        notices[0].version, notices[1].version
    ))
    .await;
    assert!(
        by_role(&panel, "checkbox", &accept_label(&notices)).is_none(),
        "nothing left to accept"
    );

    let (after, _) = settings_of(&tenant.id).await;
    let marketing = after.program(ProgramId::Marketing).unwrap();
    assert!(marketing.enabled);
    assert_eq!(marketing.accepted_notices, notices);
    assert_eq!(marketing.contact_allowed, Some(true));
    assert!(!marketing.reconsent_required);

    app.unmount();
}

// Guards opting in without contact: the preference chosen at opt-in is stored.
#[wasm_bindgen_test]
async fn opting_in_without_contact() {
    let tenant = fresh_tenant("EU").await;
    let notices = marketing_notices(&tenant.id).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings/marketing-data-sharing");
    let panel = app.role("dialog", MARKETING).await;

    click(&panel_switch(&panel).await).await;
    click(&control(&panel, "switch", CONTACT).await).await;
    click(&control(&panel, "checkbox", &accept_label(&notices)).await).await;
    click(&control(&panel, "button", "Save").await).await;
    app.wait_row_state(MARKETING, "On").await;

    let (after, _) = settings_of(&tenant.id).await;
    let marketing = after.program(ProgramId::Marketing).unwrap();
    assert!(marketing.enabled, "Marketing is offered in every region");
    assert_eq!(marketing.contact_allowed, Some(false));

    app.unmount();
}

// Guards the contact preference on its own: while opted in it changes with
// no acceptance step and no confirmation, and sharing stays on.
#[wasm_bindgen_test]
async fn contact_preference_changes_on_its_own() {
    let tenant = fresh_tenant("US").await;
    publish::marketing_on(&tenant.id, true).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(MARKETING, "On").await;
    let panel = app.open_panel(MARKETING).await;
    let contact = control(&panel, "switch", CONTACT).await;
    wait_until("contact to show on", || is_checked(&contact)).await;
    assert!(description(&contact).contains("You can turn this off at any time"));

    click(&contact).await;
    assert!(by_role(
        &panel,
        "checkbox",
        &accept_label(&marketing_notices(&tenant.id).await)
    )
    .is_none());
    click(&control(&panel, "button", "Save").await).await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    assert!(by_role(&app.root, "alertdialog", "Turn off data sharing?").is_none());
    assert!(!is_checked(&contact));
    assert_eq!(app.row_state(MARKETING).await, "On");

    let (after, _) = settings_of(&tenant.id).await;
    let marketing = after.program(ProgramId::Marketing).unwrap();
    assert!(marketing.enabled);
    assert_eq!(marketing.contact_allowed, Some(false));

    // And back on, again on its own.
    click(&contact).await;
    click(&control(&panel, "button", "Save").await).await;
    wait_until("contact to be stored on again", || is_checked(&contact)).await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    let (after, _) = settings_of(&tenant.id).await;
    assert_eq!(
        after.program(ProgramId::Marketing).unwrap().contact_allowed,
        Some(true)
    );

    app.unmount();
}

// Guards turning off: the confirmation states the purge date (+30 days) and
// the schema's 12-month limit with its date; afterwards row and panel say so.
#[wasm_bindgen_test]
async fn turning_off_states_the_purge_date_and_the_schema_limit() {
    let tenant = fresh_tenant("US").await;
    publish::marketing_on(&tenant.id, true).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(MARKETING, "On").await;
    let panel = app.open_panel(MARKETING).await;

    click(&panel_switch(&panel).await).await;
    click(&control(&panel, "button", "Save").await).await;
    let confirm = app.role("alertdialog", "Turn off data sharing?").await;
    let expected = pending_deletion(ProgramId::Marketing, tenant_settings::state::now());
    let (due, schema) = (
        I18n::choose(None).date(expected.due_by),
        I18n::choose(None).date(expected.schema_due_by.unwrap()),
    );
    let said = description(&confirm);
    assert!(
        said.contains(&format!(
            "Marketing and query data will be purged by {due}."
        )) && said.contains("kept at most 12 months from when they were copied")
            && said.contains(&format!("all are deleted by {schema}")),
        "the confirmation says {said:?}"
    );
    let keep = control(&confirm, "button", "Keep sharing").await;
    assert_eq!(focused().as_ref(), Some(keep.unchecked_ref::<Element>()));

    click(&control(&confirm, "button", "Turn off").await).await;
    app.wait_row_state(MARKETING, &format!("Off – deletion pending until {due}"))
        .await;
    app.text(&format!("Marketing and query data are purged by {due}."))
        .await;
    app.text(&format!("all are gone by {schema}")).await;

    let (after, _) = settings_of(&tenant.id).await;
    let marketing = after.program(ProgramId::Marketing).unwrap();
    assert!(!marketing.enabled);
    assert_eq!(
        marketing.contact_allowed,
        Some(false),
        "opting out stops contact"
    );
    let pending = marketing.pending_deletion.clone().unwrap();
    assert_eq!(I18n::choose(None).date(pending.due_by), due);
    assert_eq!(
        I18n::choose(None).date(pending.schema_due_by.unwrap()),
        schema
    );

    app.unmount();
}

// Guards the figures at a glance: each data category with where and how long it is kept.
#[wasm_bindgen_test]
async fn data_categories_and_retention_are_shown() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings/marketing-data-sharing");
    let panel = app.role("dialog", MARKETING).await;
    app.role("heading", "What is shared, and how long it is kept")
        .await;
    for text in [
        "Marketing data",
        "Query data",
        "Data schema",
        "purged after 30 days",
        "Table and column names only, never the values in them.",
        "Copied to the United States and kept for up to 12 months from when it was copied",
    ] {
        wait_for(text, || by_text(&panel, text)).await;
    }
    app.unmount();
}

// Guards reading without losing anything: with the switch flipped and the box
// ticked, the NDA and the notice open over the panel (and as a page of their
// own, then Back), and the draft is still there afterwards.
#[wasm_bindgen_test]
async fn reading_the_documents_keeps_the_panel_state() {
    let tenant = fresh_tenant("US").await;
    let notices = marketing_notices(&tenant.id).await;
    let nda = publish::current_version("marketing-nda").await;
    let notice = publish::current_version("marketing-human-review").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(MARKETING).await;
    let switch = panel_switch(&panel).await;
    click(&switch).await;
    click(&control(&panel, "switch", CONTACT).await).await;
    let accept = control(&panel, "checkbox", &accept_label(&notices)).await;
    click(&accept).await;

    let read_nda = control(
        &panel,
        "button",
        &format!(
            "Read the non-disclosure agreement (version {})",
            nda.version
        ),
    )
    .await;
    click(&read_nda).await;
    let reader = app.role("dialog", &nda.title).await;
    assert_eq!(reader.get_attribute("aria-modal").as_deref(), Some("true"));
    wait_for("the NDA's sections", || {
        by_role(&reader, "heading", &nda.sections[2].heading)
    })
    .await;
    // A link in the NDA to the engagement notice opens it in the same place.
    let link = wait_for("a link to the engagement notice", || {
        reader
            .query_selector("a[href='/notices/marketing-human-review']")
            .unwrap()
    })
    .await;
    link.unchecked_ref::<HtmlElement>().click();
    let reader = app.role("dialog", &notice.title).await;
    wait_for("the notice's sections", || {
        by_role(&reader, "heading", &notice.sections[1].heading)
    })
    .await;
    press(&reader, "Escape");
    app.gone("dialog", &notice.title).await;
    assert!(
        by_role(&app.root, "dialog", MARKETING).is_some(),
        "Escape closes the reader only"
    );
    wait_until(
        "focus to return to the button that opened the reader",
        || focused().as_ref() == Some(read_nda.unchecked_ref::<Element>()),
    )
    .await;
    assert!(
        is_checked(&switch) && is_checked(&accept),
        "the draft is untouched"
    );
    assert!(!is_checked(&control(&panel, "switch", CONTACT).await));

    // The full page, then Back: the panel comes back with the same draft.
    click(&read_nda).await;
    let reader = app.role("dialog", &nda.title).await;
    click(&control(&reader, "link", "Open as a full page").await).await;
    app.gone("dialog", MARKETING).await;
    app.role("heading", &nda.title).await;
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .back()
        .unwrap();
    let panel = app.role("dialog", MARKETING).await;
    let switch = panel_switch(&panel).await;
    let accept = control(&panel, "checkbox", &accept_label(&notices)).await;
    wait_until("the draft to be restored", || {
        is_checked(&switch) && is_checked(&accept)
    })
    .await;
    assert!(!is_checked(&control(&panel, "switch", CONTACT).await));
    assert!(!is_disabled(&control(&panel, "button", "Save").await));

    // Cancel drops it for good.
    click(&control(&panel, "button", "Cancel").await).await;
    app.gone("dialog", MARKETING).await;
    let panel = app.open_panel(MARKETING).await;
    let switch = panel_switch(&panel).await;
    assert!(!is_checked(&switch));
    let (after, _) = settings_of(&tenant.id).await;
    assert!(!after.program(ProgramId::Marketing).unwrap().enabled);

    app.unmount();
}

// Guards the reader's view: everything shown, nothing editable, and who can change it.
#[wasm_bindgen_test]
async fn reader_sees_everything_and_changes_nothing() {
    let tenant = fresh_tenant("US").await;
    publish::marketing_on(&tenant.id, true).await;
    let app = TestApp::mount(&tenant.id, Role::Reader, "/settings");
    app.wait_row_state(MARKETING, "On").await;
    let panel = app.open_panel(MARKETING).await;
    let switch = panel_switch(&panel).await;
    let contact = control(&panel, "switch", CONTACT).await;
    wait_until("both switches to be disabled", || {
        is_disabled(&switch) && is_disabled(&contact)
    })
    .await;
    assert!(is_checked(&switch) && is_checked(&contact));
    assert!(is_disabled(&control(&panel, "button", "Save").await));
    app.text("Only tenant administrators can change this setting.")
        .await;
    app.text("What is shared, and how long it is kept").await;
    app.unmount();
}

// Guards a conflicting save: another admin opted in first; the person's draft
// stays and the panel says what happened, with the way forward.
#[wasm_bindgen_test]
async fn a_conflicting_save_keeps_the_draft() {
    let tenant = fresh_tenant("US").await;
    let notices = marketing_notices(&tenant.id).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(MARKETING).await;
    click(&panel_switch(&panel).await).await;
    click(&control(&panel, "switch", CONTACT).await).await;
    click(&control(&panel, "checkbox", &accept_label(&notices)).await).await;

    publish::marketing_on(&tenant.id, true).await;
    click(&control(&panel, "button", "Save").await).await;
    app.text("Someone else changed this setting while you were editing. It is now On.")
        .await;
    app.wait_row_state(MARKETING, "On").await;
    let contact = control(&panel, "switch", CONTACT).await;
    assert!(!is_checked(&contact), "the person's choice is kept");

    // Saving again applies the remaining difference: contact off.
    click(&control(&panel, "button", "Save").await).await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    let (after, _) = settings_of(&tenant.id).await;
    assert_eq!(
        after.program(ProgramId::Marketing).unwrap().contact_allowed,
        Some(false)
    );
    app.unmount();
}

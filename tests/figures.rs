#![cfg(target_arch = "wasm32")]
//! "Figures the product computes and shows" (shared/product/facts.md), one
//! test per row of that table: what the page shows, checked against the
//! deadlines consent-core computes, written by the page's own date format.

mod common;
mod publish;

use common::*;
use consent_core::{pending_deletion, ChangeRequest, ErrorCode, ProgramId, Role};
use tenant_settings::api::ApiError;
use tenant_settings::i18n::I18n;
use tenant_settings::state::now;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const SWITCH: &str = "Enable data sharing";

async fn control(container: &HtmlElement, role: &str, name: &str) -> HtmlElement {
    let what = format!("{role} {name:?}");
    wait_for(&what, || by_role(container, role, name)).await
}

/// Opens `setting`'s panel, turns the program off and returns the
/// confirmation's text and the moment the person asked (T).
async fn ask_to_turn_off(app: &TestApp, setting: &str) -> (String, consent_core::Timestamp) {
    let panel = app.open_panel(setting).await;
    click(&control(&panel, "switch", SWITCH).await).await;
    let asked_at = now();
    click(&control(&panel, "button", "Save").await).await;
    let confirm = app.role("alertdialog", "Turn off data sharing?").await;
    (description(&confirm), asked_at)
}

// Row 1: Copilot opt-out at T shows "data deleted by" T + 30 days, in the
// confirmation, then in the row and the panel once saved.
#[wasm_bindgen_test]
async fn copilot_opt_out_shows_deleted_by_t_plus_30_days() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(COPILOT, "On").await;

    let (confirmation, t) = ask_to_turn_off(&app, COPILOT).await;
    let deleted_by = I18n::choose(None).date(pending_deletion(ProgramId::Copilot, t).due_by);
    assert!(
        confirmation.contains(&format!("deleted by {deleted_by}")),
        "{confirmation:?}"
    );
    click(&app.role("button", "Turn off").await).await;

    app.wait_row_state(
        COPILOT,
        &format!("Off – deletion pending until {deleted_by}"),
    )
    .await;
    app.text(&format!(
        "Current setting: Off – deletion pending until {deleted_by}"
    ))
    .await;
    app.text(&format!("Shared data is deleted by {deleted_by}"))
        .await;

    // The server's own record of T gives the same deadline.
    let (document, _) = settings_of(&tenant.id).await;
    let pending = document
        .program(ProgramId::Copilot)
        .unwrap()
        .pending_deletion
        .clone()
        .unwrap();
    assert_eq!(
        pending.due_by,
        pending_deletion(ProgramId::Copilot, pending.requested_at).due_by
    );
    assert_eq!(I18n::choose(None).date(pending.due_by), deleted_by);
    app.unmount();
}

// Row 2: Marketing opt-out at T shows marketing and query data purged by
// T + 30 days, and schema copies kept at most 12 months.
#[wasm_bindgen_test]
async fn marketing_opt_out_shows_the_purge_date_and_the_schema_limit() {
    let tenant = fresh_tenant("US").await;
    publish::marketing_on(&tenant.id, true).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(MARKETING, "On").await;

    let (confirmation, t) = ask_to_turn_off(&app, MARKETING).await;
    let deadlines = pending_deletion(ProgramId::Marketing, t);
    let purged_by = I18n::choose(None).date(deadlines.due_by);
    let schema_by = I18n::choose(None).date(deadlines.schema_due_by.unwrap());
    for expected in [
        format!("Marketing and query data will be purged by {purged_by}."),
        "kept at most 12 months from when they were copied".to_owned(),
        format!("all are deleted by {schema_by}"),
    ] {
        assert!(
            confirmation.contains(&expected),
            "{expected:?} in {confirmation:?}"
        );
    }
    click(&app.role("button", "Turn off").await).await;

    app.wait_row_state(
        MARKETING,
        &format!("Off – deletion pending until {purged_by}"),
    )
    .await;
    app.text(&format!(
        "Marketing and query data are purged by {purged_by}."
    ))
    .await;
    app.text("Copies of the data schema are kept at most 12 months from when they were copied")
        .await;
    app.text(&format!("all are gone by {schema_by}.")).await;

    let (document, _) = settings_of(&tenant.id).await;
    let pending = document
        .program(ProgramId::Marketing)
        .unwrap()
        .pending_deletion
        .clone()
        .unwrap();
    let computed = pending_deletion(ProgramId::Marketing, pending.requested_at);
    assert_eq!(pending, computed);
    assert_eq!(I18n::choose(None).date(pending.due_by), purged_by);
    assert_eq!(
        I18n::choose(None).date(pending.schema_due_by.unwrap()),
        schema_by
    );
    app.unmount();
}

// Row 3: Copilot for a tenant outside the US: the toggle is unavailable with
// the reason, and no request can turn it on (422 region_ineligible, nothing stored).
#[wasm_bindgen_test]
async fn copilot_outside_the_us_is_unavailable_and_cannot_be_turned_on() {
    let tenant = fresh_tenant("EU").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(COPILOT, "Unavailable").await;
    let panel = app.open_panel(COPILOT).await;
    let switch = control(&panel, "switch", SWITCH).await;
    assert!(is_disabled(&switch));
    let reason = "This setting is only available to tenants in the United States region. \
                  Your tenant is in the European Union region.";
    assert!(
        description(&switch).contains(reason),
        "{}",
        description(&switch)
    );
    app.text(reason).await;
    assert!(is_disabled(&control(&panel, "button", "Save").await));

    let admin = client_as(&tenant.id, Role::Admin).await;
    let (before, etag) = admin.get_data_sharing(&tenant.id).await.unwrap();
    let notices = before.program(ProgramId::Copilot).unwrap().notices.clone();
    let refused = admin
        .change_program(
            &tenant.id,
            ProgramId::Copilot,
            &ChangeRequest {
                enabled: true,
                accept_notices: notices.into_iter().map(Into::into).collect(),
                contact_allowed: None,
            },
            &etag,
            None,
        )
        .await;
    match refused {
        Err(ApiError::Refused { code, .. }) => assert_eq!(code, ErrorCode::RegionIneligible),
        other => panic!("expected region_ineligible, got {other:?}"),
    }
    let (after, _) = admin.get_data_sharing(&tenant.id).await.unwrap();
    assert_eq!(after, before, "nothing stored");
    app.unmount();
}

// Row 4: a notice changed materially since the admin accepted it:
// re-acceptance is required before sharing continues.
#[wasm_bindgen_test]
async fn a_material_notice_change_requires_reacceptance_before_sharing_continues() {
    let tenant = fresh_tenant("US").await;
    publish::marketing_on(&tenant.id, true).await;
    publish::publish_new_version("marketing-nda", true).await;

    let (document, _) = settings_of(&tenant.id).await;
    let marketing = document.program(ProgramId::Marketing).unwrap();
    assert!(marketing.enabled && marketing.reconsent_required);

    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(MARKETING, "Re-acceptance needed").await;
    let panel = app.open_panel(MARKETING).await;
    app.text("Current setting: Re-acceptance needed").await;
    app.text("Until then no data is shared under this setting")
        .await;
    let label = format!(
        "I have read and accept the Marketing engagement notice (version {}) and the \
         non-disclosure agreement (version {})",
        marketing.notices[0].version, marketing.notices[1].version
    );
    click(&control(&panel, "checkbox", &label).await).await;
    click(&control(&panel, "button", "Save").await).await;
    app.wait_row_state(MARKETING, "On").await;
    let (document, _) = settings_of(&tenant.id).await;
    assert!(
        !document
            .program(ProgramId::Marketing)
            .unwrap()
            .reconsent_required
    );
    app.unmount();
}

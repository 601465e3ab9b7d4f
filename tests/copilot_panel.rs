#![cfg(target_arch = "wasm32")]
//! The Copilot data-sharing panel, against the real consent API.

mod common;

use common::*;
use consent_core::{ProgramId, Role};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

// Guards the panel's frame: a labelled modal dialog that takes focus, with the switch named right.
#[wasm_bindgen_test]
async fn panel_is_a_labelled_modal_dialog_with_focus_inside() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(COPILOT).await;

    assert_eq!(panel.get_attribute("aria-modal").as_deref(), Some("true"));
    let switch = panel_switch(&panel).await;
    assert_eq!(switch.get_attribute("type").as_deref(), Some("checkbox"));
    wait_until("focus to move into the panel", || {
        focused().is_some_and(|f| panel.contains(Some(&f)))
    })
    .await;
    assert_eq!(
        web_sys::window().unwrap().location().pathname().unwrap(),
        "/settings/copilot-data-sharing"
    );

    app.unmount();
}

// Guards that Save is only offered for a change, and that Cancel drops the change.
#[wasm_bindgen_test]
async fn save_waits_for_a_change_and_cancel_restores() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;
    let save = control(&panel, "button", "Save").await;

    assert!(!is_checked(&switch));
    assert!(is_disabled(&save), "Save before any change");
    click(&switch).await;
    wait_until("Save to be enabled after a change", || !is_disabled(&save)).await;
    click(&switch).await;
    wait_until(
        "Save to be disabled again when the change is undone",
        || is_disabled(&save),
    )
    .await;

    click(&switch).await;
    wait_until("Save to be enabled", || !is_disabled(&save)).await;
    click(&control(&panel, "button", "Cancel").await).await;
    app.gone("dialog", COPILOT).await;
    assert_eq!(app.row_state(COPILOT).await, "Off");

    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;
    assert!(
        !is_checked(&switch),
        "the cancelled change must not come back"
    );
    let (document, _) = settings_of(&tenant.id).await;
    assert!(!document.program(ProgramId::Copilot).unwrap().enabled);

    app.unmount();
}

// Guards turning Copilot on: saved, announced, shown in the row, and still on after a reload.
#[wasm_bindgen_test]
async fn turning_on_is_saved_announced_and_kept() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(COPILOT).await;
    let (before, _) = settings_of(&tenant.id).await;
    let notice = before.program(ProgramId::Copilot).unwrap().notices[0].clone();
    app.text(&format!(
        "Turning this on and saving accepts the Copilot data sharing notice, version {}.",
        notice.version
    ))
    .await;

    click(&panel_switch(&panel).await).await;
    click(&control(&panel, "button", "Save").await).await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    app.wait_row_state(COPILOT, "On").await;
    assert!(panel.get_attribute("aria-busy").is_none());

    let (after, _) = settings_of(&tenant.id).await;
    let copilot = after.program(ProgramId::Copilot).unwrap();
    assert!(copilot.enabled);
    assert!(copilot.accepted_notices.contains(&notice));

    // The reload: a new app reads the stored state.
    app.unmount();
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(COPILOT, "On").await;
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;
    wait_until("the switch to show on", || is_checked(&switch)).await;
    app.unmount();
}

// Guards turning off: a confirmation states the deletion date; "Turn off" saves; the row says deletion is pending.
#[wasm_bindgen_test]
async fn turning_off_asks_first_and_shows_the_deletion_date() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(COPILOT, "On").await;
    let panel = app.open_panel(COPILOT).await;

    click(&panel_switch(&panel).await).await;
    click(&control(&panel, "button", "Save").await).await;
    let confirm = app.role("alertdialog", "Turn off data sharing?").await;
    let deleted_by = date_in_days(30.0);
    assert!(
        description(&confirm).contains(&format!("Shared data will be deleted by {deleted_by}.")),
        "confirmation says {:?}",
        description(&confirm)
    );
    let keep = control(&confirm, "button", "Keep sharing").await;
    assert_eq!(focused().as_ref(), Some(keep.unchecked_ref::<Element>()));

    click(&control(&confirm, "button", "Turn off").await).await;
    app.gone("alertdialog", "Turn off data sharing?").await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    let pending = format!("Off – deletion pending until {deleted_by}");
    app.wait_row_state(COPILOT, &pending).await;
    app.text(&format!("Current setting: {pending}")).await;

    let (after, _) = settings_of(&tenant.id).await;
    let copilot = after.program(ProgramId::Copilot).unwrap();
    assert!(!copilot.enabled);
    assert!(copilot.pending_deletion.is_some());

    app.unmount();
}

// Guards the safe answer: "Keep sharing" (and Escape) change nothing and put the switch back.
#[wasm_bindgen_test]
async fn keep_sharing_cancels_turning_off() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings/copilot-data-sharing");
    let panel = app.role("dialog", COPILOT).await;
    let switch = panel_switch(&panel).await;
    wait_until("the switch to show on", || is_checked(&switch)).await;

    click(&switch).await;
    click(&control(&panel, "button", "Save").await).await;
    let confirm = app.role("alertdialog", "Turn off data sharing?").await;
    click(&control(&confirm, "button", "Keep sharing").await).await;
    app.gone("alertdialog", "Turn off data sharing?").await;
    wait_until("the switch to be back on", || is_checked(&switch)).await;
    assert!(is_disabled(&control(&panel, "button", "Save").await));

    click(&switch).await;
    click(&control(&panel, "button", "Save").await).await;
    let confirm = app.role("alertdialog", "Turn off data sharing?").await;
    press(&confirm, "Escape");
    app.gone("alertdialog", "Turn off data sharing?").await;
    assert!(
        by_role(&app.root, "dialog", COPILOT).is_some(),
        "Escape answers the question only"
    );
    wait_until("the switch to be back on", || is_checked(&switch)).await;

    assert_eq!(app.row_state(COPILOT).await, "On");
    let (after, _) = settings_of(&tenant.id).await;
    assert!(after.program(ProgramId::Copilot).unwrap().enabled);

    app.unmount();
}

// Guards the region rule: outside the US the switch is disabled and the panel says why.
#[wasm_bindgen_test]
async fn ineligible_tenant_sees_the_switch_disabled_with_the_reason() {
    let tenant = fresh_tenant("EU").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(COPILOT, "Unavailable").await;
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;

    assert!(is_disabled(&switch));
    assert!(
        description(&switch).contains("only available to tenants in the United States region"),
        "the switch is described by {:?}",
        description(&switch)
    );
    app.text("only available to tenants in the United States region")
        .await;

    app.unmount();
}

// Guards the reader's view: everything visible, nothing editable, and who can change it.
#[wasm_bindgen_test]
async fn reader_sees_the_setting_read_only() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Reader, "/settings");
    app.wait_row_state(COPILOT, "Off").await;
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;

    wait_until("the switch to be disabled", || is_disabled(&switch)).await;
    assert!(is_disabled(&control(&panel, "button", "Save").await));
    app.text("Only tenant administrators can change this setting.")
        .await;
    assert!(description(&switch).contains("Only tenant administrators can change this setting."));

    app.unmount();
}

// Guards the draft on failure: when someone else changed the setting first, the person's choice stays.
#[wasm_bindgen_test]
async fn a_conflicting_save_keeps_the_draft_and_offers_the_current_state() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;
    click(&switch).await;
    wait_until("the switch to show the draft", || is_checked(&switch)).await;

    // Another admin turns it on and off again while this page is open.
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    set_program(&tenant.id, ProgramId::Copilot, false).await;

    click(&control(&panel, "button", "Save").await).await;
    app.text("Someone else changed this setting while you were editing.")
        .await;
    assert!(is_checked(&switch), "the person's choice is kept");
    assert!(!is_disabled(&switch));
    app.wait_row_state(COPILOT, "Off – deletion pending").await;
    let show_current = control(&panel, "button", "Show the current setting").await;

    // Saving again applies the choice over the new state.
    let save = control(&panel, "button", "Save").await;
    assert!(!is_disabled(&save));
    click(&save).await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    app.wait_row_state(COPILOT, "On").await;
    assert!(!show_current.is_connected());

    app.unmount();
}

// Guards the other way forward after a conflict: showing the current state drops the draft.
#[wasm_bindgen_test]
async fn show_the_current_setting_drops_the_draft() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;
    click(&switch).await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    set_program(&tenant.id, ProgramId::Copilot, false).await;

    click(&control(&panel, "button", "Save").await).await;
    click(&control(&panel, "button", "Show the current setting").await).await;
    wait_until("the switch to show the stored state", || {
        !is_checked(&switch)
    })
    .await;
    assert!(is_disabled(&control(&panel, "button", "Save").await));
    assert!(by_text(&panel, "Someone else changed").is_none());

    app.unmount();
}

// Guards Escape: it closes the panel and focus returns to the setting's row; a change is not dropped silently.
#[wasm_bindgen_test]
async fn escape_closes_the_panel_and_focus_returns_to_the_row() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let row = app.role("link", COPILOT).await;

    let panel = app.open_panel(COPILOT).await;
    let inside = wait_for("focus to move into the panel", || {
        focused().filter(|f| panel.contains(Some(f)))
    })
    .await;
    press(&inside, "Escape");
    app.gone("dialog", COPILOT).await;
    wait_until("focus to return to the row", || {
        focused().as_ref() == Some(row.unchecked_ref::<Element>())
    })
    .await;

    // With an unsaved change, Escape asks first.
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;
    click(&switch).await;
    press(&switch, "Escape");
    let ask = app.role("alertdialog", "Discard your change?").await;
    click(&control(&ask, "button", "Keep editing").await).await;
    app.gone("alertdialog", "Discard your change?").await;
    assert!(is_checked(&switch), "keeping on editing keeps the change");

    press(&switch, "Escape");
    let ask = app.role("alertdialog", "Discard your change?").await;
    click(&control(&ask, "button", "Discard change").await).await;
    app.gone("dialog", COPILOT).await;
    wait_until("focus to return to the row", || {
        focused().as_ref() == Some(row.unchecked_ref::<Element>())
    })
    .await;
    assert_eq!(app.row_state(COPILOT).await, "Off");

    app.unmount();
}

// Guards client-side history: Back closes the panel (focus back on the row), Forward reopens it.
#[wasm_bindgen_test]
async fn back_and_forward_close_and_reopen_the_panel() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let row = app.role("link", COPILOT).await;
    let history = web_sys::window().unwrap().history().unwrap();

    app.open_panel(COPILOT).await;
    history.back().unwrap();
    app.gone("dialog", COPILOT).await;
    wait_until("focus to return to the row", || {
        focused().as_ref() == Some(row.unchecked_ref::<Element>())
    })
    .await;

    history.forward().unwrap();
    app.role("dialog", COPILOT).await;

    app.unmount();
}

// Guards the order on a phone (issue 11): the stored state and the switch
// come before the explanation, so at 375 by 667 px the switch is in view
// when a panel opens. The app is laid out in a 375 px box (a transform makes
// it the containing block of the fixed panel layer), whatever the test
// browser's window; the switch is measured from the panel's top.
#[wasm_bindgen_test]
async fn the_switch_is_in_the_first_screen_on_a_phone() {
    let tenant = fresh_tenant("US").await;
    for (setting, path) in [
        (COPILOT, "/settings/copilot-data-sharing"),
        (MARKETING, "/settings/marketing-data-sharing"),
    ] {
        let app = TestApp::mount(&tenant.id, Role::Admin, path);
        let style = app.root.style();
        for (property, value) in [
            ("position", "relative"),
            ("width", "375px"),
            ("height", "667px"),
            ("transform", "translateZ(0)"),
            ("overflow", "hidden"),
        ] {
            style.set_property(property, value).unwrap();
        }
        let panel = app.role("dialog", setting).await;
        let switch = control(&panel, "switch", SWITCH).await;
        // On a phone the panel fills the screen from its top.
        let top = panel.get_bounding_client_rect().top();
        let (switch_top, switch_bottom) = {
            // The input lies over the switch's track.
            let r = switch.get_bounding_client_rect();
            (r.top() - top, r.bottom() - top)
        };
        assert!(
            panel.get_bounding_client_rect().width() <= 375.5,
            "{setting}: the panel is laid out 375 px wide"
        );
        assert!(
            switch_top >= 0.0 && switch_bottom <= 667.0,
            "{setting}: the switch spans {switch_top}..{switch_bottom} px from the top of a 667 px screen"
        );
        app.unmount();
    }
}

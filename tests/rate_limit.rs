#![cfg(target_arch = "wasm32")]
//! A save the real consent API refuses because the tenant made too many
//! changes in a minute (429 `rate_limited` with `Retry-After`). The browser
//! tests' server runs with a limit per tenant (100 a minute, set by xtask),
//! so a fresh tenant uses up its own budget through the API and nothing else
//! is slowed down. On its own file: it waits as long as the server asks (up to
//! a minute), which the other files' time budget should not carry.

mod common;

use common::*;
use consent_core::{ChangeRequest, ProgramId, Role};
use tenant_settings::api::ApiError;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// Far more changes than the browser tests' server takes in a minute.
const MOST_CHANGES: usize = 200;

/// Turns Copilot on and off through the API, as another admin, until the
/// server refuses a change for too many; answers the wait it asked for and
/// whether Copilot is on now.
async fn change_until_refused(tenant: &str) -> (u32, bool) {
    let admin = client_as(tenant, Role::Admin).await;
    let (document, mut etag) = admin.get_data_sharing(tenant).await.expect("reading");
    let copilot = document.program(ProgramId::Copilot).expect("Copilot");
    let notices = copilot.notices.clone();
    let mut enabled = copilot.enabled;
    for _ in 0..MOST_CHANGES {
        let change = ChangeRequest {
            enabled: !enabled,
            accept_notices: if enabled {
                Vec::new()
            } else {
                notices.iter().cloned().map(Into::into).collect()
            },
            contact_allowed: None,
        };
        match admin
            .change_program(tenant, ProgramId::Copilot, &change, &etag, None)
            .await
        {
            Ok((_, tag)) => {
                etag = tag;
                enabled = !enabled;
            }
            Err(ApiError::RateLimited { retry_after }) => return (retry_after, enabled),
            Err(other) => panic!("changing Copilot through the API: {other}"),
        }
    }
    panic!("the API took {MOST_CHANGES} changes of one tenant without refusing any")
}

/// The seconds in "Too many changes. Try again in N s. …", if `panel` says so.
fn wait_asked(panel: &HtmlElement) -> Option<(u32, HtmlElement)> {
    let said = by_text(panel, "Too many changes.")?;
    let text = said.text_content().unwrap_or_default();
    let seconds = text
        .split("Try again in ")
        .nth(1)?
        .split(" s.")
        .next()?
        .trim()
        .parse()
        .ok()?;
    Some((seconds, said))
}

// Guards a save refused for too many changes (429): the panel says so and
// for how long to wait, in an alert; the draft stays exactly as it was
// (the switch as drafted, Save still offered, nothing stored, no Retry that
// would be refused again at once); after the wait the server asked for,
// Save stores the very same choice.
#[wasm_bindgen_test]
async fn a_save_refused_for_too_many_changes_keeps_the_draft_until_it_can_be_saved() {
    let tenant = fresh_tenant("US").await;
    let (asked, on) = change_until_refused(&tenant.id).await;
    // A limit per minute never asks to wait longer than a minute.
    assert!((1..=60).contains(&asked), "the API asked to wait {asked} s");

    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(COPILOT, if on { "On" } else { "Off" })
        .await;
    let row_before = app.row_state(COPILOT).await;
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;
    click(&switch).await;
    wait_until("the switch to show the draft", || is_checked(&switch) != on).await;
    let save_and_confirm = || async {
        click(&control(&panel, "button", "Save").await).await;
        if on {
            let confirm = app.role("alertdialog", "Turn off data sharing?").await;
            click(&control(&confirm, "button", "Turn off").await).await;
        }
    };
    save_and_confirm().await;

    let (seconds, said) = wait_for("the panel to say there were too many changes", || {
        wait_asked(&panel)
    })
    .await;
    assert_eq!(
        normalized_text(&said),
        format!(
            "Too many changes. Try again in {seconds} s. Your change was not saved and is still \
             shown."
        )
    );
    assert!(
        said.closest("[role=alert]").unwrap().is_some(),
        "the refusal is announced"
    );
    // Asked a moment after the API's own refusal: never a longer wait.
    assert!(
        (1..=asked).contains(&seconds),
        "the page says {seconds} s, the API asked {asked} s"
    );
    assert_eq!(is_checked(&switch), !on, "the drafted choice is kept");
    assert!(!is_disabled(&switch));
    assert!(!is_disabled(&control(&panel, "button", "Save").await));
    assert!(
        by_role(&panel, "button", "Retry").is_none(),
        "no Retry that would be refused again at once"
    );
    assert_eq!(app.row_state(COPILOT).await, row_before);
    let (stored, _) = settings_of(&tenant.id).await;
    assert_eq!(stored.program(ProgramId::Copilot).unwrap().enabled, on);

    // Waiting as long as the panel said, then Save, stores the same choice.
    sleep_ms((seconds as i32 + 1) * 1000).await;
    save_and_confirm().await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    assert!(by_text(&panel, "Too many changes.").is_none());
    let (stored, _) = settings_of(&tenant.id).await;
    assert_eq!(stored.program(ProgramId::Copilot).unwrap().enabled, !on);

    app.unmount();
}

/// The text of `element` with its white space collapsed.
fn normalized_text(element: &HtmlElement) -> String {
    element
        .text_content()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#![cfg(target_arch = "wasm32")]
//! Re-consent, against the real consent API: notice versions are published
//! while the tests run (development mode), so nothing here assumes a version
//! number; every version is read from the API.

mod common;
mod publish;

use common::ledger::table_rows;
use common::*;
use consent_core::ledger::ChangeReason;
use consent_core::rules::ConsentAction;
use consent_core::{IneligibleReason, NoticeRef, ProgramId, Role};
use tenant_settings::api::ApiClient;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CONTACT: &str = "Allow the vendor to contact the system administrator";
const BANNER: &str = "Accept the changed notice to keep sharing";

/// A program's current notices and acceptances, as the API has them.
async fn program(tenant: &str, program: ProgramId) -> consent_core::ProgramView {
    let (document, _) = settings_of(tenant).await;
    document.program(program).unwrap().clone()
}

/// The text of each element under `root` that `selector` matches, in order.
fn texts(root: &web_sys::Element, selector: &str) -> Vec<String> {
    let found = root.query_selector_all(selector).unwrap();
    (0..found.length())
        .filter_map(|i| found.item(i))
        .map(|node| node.text_content().unwrap_or_default())
        .collect()
}

fn marketing_label(notices: &[NoticeRef]) -> String {
    format!(
        "I have read and accept the Marketing engagement notice (version {}) and the \
         non-disclosure agreement (version {})",
        notices[0].version, notices[1].version
    )
}

// Guards the re-consent path for Copilot: a material change shows in the row
// and as a banner with what changed; the choice stays on; ticking the box
// and saving accepts the new version and clears it.
#[wasm_bindgen_test]
async fn a_material_change_asks_again_and_says_what_changed() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    let accepted = program(&tenant.id, ProgramId::Copilot)
        .await
        .accepted_notices[0]
        .clone();
    let (new, previous) = publish::publish_new_version("copilot-data-sharing", true).await;
    assert_eq!(previous.version, accepted.version);

    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(COPILOT, "Re-acceptance needed").await;
    let panel = app.open_panel(COPILOT).await;
    let banner = app.role("heading", BANNER).await;
    let banner = banner.parent_element().unwrap();
    app.text(&format!(
        "The Copilot data sharing notice changed from version {} to version {}.",
        previous.version, new.version
    ))
    .await;
    app.text(new.change_summary.as_deref().unwrap()).await;
    let changed = &new.sections[1].heading;
    let list = wait_for("the changed sections", || {
        banner.query_selector(".ts-banner__sections").unwrap()
    })
    .await;
    let headings = texts(&list, ".ts-diff__heading");
    assert_eq!(
        headings,
        std::slice::from_ref(changed),
        "only the changed section is listed"
    );
    // The added words themselves, marked and announced as added.
    assert_eq!(
        texts(&list, "ins"),
        [format!("[added: (Edition {}.)]", new.version)]
    );
    assert!(texts(&list, "del").is_empty(), "nothing was removed");
    app.text("Added words are underlined; removed words are struck through.")
        .await;
    assert!(by_text(&banner, "no data is shared under this setting").is_some());

    let switch = panel_switch(&panel).await;
    assert!(is_checked(&switch), "the choice stays on");
    let save = control(&panel, "button", "Save").await;
    assert!(is_disabled(&save));
    let accept = control(
        &panel,
        "checkbox",
        &format!(
            "I have read and accept the Copilot data sharing notice (version {})",
            new.version
        ),
    )
    .await;
    click(&accept).await;
    click(&save).await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    app.wait_row_state(COPILOT, "On").await;
    app.gone("heading", BANNER).await;

    let after = program(&tenant.id, ProgramId::Copilot).await;
    assert!(after.enabled && !after.reconsent_required);
    assert_eq!(after.accepted_notices[0].version, new.version);
    app.unmount();
}

// Guards the other side: a typo fix (not material) asks nobody again.
#[wasm_bindgen_test]
async fn a_typo_fix_does_not_ask_again() {
    let tenant = fresh_tenant("US").await;
    publish::marketing_on(&tenant.id, true).await;
    let before = program(&tenant.id, ProgramId::Marketing).await;
    let (new, _) = publish::publish_new_version("marketing-nda", false).await;

    let after = program(&tenant.id, ProgramId::Marketing).await;
    assert_eq!(after.notices[1].version, new.version);
    assert!(!after.reconsent_required);
    assert_eq!(after.accepted_notices, before.accepted_notices);

    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(MARKETING, "On").await;
    let panel = app.open_panel(MARKETING).await;
    app.text(&format!(
        "Accepted: the Marketing engagement notice (version {}) and the non-disclosure \
         agreement (version {}).",
        before.accepted_notices[0].version, before.accepted_notices[1].version
    ))
    .await;
    assert!(by_role(&panel, "heading", BANNER).is_none());
    assert!(by_role(&panel, "checkbox", &marketing_label(&after.notices)).is_none());
    app.unmount();
}

// Guards Marketing while re-acceptance is pending: contact can still be
// stopped on its own; then ticking the box naming both current versions
// accepts them and clears the request.
#[wasm_bindgen_test]
async fn marketing_reacceptance_names_both_versions_and_contact_can_stop() {
    let tenant = fresh_tenant("US").await;
    publish::marketing_on(&tenant.id, true).await;
    let (new, _) = publish::publish_new_version("marketing-human-review", true).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    app.wait_row_state(MARKETING, "Re-acceptance needed").await;
    let panel = app.open_panel(MARKETING).await;
    app.role("heading", BANNER).await;
    app.text(&format!("to version {}.", new.version)).await;

    let contact = control(&panel, "switch", CONTACT).await;
    click(&contact).await;
    let save = control(&panel, "button", "Save").await;
    wait_until("stopping contact to be saveable without the box", || {
        !is_disabled(&save)
    })
    .await;
    click(&save).await;
    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    let after = program(&tenant.id, ProgramId::Marketing).await;
    assert_eq!(after.contact_allowed, Some(false));
    assert!(after.reconsent_required, "stopping contact accepts nothing");
    assert_eq!(app.row_state(MARKETING).await, "Re-acceptance needed");

    let accept = control(&panel, "checkbox", &marketing_label(&after.notices)).await;
    assert_eq!(after.notices[0].version, new.version);
    click(&accept).await;
    click(&save).await;
    app.wait_row_state(MARKETING, "On").await;
    let after = program(&tenant.id, ProgramId::Marketing).await;
    assert!(!after.reconsent_required);
    assert_eq!(after.accepted_notices, after.notices);
    assert_eq!(after.contact_allowed, Some(false));
    app.unmount();
}

// Guards the refusal when a notice changes while the panel is open: the
// server answers notice_not_accepted, the panel says what happened in words,
// and "Show the current setting" brings the new version to accept.
#[wasm_bindgen_test]
async fn a_notice_changed_while_the_panel_is_open_is_explained() {
    let tenant = fresh_tenant("US").await;
    let before = program(&tenant.id, ProgramId::Marketing).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let panel = app.open_panel(MARKETING).await;
    click(&panel_switch(&panel).await).await;
    click(&control(&panel, "checkbox", &marketing_label(&before.notices)).await).await;

    let (new, _) = publish::publish_new_version("marketing-nda", true).await;
    click(&control(&panel, "button", "Save").await).await;
    app.text("The notice changed since this page loaded.").await;
    assert!(
        !program(&tenant.id, ProgramId::Marketing).await.enabled,
        "nothing stored"
    );

    click(&control(&panel, "button", "Show the current setting").await).await;
    let current = program(&tenant.id, ProgramId::Marketing).await;
    assert_eq!(current.notices[1].version, new.version);
    let switch = panel_switch(&panel).await;
    wait_until("the switch to show the stored state", || {
        !is_checked(&switch)
    })
    .await;
    click(&switch).await;
    let accept = control(&panel, "checkbox", &marketing_label(&current.notices)).await;
    assert!(!is_checked(&accept), "a new version needs a new tick");
    click(&accept).await;
    click(&control(&panel, "button", "Save").await).await;
    app.wait_row_state(MARKETING, "On").await;
    let after = program(&tenant.id, ProgramId::Marketing).await;
    assert_eq!(after.accepted_notices, current.notices);
    app.unmount();
}

// Guards older versions: the notice screen lists every version; an older
// one says so and leads back to the current one.
#[wasm_bindgen_test]
async fn older_versions_are_reachable_from_the_notice_screen() {
    let (new, _) = publish::publish_new_version("copilot-data-sharing", false).await;
    let versions = ApiClient::new(api_url())
        .get_notice_versions("copilot-data-sharing")
        .await
        .unwrap();
    let first = versions.first().unwrap();
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/notices/copilot-data-sharing");
    // The version line under the title (the list of versions repeats the words).
    let shows_version = |version: u32| {
        let prefix = format!("Version {version}, in effect from");
        let root = app.root.clone();
        move || {
            root.query_selector(".ts-notice__meta")
                .unwrap()
                .is_some_and(|meta| meta.text_content().unwrap_or_default().starts_with(&prefix))
        }
    };
    wait_until("the current version's line", shows_version(new.version)).await;
    // What changed since the version before, word by word, when asked.
    let since = app
        .root
        .query_selector(".ts-notice__changes > summary")
        .unwrap()
        .unwrap();
    assert_eq!(
        since.text_content().unwrap(),
        format!("What changed since version {}", new.version - 1)
    );
    click(&since).await;
    let added = wait_for("the added words", || {
        app.root.query_selector(".ts-notice__changes ins").unwrap()
    })
    .await;
    assert_eq!(
        added.text_content().unwrap(),
        format!("[added: (Edition {}.)]", new.version)
    );
    let list = app
        .role("heading", "All versions")
        .await
        .parent_element()
        .unwrap();
    let older = wait_for("the first version's link", || {
        list.query_selector(&format!(
            "a[href='/notices/copilot-data-sharing/v/{}']",
            first.version
        ))
        .unwrap()
    })
    .await;
    click(&older).await;
    app.text(&format!(
        "This is an older version. The current one is version {}.",
        new.version
    ))
    .await;
    wait_until("the first version's line", shows_version(first.version)).await;
    click(&app.role("link", "Read the current version").await).await;
    wait_until(
        "the current version's line again",
        shows_version(new.version),
    )
    .await;
    app.gone("link", "Read the current version").await;
    wait_until("the address of the current version", || {
        web_sys::window().unwrap().location().pathname().unwrap() == "/notices/copilot-data-sharing"
    })
    .await;
    app.unmount();
}

// Guards what an admin sees after the tenant moved out of the US while
// Copilot was on (with a re-acceptance pending, too): the move itself turned
// Copilot off, as an opt-out by the service that moved the tenant, so the
// deletion clock runs. The row says deletion is pending; the panel says in
// one sentence that the move turned it off and by when shared data is
// deleted, with the switch off and disabled and nothing to accept; the
// program's history shows the region change and the automatic opt-out, by
// that service. (Before, the move left Copilot on and the panel offered only
// turning it off.)
#[wasm_bindgen_test]
async fn after_a_move_out_of_the_us_copilot_is_off_and_the_page_says_why() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    publish::publish_new_version("copilot-data-sharing", true).await;
    ApiClient::new(api_url())
        .dev_move_tenant(&tenant.id, "EU")
        .await
        .expect("moving the tenant to the EU");
    let after = program(&tenant.id, ProgramId::Copilot).await;
    assert!(
        !after.enabled
            && !after.eligible
            && after.ineligible_reason == Some(IneligibleReason::RegionNotSupported)
            && !after.reconsent_required,
        "the state under test: {after:?}"
    );
    let pending = after
        .pending_deletion
        .clone()
        .unwrap_or_else(|| panic!("the move starts the deletion clock: {after:?}"));
    // What the page should say, from the API's answer and the browser's own Intl.
    let due = date_at_in(None, pending.due_by.timestamp_millis() as f64);
    let history = client_as(&tenant.id, Role::Reader)
        .await
        .get_history(&tenant.id, Some(ProgramId::Copilot), None, None)
        .await
        .expect("reading the history through the API");
    let moved = history
        .events
        .iter()
        .find(|e| e.action == ConsentAction::RegionChanged)
        .unwrap_or_else(|| panic!("a region_changed event: {:#?}", history.events));
    let turned_off = history
        .events
        .iter()
        .find(|e| e.action == ConsentAction::OptedOut)
        .unwrap_or_else(|| panic!("an opted_out event: {:#?}", history.events));
    assert_eq!(
        turned_off.detail.reason,
        Some(ChangeReason::RegionIneligible)
    );
    let service = &turned_off.actor;
    assert!(
        service.roles.is_empty(),
        "a service, not a person: {service:?}"
    );
    assert_eq!(
        after.updated_by.as_ref().map(|a| a.id.as_str()),
        Some(service.id.as_str())
    );

    let app = TestApp::mount(&tenant.id, Role::Admin, "/settings");
    let state = format!("Off – deletion pending until {due}");
    app.wait_row_state(COPILOT, &state).await;
    let panel = app.open_panel(COPILOT).await;
    app.text(&format!("Current setting: {state}")).await;
    let why = app
        .text(&format!(
            "Data sharing was turned off automatically because your organization is no longer \
             in the United States region; shared data is deleted by {due}."
        ))
        .await;
    assert!(
        panel.contains(Some(&why)),
        "the explanation is in the panel"
    );
    let switch = control(&panel, "switch", SWITCH).await;
    assert!(!is_checked(&switch), "the switch shows off");
    assert!(is_disabled(&switch), "it cannot be turned on here");
    let described = description(&switch);
    assert!(
        described.contains("only available to tenants in the United States region")
            && !described.contains("turning it off is the only change you can save"),
        "the switch is described by {described:?}"
    );
    let boxes = panel
        .query_selector_all("input[type=checkbox]:not([role=switch])")
        .unwrap();
    assert_eq!(boxes.length(), 0, "no acceptance box to tick");
    assert!(by_role(&panel, "heading", BANNER).is_none());
    assert!(is_disabled(&control(&panel, "button", "Save").await));

    // The program's history, from the panel: the move and the opt-out it made.
    click(&control(&panel, "link", "View history").await).await;
    app.gone("dialog", COPILOT).await;
    let table = app
        .role(
            "table",
            "Consent events for Copilot AI features data sharing, newest first",
        )
        .await;
    let rows = wait_for("the history's rows", || {
        let rows = table_rows(&table);
        (rows.len() == history.events.len()).then_some(rows)
    })
    .await;
    let row_of = |id: &str| {
        let index = history.events.iter().position(|e| e.id == id).unwrap();
        rows[index].clone()
    };
    let moved_row = row_of(&moved.id);
    assert_eq!(moved_row[1], moved.actor.id, "{moved_row:?}");
    assert_eq!(moved_row[2], COPILOT);
    assert_eq!(
        moved_row[3],
        "Region changed from United States to European Union"
    );
    let off_row = row_of(&turned_off.id);
    assert_eq!(off_row[1], service.id, "{off_row:?}");
    assert_eq!(
        off_row[3],
        "Turned off automatically: your organization moved out of the United States region"
    );

    app.unmount();
}

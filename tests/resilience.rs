#![cfg(target_arch = "wasm32")]
//! Nothing is lost under faults: the app talks to the real consent API
//! through the fault proxy `cargo xtask test` starts, and the tests stop the
//! API, slow it down, make it fail or lose its answers, then bring it back.
//! What they assert is what a person sees, and what the proxy counted.

mod common;

use common::fault::{
    no_more_settings_requests_than, reset_proxy, seen_for_settings, set_fault, Fault, Method, Seen,
};
use common::*;
use consent_core::{ProgramId, Role};
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const SWITCH: &str = "Enable data sharing";
const SERVER_FAILED: &str = "The server ran into a problem";
const UNREACHABLE: &str = "The server could not be reached";
const OUTCOME_UNKNOWN: &str = "it is not known whether your change was saved";
const SLOW: &str = "The server is taking longer than usual";
/// How long the proxy's log is watched to show that a change is not sent
/// again by itself: past the page's first two waits before reading again
/// (1 s, then 2 s), so a save retried on the reads' schedule would show.
const NO_RESEND_WITHIN_MS: f64 = 3_500.0;

/// The app for a fresh US tenant, through the proxy, with Copilot's panel
/// open and turned on but not saved (the draft a fault must not lose).
async fn panel_with_a_draft() -> (TestApp, String, HtmlElement) {
    reset_proxy().await;
    let tenant = fresh_tenant("US").await.id;
    let app = TestApp::mount_on(
        fault::proxy_url(),
        &tenant,
        Role::Admin,
        "/settings/copilot-data-sharing",
    );
    let panel = app.role("dialog", COPILOT).await;
    let switch = app.role("switch", SWITCH).await;
    click(&switch).await;
    assert!(is_checked(&switch));
    (app, tenant, panel)
}

/// Whether the draft is still there: the switch on, Save ready to send it.
async fn draft_is_kept(app: &TestApp) {
    let switch = app.role("switch", SWITCH).await;
    assert!(is_checked(&switch), "the switch keeps the unsaved choice");
    let save = app.role("button", "Save").await;
    wait_until("Save to take the kept draft", || !is_disabled(&save)).await;
}

fn starts(requests: &[Seen]) -> Vec<f64> {
    requests.iter().map(|r| r.started_ms).collect()
}

// Guards the stopped API: the first load says in words that the server
// cannot be reached, counts down to its next try with "Retry now" beside
// it, and when the API is back the list appears without anyone clicking.
#[wasm_bindgen_test]
async fn a_stopped_api_is_said_and_the_page_recovers_by_itself() {
    reset_proxy().await;
    let tenant = fresh_tenant("US").await.id;
    set_fault(Fault::REFUSE).await;
    let app = TestApp::mount_on(fault::proxy_url(), &tenant, Role::Admin, "/settings");

    let alert = app.text(UNREACHABLE).await;
    assert_eq!(
        alert.closest("[role=alert]").unwrap().map(|_| ()),
        Some(()),
        "the failure is announced"
    );
    app.text("Trying again in").await;
    app.role("button", "Retry now").await;
    assert!(by_role(&app.root, "link", COPILOT).is_none());

    set_fault(Fault::PASS).await;
    // The next try comes at most 30 s later; it is 1 s, 2 s or 4 s here.
    wait_async("the list once the API is back", 15_000.0, || async {
        by_role(&app.root, "link", COPILOT)
    })
    .await;
    app.wait_row_state(COPILOT, "Off").await;
    wait_until("the failure to leave the page", || {
        by_text(&app.root, UNREACHABLE).is_none() && by_text(&app.root, "Trying again in").is_none()
    })
    .await;
    app.unmount();
}

// Guards a slow first load: grey rows at once, then, while the server
// keeps the page waiting, words saying so; then the settings.
#[wasm_bindgen_test]
async fn a_slow_load_says_the_server_is_slow_then_shows_the_settings() {
    reset_proxy().await;
    let tenant = fresh_tenant("US").await.id;
    set_fault(Fault::delay(3000).on(Method::Get)).await;
    let app = TestApp::mount_on(fault::proxy_url(), &tenant, Role::Admin, "/settings");

    app.text(SLOW).await;
    assert!(
        by_role(&app.root, "link", COPILOT).is_none(),
        "still loading"
    );
    wait_async("the settings after the slow read", 10_000.0, || async {
        by_role(&app.root, "link", COPILOT)
    })
    .await;
    assert!(by_text(&app.root, SLOW).is_none());
    let reads = seen_for_settings(&tenant, Method::Get).await;
    assert_eq!(
        reads.len(),
        1,
        "a slow read is waited for, not repeated: {reads:?}"
    );
    app.unmount();
}

// Guards the backoff of reads: with the API answering 503, the page keeps
// the settings and the draft, says they may be out of date, and reads again
// after 1 s, 2 s, then 4 s; when the API is back it leaves the error state.
#[wasm_bindgen_test]
async fn failing_reads_are_retried_with_backoff_and_keep_the_draft() {
    let (app, tenant, _panel) = panel_with_a_draft().await;
    set_fault(Fault::status(503).on(Method::Get)).await;
    come_back_to_the_page();

    app.text("The settings shown may be out of date").await;
    app.text(SERVER_FAILED).await;
    app.text("Trying again in").await;
    app.role("button", "Retry now").await;
    draft_is_kept(&app).await;

    let failed = wait_async("four failed reads", 15_000.0, || async {
        let failed: Vec<Seen> = seen_for_settings(&tenant, Method::Get)
            .await
            .into_iter()
            .filter(|r| r.status == 503)
            .collect();
        (failed.len() >= 4).then_some(failed)
    })
    .await;
    let at = starts(&failed);
    let gaps: Vec<f64> = at.windows(2).map(|w| w[1] - w[0]).collect();
    for (gap, expected) in gaps.iter().zip([1000.0, 2000.0, 4000.0]) {
        assert!(
            *gap >= expected - 100.0 && *gap <= expected + 1500.0,
            "reads again after 1 s, 2 s, 4 s; the gaps were {gaps:?} ms"
        );
    }
    draft_is_kept(&app).await;

    set_fault(Fault::PASS).await;
    click(&app.role("button", "Retry now").await).await;
    wait_until("the page to leave the error state", || {
        by_text(&app.root, "may be out of date").is_none()
            && by_text(&app.root, "Trying again in").is_none()
    })
    .await;
    draft_is_kept(&app).await;
    let after = seen_for_settings(&tenant, Method::Get).await;
    let last = after.last().unwrap();
    assert_eq!(
        (last.status, last.if_none_match.is_some()),
        (304, true),
        "the recovering read is conditional and nothing changed"
    );
    app.unmount();
}

// Guards a slow save: the panel says it is saving at once, and that the
// server is slow after a moment; the switch waits without taking input,
// then the change is saved, sent once.
#[wasm_bindgen_test]
async fn a_slow_save_shows_progress_then_saves_once() {
    let (app, tenant, panel) = panel_with_a_draft().await;
    set_fault(Fault::delay(3000).on(Method::Put)).await;
    click(&app.role("button", "Save").await).await;

    wait_until("Saving…", || {
        app.status_line(&panel).starts_with("Saving…")
    })
    .await;
    let switch = app.role("switch", SWITCH).await;
    assert!(
        is_disabled(&switch),
        "no input while the change is on its way"
    );
    assert_eq!(panel.get_attribute("aria-busy").as_deref(), Some("true"));
    wait_until("the panel to say the server is slow", || {
        app.status_line(&panel).contains(SLOW)
    })
    .await;
    wait_async("Saved", 10_000.0, || async {
        (app.status_line(&panel) == "Saved").then_some(())
    })
    .await;
    app.wait_row_state(COPILOT, "On").await;

    let puts = seen_for_settings(&tenant, Method::Put).await;
    assert_eq!(puts.len(), 1, "{puts:?}");
    assert!(puts[0].ended_ms - puts[0].started_ms >= 3000.0);
    assert_eq!(settings_of(&tenant).await.0.version, 1);
    app.unmount();
}

// Guards a change whose answer is lost: the server stored it, the browser
// never heard. The panel says the outcome is unknown and keeps the draft;
// Retry sends the same change under the same idempotency key, and the
// server applies it once.
#[wasm_bindgen_test]
async fn a_lost_answer_is_retried_under_the_same_key_and_applied_once() {
    let (app, tenant, panel) = panel_with_a_draft().await;
    set_fault(Fault::drop_answer().on(Method::Put)).await;
    click(&app.role("button", "Save").await).await;

    app.text(OUTCOME_UNKNOWN).await;
    draft_is_kept(&app).await;
    let (stored, _) = settings_of(&tenant).await;
    assert_eq!(
        (
            stored.version,
            stored.program(ProgramId::Copilot).unwrap().enabled
        ),
        (1, true),
        "the server did store the change whose answer was lost"
    );
    // Nothing is sent again until the person asks.
    no_more_settings_requests_than(&tenant, Method::Put, 1, NO_RESEND_WITHIN_MS).await;

    set_fault(Fault::PASS).await;
    click(&app.role("button", "Retry").await).await;
    wait_until("Saved", || app.status_line(&panel) == "Saved").await;
    app.wait_row_state(COPILOT, "On").await;

    let puts = seen_for_settings(&tenant, Method::Put).await;
    assert_eq!(puts.len(), 2, "{puts:?}");
    let key = puts[0].idempotency_key.clone();
    assert!(key.is_some(), "a change always carries a key");
    assert_eq!(puts[1].idempotency_key, key, "the retry reuses the key");
    assert_eq!((puts[0].status, puts[1].status), (0, 200));

    let (after, _) = settings_of(&tenant).await;
    assert_eq!(after.version, 1, "applied once");
    let history = client_as(&tenant, Role::Admin)
        .await
        .get_history(&tenant, None, None, None)
        .await
        .unwrap();
    assert_eq!(history.events.len(), 1, "one event for the change");
    app.unmount();
}

// Guards a failing save: a 500 says nothing was changed, keeps the draft
// and is not sent again by itself; Retry then saves it, under the same key.
#[wasm_bindgen_test]
async fn a_failed_save_is_never_sent_again_by_itself() {
    let (app, tenant, panel) = panel_with_a_draft().await;
    set_fault(Fault::status(500).on(Method::Put)).await;
    click(&app.role("button", "Save").await).await;

    app.text(SERVER_FAILED).await;
    draft_is_kept(&app).await;
    let puts = no_more_settings_requests_than(&tenant, Method::Put, 1, NO_RESEND_WITHIN_MS).await;
    assert_eq!(puts.len(), 1, "sent once: {puts:?}");
    assert_eq!(settings_of(&tenant).await.0.version, 0);

    set_fault(Fault::PASS).await;
    click(&app.role("button", "Retry").await).await;
    wait_until("Saved", || app.status_line(&panel) == "Saved").await;
    let puts = seen_for_settings(&tenant, Method::Put).await;
    assert_eq!(puts.len(), 2, "{puts:?}");
    assert_eq!(puts[1].idempotency_key, puts[0].idempotency_key);
    assert_eq!(settings_of(&tenant).await.0.version, 1);
    app.unmount();
}

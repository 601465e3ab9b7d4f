#![cfg(target_arch = "wasm32")]
//! What a person sees and hears while the app waits and after it acted:
//! placeholders while loading, progress on a slow save, and the outcome in
//! live regions. The slowness is real: the host's token function takes its
//! time before every request, as a portal's token service may.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use common::*;
use consent_core::Role;
use tenant_settings::api::{ApiClient, AsyncTokenFn};
use tenant_settings::{Theme, TokenSource};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A host's token function: waits `delay` ms before answering, and answers
/// a token the API refuses while `refuse` is set.
struct SlowHost {
    delay: Arc<AtomicU32>,
    refuse: Arc<AtomicBool>,
}

impl SlowHost {
    async fn for_admin_of(tenant: &str) -> (SlowHost, TokenSource) {
        let token = ApiClient::new(api_url())
            .dev_token(tenant, Role::Admin)
            .await
            .expect("a development token")
            .token;
        let delay = Arc::new(AtomicU32::new(0));
        let refuse = Arc::new(AtomicBool::new(false));
        let (wait, wrong) = (delay.clone(), refuse.clone());
        let provider: AsyncTokenFn = Arc::new(move || {
            let ms = wait.load(Ordering::SeqCst);
            let token = if wrong.load(Ordering::SeqCst) {
                "not-a-valid-token".to_owned()
            } else {
                token.clone()
            };
            Box::pin(async move {
                sleep(ms).await;
                Some(token)
            })
        });
        (
            SlowHost { delay, refuse },
            TokenSource::AsyncProvider(provider),
        )
    }
}

async fn sleep(ms: u32) {
    if ms == 0 {
        return;
    }
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// The text of the panel's alert regions (failures).
fn alert_text(panel: &HtmlElement) -> String {
    let alerts = panel.query_selector_all("[role=alert]").unwrap();
    (0..alerts.length())
        .filter_map(|i| alerts.item(i))
        .filter_map(|alert| alert.text_content())
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

// Guards loading: while the settings are on their way the list shows
// placeholder rows, marked busy and announced, never an empty page.
#[wasm_bindgen_test]
async fn loading_shows_placeholders_and_announces_it() {
    let tenant = fresh_tenant("US").await;
    let (host, token) = SlowHost::for_admin_of(&tenant.id).await;
    host.delay.store(1_500, Ordering::SeqCst);
    let app = TestApp::mount_with(&tenant.id, token, "/settings", Theme::Auto);

    let busy = wait_for("the list to be marked busy", || {
        app.root.query_selector("[aria-busy=true]").unwrap()
    })
    .await;
    let status = busy.query_selector("[role=status]").unwrap();
    assert_eq!(
        status.and_then(|s| s.text_content()).as_deref(),
        Some("Loading settings…")
    );
    let placeholders = busy.query_selector_all("[aria-hidden=true]").unwrap();
    assert!(
        placeholders.length() >= 2,
        "a placeholder row per setting, hidden from screen readers"
    );
    assert!(by_role(&app.root, "link", COPILOT).is_none());

    app.loaded().await;
    assert!(app
        .root
        .query_selector("[aria-busy=true]")
        .unwrap()
        .is_none());
    app.unmount();
}

// Guards a slow save: busy at once (aria-busy, "Saving…" in the status
// line), after 300 ms the button itself shows progress; then "Saved" is
// announced and the button is back. A refused save is announced as an
// alert with the next step, and the person's change is kept.
#[wasm_bindgen_test]
async fn a_slow_save_shows_progress_and_announces_the_outcome() {
    let tenant = fresh_tenant("US").await;
    let (host, token) = SlowHost::for_admin_of(&tenant.id).await;
    let app = TestApp::mount_with(&tenant.id, token, "/settings", Theme::Auto);
    let panel = app.open_panel(COPILOT).await;
    let switch = panel_switch(&panel).await;
    click(&switch).await;

    host.delay.store(1_500, Ordering::SeqCst);
    let save = control(&panel, "button", "Save").await;
    wait_until("Save to be enabled", || !is_disabled(&save)).await;
    save.focus().unwrap();
    click(&save).await;
    wait_until("the panel to announce Saving…", || {
        app.status_line(&panel) == "Saving…"
    })
    .await;
    assert_eq!(panel.get_attribute("aria-busy").as_deref(), Some("true"));
    assert!(
        by_role(&panel, "button", "Saving…").is_none(),
        "no progress on the button before 300 ms"
    );
    let progress = control(&panel, "button", "Saving…").await;
    assert_eq!(
        progress.get_attribute("aria-disabled").as_deref(),
        Some("true"),
        "a save in flight takes no second click"
    );
    assert_eq!(
        focused().as_ref(),
        Some(progress.unchecked_ref::<Element>()),
        "the button keeps focus while saving, not {:?}",
        focused().map(|f| f.outer_html().chars().take(200).collect::<String>())
    );
    assert!(
        is_disabled(&switch),
        "the switch takes no input while saving"
    );
    assert!(is_checked(&switch), "the switch keeps showing the choice");

    wait_until("the panel to announce Saved", || {
        app.status_line(&panel) == "Saved"
    })
    .await;
    assert!(panel.get_attribute("aria-busy").is_none());
    assert!(by_role(&panel, "button", "Saving…").is_none());
    control(&panel, "button", "Save").await;
    app.wait_row_state(COPILOT, "On").await;
    assert_eq!(alert_text(&panel), "", "nothing to alert after a success");
    wait_until(
        "focus to go to the switch once Save has nothing left to save",
        || focused().as_ref() == Some(switch.unchecked_ref::<Element>()),
    )
    .await;

    // The host's token is refused from now on: the save fails, and says so.
    host.delay.store(0, Ordering::SeqCst);
    host.refuse.store(true, Ordering::SeqCst);
    click(&switch).await;
    click(&control(&panel, "button", "Save").await).await;
    click(&app.role("button", "Turn off").await).await;
    let sign_in = control(&panel, "button", "Sign in again").await;
    assert!(!is_disabled(&sign_in));
    assert_ne!(alert_text(&panel), "", "the failure is in the alert region");
    assert_eq!(app.status_line(&panel), "", "no stale Saving… or Saved");
    assert!(panel.get_attribute("aria-busy").is_none());
    assert!(!is_checked(&switch), "the change is kept after a failure");
    assert_eq!(app.row_state(COPILOT).await, "On", "nothing was stored");

    app.unmount();
}

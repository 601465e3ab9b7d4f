#![cfg(target_arch = "wasm32")]
//! The consent history screen, against the real consent API.

mod common;

use common::ledger::*;
use common::*;
use consent_core::{ProgramId, Role};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const ALL_EVENTS: &str = "Consent events, newest first";
const COPILOT_EVENTS: &str = "Consent events for Copilot AI features data sharing, newest first";
const MARKETING_EVENTS: &str =
    "Consent events for Marketing: human review of anonymized customer data, newest first";

/// The path and query the app is at.
fn address() -> String {
    let location = web_sys::window().unwrap().location();
    format!(
        "{}{}",
        location.pathname().unwrap(),
        location.search().unwrap()
    )
}

/// The name of the tenant's development admin, as the history records it.
async fn admin_name(tenant: &str) -> String {
    let (document, _) = settings_of(tenant).await;
    document
        .programs
        .iter()
        .find_map(|p| p.updated_by.clone())
        .expect("a program changed by the admin")
        .name
}

/// Waits until `table` has `count` body rows.
async fn wait_rows(table: &impl AsRef<Element>, count: usize) -> Vec<Vec<String>> {
    let what = format!("{count} rows in the history table");
    wait_for(&what, || {
        let rows = table_rows(table);
        (rows.len() == count).then_some(rows)
    })
    .await
}

// Guards the table: one row per change, newest first, with when, who, the
// program, what changed in words, the notice version and the receipt.
#[wasm_bindgen_test]
async fn lists_changes_newest_first_in_words() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    set_program(&tenant.id, ProgramId::Copilot, false).await;
    set_program(&tenant.id, ProgramId::Marketing, true).await;
    let admin = admin_name(&tenant.id).await;
    let history = client_as(&tenant.id, Role::Reader)
        .await
        .get_history(&tenant.id, None, None, None)
        .await
        .unwrap();
    let app = TestApp::mount(&tenant.id, Role::Admin, "/history");

    app.role("heading", "Consent history").await;
    let table = app.role("table", ALL_EVENTS).await;
    let headers: Vec<String> = table
        .query_selector_all("thead th[scope=col]")
        .map(|nodes| {
            (0..nodes.length())
                .filter_map(|i| nodes.item(i))
                .map(|n| visible_text(n.unchecked_ref()))
                .collect()
        })
        .unwrap();
    assert_eq!(
        headers,
        [
            "When",
            "Who",
            "Program",
            "What changed",
            "Notice versions",
            "Receipt"
        ]
    );
    by_role(&table, "columnheader", "What changed").expect("a column header");

    let rows = wait_rows(&table, 3).await;
    let [marketing_on, copilot_off, copilot_on] = [&rows[0], &rows[1], &rows[2]];
    assert_eq!(marketing_on[1], admin);
    assert_eq!(marketing_on[2], MARKETING);
    assert!(marketing_on[3].starts_with("Turned on"), "{marketing_on:?}");
    assert!(
        marketing_on[4].contains("Marketing engagement notice, version")
            && marketing_on[4].contains("Marketing non-disclosure agreement, version"),
        "{marketing_on:?}"
    );
    assert_eq!(copilot_off[2], COPILOT);
    assert_eq!(copilot_off[3], "Turned off");
    assert_eq!(copilot_on[2], COPILOT);
    let version = history.events[2].notices[0].version;
    assert_eq!(
        copilot_on[3],
        format!("Turned on Accepted Copilot data sharing notice version {version}")
    );
    assert!(copilot_on[4].contains(&format!("Copilot data sharing notice, version {version}")));
    assert!(copilot_on[5].contains("View receipt") && copilot_on[5].contains("Download JSON"));

    // Times are shown in the person's locale, and carry the exact instant.
    let times: Vec<String> = row_elements(&table)
        .iter()
        .map(|row| {
            row.query_selector("time")
                .unwrap()
                .unwrap()
                .get_attribute("datetime")
                .unwrap()
        })
        .collect();
    let expected: Vec<String> = history
        .events
        .iter()
        .map(|e| e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .collect();
    assert_eq!(times, expected);

    // Each row's receipt link leads to that event's receipt.
    let link = by_role(&row_elements(&table)[1], "link", "View receipt").unwrap();
    assert!(link.get_attribute("href").unwrap().ends_with(&format!(
        "/history/receipts/{}",
        history.events[1].receipt_id
    )));

    app.unmount();
}

// Guards the program filter: a native select labelled "Program" that narrows
// the rows and is kept in the address, so Back and a shared link work.
#[wasm_bindgen_test]
async fn filter_by_program_narrows_rows_and_updates_the_address() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    set_program(&tenant.id, ProgramId::Marketing, true).await;
    set_program(&tenant.id, ProgramId::Copilot, false).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/history");
    let table = app.role("table", ALL_EVENTS).await;
    wait_rows(&table, 3).await;

    let select = app.role("combobox", "Program").await;
    choose(&select, "marketing");
    wait_until("the address to name the program", || {
        address() == "/history?program=marketing"
    })
    .await;
    let table = app.role("table", MARKETING_EVENTS).await;
    let rows = wait_rows(&table, 1).await;
    assert_eq!(rows[0][2], MARKETING);

    // Back: all programs again.
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .back()
        .unwrap();
    let table = app.role("table", ALL_EVENTS).await;
    wait_rows(&table, 3).await;
    wait_until("the select to show all programs", || {
        js_sys::Reflect::get(&select, &"value".into()).unwrap() == ""
    })
    .await;
    app.unmount();

    // A link to one program's history opens filtered.
    let app = TestApp::mount(&tenant.id, Role::Admin, "/history?program=copilot");
    let table = app.role("table", COPILOT_EVENTS).await;
    let rows = wait_rows(&table, 2).await;
    assert!(rows.iter().all(|row| row[2] == COPILOT), "{rows:?}");
    let select = app.role("combobox", "Program").await;
    assert_eq!(
        js_sys::Reflect::get(&select, &"value".into()).unwrap(),
        "copilot"
    );
    app.unmount();
}

// Guards paging: the newest page first, then older events on request, until there are none.
#[wasm_bindgen_test]
async fn older_events_load_page_by_page() {
    let tenant = fresh_tenant("US").await;
    // 52 events: one more page than the server's 50.
    toggle_copilot(&tenant.id, 26).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/history");
    let table = app.role("table", ALL_EVENTS).await;
    let rows = wait_rows(&table, 50).await;
    assert_eq!(rows[0][3], "Turned off");
    app.text("Showing the newest 50 events. Older events can be loaded.")
        .await;

    click(&app.role("button", "Load older events").await).await;
    let rows = wait_rows(&table, 52).await;
    // Focus moves to the first of the older rows.
    let first_older = row_elements(&table)[50].clone();
    wait_until("focus to move to the first older row", || {
        focused().is_some_and(|f| first_older.contains(Some(&f)))
    })
    .await;
    assert!(
        rows[51][3].starts_with("Turned on Accepted"),
        "{:?}",
        rows[51]
    );
    app.text("Showing 52 events.").await;
    app.gone("button", "Load older events").await;

    // Every event appears once.
    let times: Vec<String> = row_elements(&table)
        .iter()
        .map(|row| {
            row.query_selector("time")
                .unwrap()
                .unwrap()
                .get_attribute("datetime")
                .unwrap()
        })
        .collect();
    assert_eq!(times.len(), 52);
    app.unmount();
}

// Guards the sentence shown instead of an empty table, for all programs and for one.
#[wasm_bindgen_test]
async fn empty_history_says_so() {
    let tenant = fresh_tenant("US").await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/history");
    // Before any answer has arrived, the page shows it is loading, not a blank.
    leptos::task::tick().await;
    assert!(live_region(&app.root, "status", "Loading the history…").is_some());
    app.text("No changes have been recorded yet.").await;
    app.unmount();

    set_program(&tenant.id, ProgramId::Copilot, true).await;
    let app = TestApp::mount(&tenant.id, Role::Admin, "/history?program=marketing");
    app.text("No changes to this program have been recorded yet.")
        .await;
    assert!(by_role(&app.root, "table", MARKETING_EVENTS).is_none());
    app.unmount();
}

// Guards the failure path: the page says the history could not be loaded and offers Retry.
#[wasm_bindgen_test]
async fn a_failed_load_says_so_and_offers_retry() {
    let app = TestApp::mount("no-such-tenant", Role::Admin, "/history");
    let alert = wait_for("an alert", || {
        by_text(&app.root, "The history could not be loaded.")
    })
    .await;
    assert!(alert.closest("[role=alert]").unwrap().is_some());
    app.role("button", "Retry").await;
    app.unmount();
}

// Guards the history's read under faults (the page's shared read): a 503 is
// said, counted down and tried again by itself, and the rows come once the
// API answers again.
#[wasm_bindgen_test]
async fn a_failing_read_is_tried_again_by_itself() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    fault::set_fault(fault::Fault::status(503).on(fault::Method::Get)).await;
    let app = TestApp::mount_on(fault::proxy_url(), &tenant.id, Role::Admin, "/history");
    let alert = wait_for("an alert", || {
        by_text(&app.root, "The history could not be loaded.")
    })
    .await;
    assert!(alert.closest("[role=alert]").unwrap().is_some());
    app.text("Trying again in").await;
    app.role("button", "Retry now").await;

    fault::set_fault(fault::Fault::PASS).await;
    let table = app.role("table", ALL_EVENTS).await;
    wait_rows(&table, 1).await;
    app.gone("button", "Retry now").await;
    app.unmount();
}

// Guards Export CSV: the file is fetched with the person's credentials and
// saved under the server's name, filtered like the table; its URL is released.
#[wasm_bindgen_test]
async fn export_csv_downloads_the_history() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    set_program(&tenant.id, ProgramId::Marketing, true).await;
    catch_downloads();
    let app = TestApp::mount(&tenant.id, Role::Admin, "/history");
    wait_rows(&app.role("table", ALL_EVENTS).await, 2).await;

    click(&app.role("button", "Export CSV").await).await;
    let file = next_download().await;
    let name = format!("{}-consent-history.csv", tenant.id);
    assert_eq!(file.name, name);
    assert!(file.mime.starts_with("text/csv"), "{}", file.mime);
    let lines: Vec<&str> = file.text.lines().collect();
    assert!(lines[0].starts_with("at,actor_id,actor_name,"), "{lines:?}");
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[1].contains(",marketing,opted_in,"), "{lines:?}");
    app.text(&format!("Downloaded {name}.")).await;
    wait_until("the file's URL to be released", || revoked(&file.url)).await;

    // Filtered: only that program's events.
    choose(&app.role("combobox", "Program").await, "copilot");
    wait_rows(&app.role("table", COPILOT_EVENTS).await, 1).await;
    click(&app.role("button", "Export CSV").await).await;
    let file = next_download().await;
    let lines: Vec<&str> = file.text.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].contains(",copilot,opted_in,"), "{lines:?}");
    app.unmount();
}

// Guards the way in from a panel: "View history" opens that program's history.
#[wasm_bindgen_test]
async fn each_panel_links_to_its_history() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    for (setting, query) in [
        (COPILOT, "?program=copilot"),
        (MARKETING, "?program=marketing"),
    ] {
        let app = TestApp::mount(&tenant.id, Role::Reader, "/settings");
        let panel = app.open_panel(setting).await;
        let link = wait_for("the View history link", || {
            by_role(&panel, "link", "View history")
        })
        .await;
        link.click();
        app.gone("dialog", setting).await;
        app.role("heading", "Consent history").await;
        assert_eq!(address(), format!("/history{query}"));
        if setting == COPILOT {
            wait_rows(&app.role("table", COPILOT_EVENTS).await, 1).await;
        } else {
            app.text("No changes to this program have been recorded yet.")
                .await;
        }
        app.unmount();
    }
}

// Guards that readers can read the history (auditors often hold no admin role).
#[wasm_bindgen_test]
async fn readers_see_the_history() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    let app = TestApp::mount(&tenant.id, Role::Reader, "/history");
    let rows = wait_rows(&app.role("table", ALL_EVENTS).await, 1).await;
    assert!(rows[0][3].starts_with("Turned on"), "{rows:?}");
    app.role("button", "Export CSV").await;
    app.unmount();
}

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

/// The `datetime-local` value of `at` in the browser's time zone, with milliseconds.
fn local_value(at: chrono::DateTime<chrono::Utc>) -> String {
    let date = js_sys::Date::new(&(at.timestamp_millis() as f64).into());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds(),
        date.get_milliseconds()
    )
}

/// The field labelled "Show settings as of…".
async fn as_of_field(app: &TestApp) -> web_sys::HtmlInputElement {
    let label = app.text("Show settings as of…").await;
    let id = label
        .get_attribute("for")
        .expect("the label names its field");
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .get_element_by_id(&id)
        .expect("the labelled field")
        .unchecked_into()
}

// Guards "Show settings as of…": a moment between two changes shows the
// settings as they were then, read-only and in words, and the address keeps
// it; an empty, future or pre-registration moment is explained while the
// field keeps what was typed; "Back to the current settings" leaves.
#[wasm_bindgen_test]
async fn settings_as_of_a_past_moment_are_shown_read_only() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    let reader = client_as(&tenant.id, Role::Reader).await;
    let on = reader
        .get_history(&tenant.id, None, None, None)
        .await
        .unwrap()
        .events
        .remove(0);
    // The turn-off must be recorded at a later instant than the turn-on.
    let on_ms = on.at.timestamp_millis() as f64;
    wait_until("the clock to pass the turn-on", || {
        js_sys::Date::now() > on_ms + 10.0
    })
    .await;
    set_program(&tenant.id, ProgramId::Copilot, false).await;
    let off = reader
        .get_history(&tenant.id, None, None, None)
        .await
        .unwrap()
        .events
        .remove(0);
    assert!(off.at > on.at);
    let between = on.at + (off.at - on.at) / 2;

    let app = TestApp::mount(&tenant.id, Role::Admin, "/history");
    let field = as_of_field(&app).await;
    let show = app.role("button", "Show").await;

    // Bad moments first: each is explained, and what was typed stays.
    click(&show).await;
    app.text("Choose a date and a time.").await;
    assert_eq!(field.get_attribute("aria-invalid").as_deref(), Some("true"));
    field.set_value("2999-01-01T00:00");
    click(&show).await;
    app.text("Choose a moment in the past: the settings at a future moment are not known yet.")
        .await;
    assert_eq!(
        field.value(),
        "2999-01-01T00:00",
        "the typed moment is kept"
    );
    field.set_value("2000-01-01T00:00");
    click(&show).await;
    app.text(
        "Your organization's settings were first recorded after that moment. Choose a later one.",
    )
    .await;

    field.set_value(&local_value(between));
    click(&show).await;
    let list = wait_for("the settings as of the moment", || {
        app.root
            .query_selector("ul.ts-settings--past")
            .unwrap()
            .filter(|list| list.children().length() == 2)
    })
    .await;
    assert!(
        address().contains("at="),
        "the address keeps the moment: {}",
        address()
    );
    let heading = app
        .root
        .query_selector(".ts-as-of__heading")
        .unwrap()
        .unwrap();
    let heading = visible_text(heading.unchecked_ref());
    assert!(heading.starts_with("Settings as of "), "{heading}");
    assert_eq!(
        list.get_attribute("aria-label").as_deref(),
        Some(heading.as_str())
    );
    let rows: Vec<String> = (0..2)
        .map(|i| visible_text(list.children().item(i).unwrap().unchecked_ref()))
        .collect();
    assert!(
        rows[0].starts_with(COPILOT) && rows[0].ends_with("On"),
        "{rows:?}"
    );
    let version = on.notices[0].version;
    assert!(
        rows[0].contains(&format!(
            "Accepted: Copilot data sharing notice, version {version}"
        )),
        "{rows:?}"
    );
    assert!(
        rows[1].starts_with(MARKETING) && rows[1].ends_with("Off"),
        "{rows:?}"
    );
    assert!(
        list.query_selector("a, button, input").unwrap().is_none(),
        "the past is read-only"
    );

    click(&app.role("button", "Back to the current settings").await).await;
    wait_until("the moment to leave the address", || {
        !address().contains("at=")
    })
    .await;
    app.gone("button", "Back to the current settings").await;
    assert!(app
        .root
        .query_selector("ul.ts-settings--past")
        .unwrap()
        .is_none());
    app.unmount();
}

// Guards the signed ledger download: one line per event with its hash link
// and signed receipt, then the signed checkpoint, saved under the server's
// name, and the page says how to check it.
#[wasm_bindgen_test]
async fn the_signed_ledger_downloads_from_the_history() {
    let tenant = fresh_tenant("US").await;
    set_program(&tenant.id, ProgramId::Copilot, true).await;
    set_program(&tenant.id, ProgramId::Copilot, false).await;
    let history = client_as(&tenant.id, Role::Reader)
        .await
        .get_history(&tenant.id, None, None, None)
        .await
        .unwrap();
    catch_downloads();
    let app = TestApp::mount(&tenant.id, Role::Reader, "/history");
    let export = app.role("button", "Export signed ledger").await;
    // Available once the page is signed in.
    wait_until("the export to be available", || {
        !export.has_attribute("aria-disabled")
    })
    .await;
    click(&export).await;
    let file = next_download().await;
    let name = format!("ledger-{}.jsonl", tenant.id);
    assert_eq!(file.name, name);
    assert_eq!(file.mime, "application/x-ndjson");
    let lines: Vec<serde_json::Value> = file
        .text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), history.events.len() + 1);
    let exported: Vec<&str> = lines[..lines.len() - 1]
        .iter()
        .map(|line| line["link"]["event"]["id"].as_str().unwrap())
        .collect();
    let recorded: Vec<&str> = history.events.iter().rev().map(|e| e.id.as_str()).collect();
    assert_eq!(exported, recorded, "every event, oldest first");
    assert_eq!(
        lines[1]["link"]["prev_hash"], lines[0]["link"]["hash"],
        "each event is linked to the one before"
    );
    assert!(
        lines.last().unwrap()["checkpoint"]
            .as_str()
            .unwrap()
            .split('.')
            .count()
            == 3
    );
    app.text(&format!(
        "Downloaded {name}. Check it with: consent-api ledger verify --in {name} --jwks jwks.json"
    ))
    .await;
    app.unmount();
}

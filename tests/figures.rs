#![cfg(target_arch = "wasm32")]
//! "Figures the product computes and shows" (shared/product/facts.md), one
//! test per row of that table: what the page shows, checked against
//! deadlines this file works out itself (day counting on the calendar, not
//! consent-core's deadline code), written by the browser's `Intl` date format.

mod common;
mod publish;

use common::*;
use consent_core::{ChangeRequest, ErrorCode, ProgramId, Role, Timestamp};
use tenant_settings::api::ApiError;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DAY_MS: i64 = 86_400_000;

/// Days from 1970-01-01 to the civil date `year-month-day` (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let days_before_year = |y: i64| {
        let y = y - 1;
        365 * y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400)
    };
    let days_before_month: i64 = (1..month).map(|m| days_in_month(year, m)).sum();
    days_before_year(year) - days_before_year(1970) + days_before_month + day - 1
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The civil date (UTC) of the day `days` after 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let mut year = 1970 + days.div_euclid(366);
    while days_from_civil(year + 1, 1, 1) <= days {
        year += 1;
    }
    let mut month = 1;
    while month < 12 && days_from_civil(year, month + 1, 1) <= days {
        month += 1;
    }
    (year, month, days - days_from_civil(year, month, 1) + 1)
}

/// `at` moved 30 whole days on (the same time of day, 30 days later).
fn thirty_days_after(at: i64) -> i64 {
    at + 30 * DAY_MS
}

/// `at` moved 12 calendar months on: the same day of the month a year later,
/// the last day of that month when it is shorter (29 February → 28 February).
fn twelve_months_after(at: i64) -> i64 {
    let days = at.div_euclid(DAY_MS);
    let (year, month, day) = civil_from_days(days);
    let later = days_from_civil(year + 1, month, day.min(days_in_month(year + 1, month)));
    at + (later - days) * DAY_MS
}

/// The date of `at` (milliseconds since the epoch) as the browser writes it
/// in a long style, in the person's time zone: how the page writes dates.
fn long_date(at: i64) -> String {
    date_at_in(None, at as f64)
}

fn millis(at: Timestamp) -> i64 {
    at.timestamp_millis()
}

// Guards the test's own calendar: month ends, leap years and the epoch.
#[wasm_bindgen_test]
fn the_tests_calendar_counts_days_and_months_right() {
    let at = |y, m, d| days_from_civil(y, m, d) * DAY_MS;
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    assert_eq!(civil_from_days(11_017), (2000, 3, 1));
    assert_eq!(
        civil_from_days(days_from_civil(2026, 12, 31)),
        (2026, 12, 31)
    );
    assert_eq!(thirty_days_after(at(2026, 11, 21)), at(2026, 12, 21));
    assert_eq!(thirty_days_after(at(2027, 2, 10)), at(2027, 3, 12));
    assert_eq!(thirty_days_after(at(2028, 2, 10)), at(2028, 3, 11));
    assert_eq!(twelve_months_after(at(2026, 11, 21)), at(2027, 11, 21));
    assert_eq!(twelve_months_after(at(2028, 2, 29)), at(2029, 2, 28));
    assert_eq!(
        twelve_months_after(at(2026, 1, 31) + 34_200_000),
        at(2027, 1, 31) + 34_200_000
    );
}

/// Opens `setting`'s panel, turns the program off and returns the
/// confirmation's text and the moment the person asked (T).
async fn ask_to_turn_off(app: &TestApp, setting: &str) -> (String, i64) {
    let panel = app.open_panel(setting).await;
    click(&panel_switch(&panel).await).await;
    let asked_at = js_sys::Date::now() as i64;
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
    let deleted_by = long_date(thirty_days_after(t));
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
        millis(pending.due_by),
        thirty_days_after(millis(pending.requested_at))
    );
    assert_eq!(long_date(millis(pending.due_by)), deleted_by);
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
    let purged_by = long_date(thirty_days_after(t));
    let schema_by = long_date(twelve_months_after(t));
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
    let requested_at = millis(pending.requested_at);
    assert_eq!(millis(pending.due_by), thirty_days_after(requested_at));
    let schema_due_by = millis(pending.schema_due_by.expect("a schema deadline"));
    assert_eq!(schema_due_by, twelve_months_after(requested_at));
    assert_eq!(long_date(millis(pending.due_by)), purged_by);
    assert_eq!(long_date(schema_due_by), schema_by);
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
    let switch = panel_switch(&panel).await;
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

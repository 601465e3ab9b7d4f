//! Every user-facing text of the app, in one place.
//!
//! Components never spell out a sentence: they ask [`messages`] for the
//! catalogue of the current language. Dates are formatted by the browser's
//! `Intl` in the person's locale and time zone.

mod en;
pub mod history;

use consent_core::{ProgramId, Role, Timestamp};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::api::ApiError;

/// The texts of one language. Fields holding functions fill values into a sentence.
pub struct Messages {
    /// The BCP 47 tag of the language, set on the app's root element.
    pub language: &'static str,

    // The app frame.
    pub dev_identity: fn(name: &str, role: Role, tenant: &str) -> String,
    pub dev_sign_in_failed: &'static str,
    pub role_name: fn(Role) -> &'static str,
    pub not_found_heading: &'static str,
    pub not_found_body: &'static str,
    pub go_to_settings: &'static str,

    // The settings list.
    pub settings_heading: &'static str,
    pub tenant_region: fn(region: &str) -> String,
    pub region_name: fn(code: &str) -> Option<&'static str>,
    pub settings_list_label: &'static str,
    pub search_label: &'static str,
    pub search_no_match: &'static str,
    pub loading_settings: &'static str,
    pub load_failed: &'static str,
    pub retry: &'static str,

    // Reading and saving while the server is down, failing or slow.
    pub refresh_failed: &'static str,
    pub retrying_in: fn(seconds: u32) -> String,
    pub retry_now: &'static str,
    pub server_slow: &'static str,
    pub save_outcome_unknown: &'static str,

    // Programs and their states.
    pub program_name: fn(ProgramId) -> &'static str,
    pub program_full_name: fn(ProgramId) -> &'static str,
    pub program_summary: fn(ProgramId) -> &'static str,
    pub state_on: &'static str,
    pub state_off: &'static str,
    pub state_unavailable: &'static str,
    pub state_deletion_pending: fn(date: &str) -> String,
    pub state_reacceptance_needed: &'static str,
    pub current_state: &'static str,

    // The setting panel.
    pub close_panel: &'static str,
    pub switch_label: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub saving: &'static str,
    pub saved: &'static str,
    pub copilot_about: &'static [&'static str],
    pub accepts_notice: fn(version: u32) -> String,
    pub only_united_states: fn(region: &str) -> String,
    pub admins_only: &'static str,
    pub marketing_about: &'static [&'static str],

    // Reading and accepting notices, in a panel.
    pub notice_name: fn(id: &str) -> Option<&'static str>,
    pub read_notice: fn(name: &str, version: u32) -> String,
    pub faq_about: fn(ProgramId) -> &'static str,
    pub accept_label: fn(notices: &[(&str, u32)]) -> String,
    pub accepted_versions: fn(notices: &[(&str, u32)]) -> String,
    pub accept_first: &'static str,
    pub reader_close: &'static str,
    pub open_full_page: &'static str,
    pub contact_switch_label: &'static str,
    pub contact_help: &'static str,
    pub data_categories_heading: &'static str,
    pub data_categories: fn(purge_days: u64, schema_months: u32) -> [DataCategoryText; 3],
    pub deletion_detail: fn(ProgramId, due: &str, schema_due: Option<&str>) -> String,

    // Re-acceptance after a notice changed materially.
    pub reconsent_heading: &'static str,
    pub reconsent_body: &'static str,
    pub notice_changed: fn(name: &str, from: u32, to: u32) -> String,
    pub notice_not_yet_accepted: fn(name: &str, version: u32) -> String,
    pub change_summary: fn(summary: &str) -> String,
    pub changed_sections: &'static str,
    pub loading_changes: &'static str,
    pub changes_failed: &'static str,

    // The questions and answers (/faq).
    pub faq_heading: &'static str,
    pub faq_intro: &'static str,
    pub faq_search_label: &'static str,
    pub faq_no_match: &'static str,
    pub faq_match_count: fn(count: usize) -> String,
    pub faq_link_to_question: &'static str,
    pub loading_faq: &'static str,
    pub faq_load_failed: &'static str,

    // A notice's full text (/notices/<id>).
    pub back_to_settings: &'static str,
    pub notice_version_line: fn(version: u32, effective: &str) -> String,
    pub contents: &'static str,
    pub print: &'static str,
    pub versions_heading: &'static str,
    pub version_item: fn(version: u32, effective: &str) -> String,
    pub current_version: &'static str,
    pub material_change: &'static str,
    pub minor_change: &'static str,
    pub older_version_note: fn(current: u32) -> String,
    pub read_current_version: &'static str,
    pub loading_notice: &'static str,
    pub notice_load_failed: &'static str,

    // Confirmations.
    pub confirm_off_title: &'static str,
    pub confirm_off_body: fn(date: &str) -> String,
    pub confirm_off_marketing_body: fn(date: &str, schema_date: &str) -> String,
    pub turn_off: &'static str,
    pub keep_sharing: &'static str,
    pub discard_title: &'static str,
    pub discard_body: &'static str,
    pub discard: &'static str,
    pub keep_editing: &'static str,

    // The consent history, receipts, and what changed.
    pub history: &'static history::HistoryMessages,

    // Failures and what to do next.
    pub error: fn(&ApiError, state_now: Option<&str>) -> String,
    pub show_current_setting: &'static str,
    pub sign_in_again: &'static str,
}

/// One kind of data a program shares, in words: name, what it is, how it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataCategoryText {
    pub name: &'static str,
    pub description: &'static str,
    pub retention: String,
}

/// The catalogue of the page's language (English until more languages are added).
pub fn messages() -> &'static Messages {
    use_context::<&'static Messages>().unwrap_or(&en::MESSAGES)
}

/// Formats the calendar date of `at` in the person's locale and time zone ("December 21, 2026").
pub fn format_date(at: Timestamp) -> String {
    let options = js_sys::Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    // An empty list of locales means the browser's own locale.
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options);
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    format
        .format()
        .call1(&JsValue::UNDEFINED, &date)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| at.date_naive().to_string())
}

/// Formats the date and time of `at` in the person's locale and time zone,
/// to the second ("Nov 21, 2026, 9:30:05 AM"): what an auditor needs.
pub fn format_date_time(at: Timestamp) -> String {
    intl_format(at, &[("dateStyle", "medium"), ("timeStyle", "medium")])
        .unwrap_or_else(|| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Formats the time of day of `at` in the person's locale and time zone ("10:42 AM").
pub fn format_time(at: Timestamp) -> String {
    intl_format(at, &[("timeStyle", "short")]).unwrap_or_else(|| at.format("%H:%M UTC").to_string())
}

/// Formats the date and time of `at`, to the minute ("Nov 21, 2026, 10:42 AM").
pub fn format_date_time_short(at: Timestamp) -> String {
    intl_format(at, &[("dateStyle", "medium"), ("timeStyle", "short")])
        .unwrap_or_else(|| at.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// Whether `a` and `b` fall on the same calendar day where the person is.
pub fn same_local_day(a: Timestamp, b: Timestamp) -> bool {
    let day = |at: Timestamp| {
        let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
        (date.get_full_year(), date.get_month(), date.get_date())
    };
    day(a) == day(b)
}

fn intl_format(at: Timestamp, options: &[(&str, &str)]) -> Option<String> {
    let object = js_sys::Object::new();
    for (name, value) in options {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&object, &(*name).into(), &(*value).into());
    }
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &object);
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    format
        .format()
        .call1(&JsValue::UNDEFINED, &date)
        .ok()
        .and_then(|s| s.as_string())
}

/// Formats a calendar date (a notice's effective date) in the person's
/// locale. It names a day, not an instant, so it is not moved into the
/// person's time zone.
pub fn format_calendar_date(date: chrono::NaiveDate) -> String {
    let midnight = date.and_time(chrono::NaiveTime::MIN).and_utc();
    intl_format(midnight, &[("dateStyle", "long"), ("timeZone", "UTC")])
        .unwrap_or_else(|| date.to_string())
}

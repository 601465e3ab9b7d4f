//! Numbers, lists, dates and times as the browser's `Intl` writes them in
//! the page's locale and the person's time zone, with plain fallbacks where
//! `Intl` is missing (older browsers, native tests).

use consent_core::Timestamp;
use fluent_bundle::FluentValue;
use wasm_bindgen::{JsCast, JsValue};

use super::{I18n, Language};

impl I18n {
    /// Joins `items` as the language does ("a, b and c").
    pub fn list(self, items: &[String]) -> String {
        if let Some(list) = intl_list(self.intl_locale, items) {
            return list;
        }
        // Without `Intl.ListFormat` (older browsers, native tests), the
        // catalogue's own word for "and" joins the last two.
        match items {
            [] => String::new(),
            [only] => only.clone(),
            [rest @ .., last] => tr!(
                self,
                "list-and",
                rest = rest.join(", "),
                last = last.as_str()
            ),
        }
    }

    /// Formats the calendar date of `at` in the person's time zone ("December 21, 2026").
    pub fn date(self, at: Timestamp) -> String {
        self.intl_format(at, &[("dateStyle", "long")])
            .unwrap_or_else(|| at.date_naive().to_string())
    }

    /// Formats the date and time of `at` in the person's time zone, to the
    /// second ("Nov 21, 2026, 9:30:05 AM"): what an auditor needs.
    pub fn date_time(self, at: Timestamp) -> String {
        self.intl_format(at, &[("dateStyle", "medium"), ("timeStyle", "medium")])
            .unwrap_or_else(|| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    /// Formats the time of day of `at` in the person's time zone ("10:42 AM").
    pub fn time(self, at: Timestamp) -> String {
        self.intl_format(at, &[("timeStyle", "short")])
            .unwrap_or_else(|| format!("{} UTC", clock(at)))
    }

    /// Formats the date and time of `at`, to the minute ("Nov 21, 2026, 10:42 AM").
    pub fn date_time_short(self, at: Timestamp) -> String {
        self.intl_format(at, &[("dateStyle", "medium"), ("timeStyle", "short")])
            .unwrap_or_else(|| format!("{} {} UTC", at.date_naive(), clock(at)))
    }

    /// Formats a calendar date (a notice's effective date). It names a day,
    /// not an instant, so it is not moved into the person's time zone.
    pub fn calendar_date(self, date: chrono::NaiveDate) -> String {
        let midnight = date.and_time(chrono::NaiveTime::MIN).and_utc();
        self.intl_format(midnight, &[("dateStyle", "long"), ("timeZone", "UTC")])
            .unwrap_or_else(|| date.to_string())
    }

    fn intl_format(self, at: Timestamp, options: &[(&str, &str)]) -> Option<String> {
        let format =
            js_sys::Intl::DateTimeFormat::new(&locales(self.intl_locale), &object(options));
        let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
        format
            .format()
            .call1(&JsValue::UNDEFINED, &date)
            .ok()
            .and_then(|s| s.as_string())
    }
}

/// The hour and minute of `at` in UTC ("09:30"), for the fallbacks above;
/// written by hand because chrono's `format` brings its whole `strftime`
/// interpreter into the page.
pub(super) fn clock(at: Timestamp) -> String {
    use chrono::Timelike;
    format!("{:02}:{:02}", at.hour(), at.minute())
}

/// `text` in lower case, to match a search in any case. The browser maps
/// the case (it knows Unicode), so the page's code carries no case tables.
pub fn lowercase(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    return String::from(js_sys::JsString::from(text).to_lower_case());
    #[cfg(not(target_arch = "wasm32"))]
    return text.to_lowercase();
}

/// `sentence` with its first letter in upper case ("another administrator…"),
/// mapped by the browser as [`lowercase`] is.
pub fn capitalized(sentence: &str) -> String {
    let mut chars = sentence.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    #[cfg(target_arch = "wasm32")]
    let first = String::from(js_sys::JsString::from(first.to_string()).to_upper_case());
    #[cfg(not(target_arch = "wasm32"))]
    let first = first.to_uppercase().to_string();
    first + chars.as_str()
}

/// Whether `a` and `b` fall on the same calendar day where the person is.
pub fn same_local_day(a: Timestamp, b: Timestamp) -> bool {
    let day = |at: Timestamp| {
        let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
        (date.get_full_year(), date.get_month(), date.get_date())
    };
    day(a) == day(b)
}

/// Formats numbers through `Intl.NumberFormat` (`1,234` or `1.234`).
pub(super) fn format_number<const LANGUAGE: usize>(
    value: &FluentValue,
    _: &intl_memoizer::IntlLangMemoizer,
) -> Option<String> {
    let FluentValue::Number(number) = value else {
        return None;
    };
    if !cfg!(target_arch = "wasm32") {
        return None;
    }
    let tag = Language::ALL[LANGUAGE].tag();
    let format = js_sys::Intl::NumberFormat::new(&locales(tag), &js_sys::Object::new());
    format
        .format()
        .call1(&JsValue::UNDEFINED, &JsValue::from_f64(number.value))
        .ok()
        .and_then(|s| s.as_string())
}

/// `Intl.ListFormat` with the conjunction style; `None` where the browser lacks it.
fn intl_list(locale: &str, items: &[String]) -> Option<String> {
    if !cfg!(target_arch = "wasm32") {
        return None;
    }
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: js_sys::Function = js_sys::Reflect::get(&intl, &"ListFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let arguments = js_sys::Array::of2(&locales(locale), &object(&[("type", "conjunction")]));
    let format = js_sys::Reflect::construct(&constructor, &arguments).ok()?;
    let list: js_sys::Array = items.iter().map(|item| JsValue::from_str(item)).collect();
    let method: js_sys::Function = js_sys::Reflect::get(&format, &"format".into())
        .ok()?
        .dyn_into()
        .ok()?;
    method.call1(&format, &list).ok()?.as_string()
}

fn locales(tag: &str) -> js_sys::Array {
    js_sys::Array::of1(&JsValue::from_str(tag))
}

fn object(properties: &[(&str, &str)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (name, value) in properties {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&object, &(*name).into(), &(*value).into());
    }
    object
}

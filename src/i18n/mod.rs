//! Every user-facing text of the app, in one place: the Fluent catalogues
//! under `locales/<language>/`.
//!
//! Components never spell out a sentence: they ask the [`I18n`] of the page
//! for a message by its key, with `tr!`. Numbers, dates, times
//! and lists are formatted by the browser's `Intl` in the page's locale and
//! the person's time zone.

use std::cell::OnceCell;

use consent_core::receipt::{ConsentStatus, ReceiptEventType};
use consent_core::{ErrorCode, Role, StateChange, Timestamp};
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use leptos::prelude::*;
use unic_langid::LanguageIdentifier;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::ApiError;

/// A message from the catalogue: `tr!(i18n, "save")`, or with values,
/// `tr!(i18n, "accepts-notice", version = 2)`. Values are numbers (formatted
/// by `Intl`, and chosen among plural forms) or text.
macro_rules! tr {
    ($i18n:expr, $key:literal) => {
        $i18n.t($key)
    };
    ($i18n:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = fluent_bundle::FluentArgs::new();
        $(args.set(stringify!($name), $value);)+
        $i18n.t_args($key, &args)
    }};
}

/// A language the app has a complete catalogue for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    German,
}

impl Language {
    /// Every language, English (the fallback) first.
    pub const ALL: [Language; 2] = [Language::English, Language::German];

    /// The BCP 47 tag (`en`, `de`).
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
        }
    }

    /// The first of `requested` (BCP 47 tags, best first) that names a
    /// language of ours: `de-CH` asks for German.
    pub fn negotiate<'a>(requested: impl IntoIterator<Item = &'a str>) -> Option<Language> {
        requested.into_iter().find_map(|tag| {
            let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
            Language::ALL.into_iter().find(|l| l.tag() == primary)
        })
    }

    /// The catalogue's files, in the order they are loaded.
    fn sources(self) -> [&'static str; 2] {
        match self {
            Language::English => [
                include_str!("../../locales/en/app.ftl"),
                include_str!("../../locales/en/history.ftl"),
            ],
            Language::German => [
                include_str!("../../locales/de/app.ftl"),
                include_str!("../../locales/de/history.ftl"),
            ],
        }
    }
}

/// The language and formatting locale of one mounted app. Cheap to copy into
/// closures; every text of the page comes through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I18n {
    language: Language,
    /// The locale for `Intl`: the host's or browser's own tag when it is of
    /// the same language (`en-GB` keeps British dates), else the language's tag.
    intl_locale: &'static str,
}

impl I18n {
    /// The language asked for by the host (`locale`), else the browser's
    /// preferred languages, else English.
    pub fn choose(locale: Option<&str>) -> I18n {
        let requested: Vec<String> = match locale.filter(|l| !l.trim().is_empty()) {
            Some(locale) => vec![locale.trim().to_owned()],
            None => browser_languages(),
        };
        requested
            .iter()
            .find_map(|tag| {
                Language::negotiate([tag.as_str()]).map(|language| I18n {
                    language,
                    intl_locale: intern(tag),
                })
            })
            .unwrap_or(I18n::of(Language::English))
    }

    /// The plain language, formatted with its own tag.
    pub fn of(language: Language) -> I18n {
        I18n {
            language,
            intl_locale: language.tag(),
        }
    }

    pub fn language(self) -> Language {
        self.language
    }

    /// The tag for the page's `lang`: the host's or browser's own (`en-GB`)
    /// when it is of the page's language.
    pub fn lang_tag(self) -> &'static str {
        self.intl_locale
    }

    /// The message `key`, without values.
    pub fn t(self, key: &str) -> String {
        self.format(key, None)
    }

    /// The message `key` with `args` filled in; see `tr!`.
    pub fn t_args(self, key: &str, args: &FluentArgs) -> String {
        self.format(key, Some(args))
    }

    fn format(self, key: &str, args: Option<&FluentArgs>) -> String {
        CATALOGUES.with(|catalogues| {
            let in_language = |language: Language| {
                let bundle = catalogues[language as usize].get_or_init(|| bundle(language));
                let pattern = bundle.get_message(key)?.value()?;
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, args, &mut errors);
                errors.is_empty().then(|| text.into_owned())
            };
            // A catalogue lacking a key is caught by a test; should one slip
            // through, English is better than a blank.
            in_language(self.language)
                .or_else(|| in_language(Language::English))
                .unwrap_or_else(|| key.to_owned())
        })
    }

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
            .unwrap_or_else(|| at.format("%H:%M UTC").to_string())
    }

    /// Formats the date and time of `at`, to the minute ("Nov 21, 2026, 10:42 AM").
    pub fn date_time_short(self, at: Timestamp) -> String {
        self.intl_format(at, &[("dateStyle", "medium"), ("timeStyle", "short")])
            .unwrap_or_else(|| at.format("%Y-%m-%d %H:%M UTC").to_string())
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

/// The [`I18n`] of the app this component is part of.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or(I18n::of(Language::English))
}

/// The selector value of a role in the catalogues (`role-name`).
pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Reader => "reader",
    }
}

/// A change as the history lists it ("Turned on").
pub fn change_text(i18n: I18n, change: &StateChange) -> String {
    match change {
        StateChange::TurnedOn => tr!(i18n, "change-turned-on"),
        StateChange::TurnedOff => tr!(i18n, "change-turned-off"),
        StateChange::TurnedOnAndOff => tr!(i18n, "change-turned-on-and-off"),
        StateChange::ContactChanged { allowed } => {
            tr!(i18n, "change-contact", allowed = yes_no(*allowed))
        }
        StateChange::NoticeAccepted(notice) => tr!(
            i18n,
            "change-notice-accepted",
            name = tr!(i18n, "history-notice-name", id = notice.id.as_str()),
            version = notice.version,
        ),
        StateChange::DeletionCompleted => tr!(i18n, "change-deletion-completed"),
        StateChange::ChangedBack => tr!(i18n, "change-changed-back"),
    }
}

/// A change as a verb phrase ("turned data sharing on"), to join into a sentence.
pub fn change_phrase(i18n: I18n, change: &StateChange) -> String {
    match change {
        StateChange::TurnedOn => tr!(i18n, "phrase-turned-on"),
        StateChange::TurnedOff => tr!(i18n, "phrase-turned-off"),
        StateChange::TurnedOnAndOff => tr!(i18n, "phrase-turned-on-and-off"),
        StateChange::ContactChanged { allowed } => {
            tr!(i18n, "phrase-contact", allowed = yes_no(*allowed))
        }
        StateChange::NoticeAccepted(notice) => tr!(
            i18n,
            "phrase-notice-accepted",
            name = tr!(i18n, "history-notice-name", id = notice.id.as_str()),
            version = notice.version,
        ),
        StateChange::DeletionCompleted => tr!(i18n, "phrase-deletion-completed"),
        StateChange::ChangedBack => tr!(i18n, "phrase-changed-back"),
    }
}

/// What went wrong, in words, with what to do next. `state_now` names the
/// setting's state after someone else changed it, when known.
pub fn error_text(i18n: I18n, error: &ApiError, state_now: Option<&str>) -> String {
    match error {
        ApiError::Offline => tr!(i18n, "error-offline"),
        ApiError::Network => tr!(i18n, "error-network"),
        ApiError::Unauthorized => tr!(i18n, "error-unauthorized"),
        ApiError::Forbidden => tr!(i18n, "error-forbidden"),
        ApiError::NotFound => tr!(i18n, "error-not-found"),
        ApiError::Conflict { .. } => match state_now {
            Some(state) => tr!(i18n, "error-conflict", state = state),
            None => tr!(i18n, "error-conflict-unknown"),
        },
        ApiError::Refused { code, detail } => match code {
            ErrorCode::RegionIneligible => tr!(i18n, "error-region-ineligible"),
            ErrorCode::NoticeNotAccepted => tr!(i18n, "error-notice-not-accepted"),
            ErrorCode::StaleVersion | ErrorCode::PreconditionRequired => {
                tr!(i18n, "error-stale-version")
            }
            _ => tr!(i18n, "error-refused", detail = detail.as_str()),
        },
        ApiError::Server { .. } => tr!(i18n, "error-server"),
    }
}

/// The selector value of a receipt's event type (`event-type`).
pub fn event_type_key(kind: ReceiptEventType) -> &'static str {
    match kind {
        ReceiptEventType::Given => "given",
        ReceiptEventType::Renewed => "renewed",
        ReceiptEventType::Modified => "modified",
        ReceiptEventType::Withdrawn => "withdrawn",
        ReceiptEventType::Expired => "expired",
    }
}

/// The selector value of a consent status (`consent-status`).
pub fn consent_status_key(status: ConsentStatus) -> &'static str {
    match status {
        ConsentStatus::Given => "given",
        ConsentStatus::Withdrawn => "withdrawn",
        ConsentStatus::Expired => "expired",
        ConsentStatus::NotGiven => "not_given",
    }
}

/// The selector value of a yes-or-no choice (`change-contact`, `contact-allowed`).
pub fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// Where the standalone page keeps the language a person chose.
const LANGUAGE_KEY: &str = "ts-language";

/// The language chosen on this browser before, if any.
pub fn chosen_language() -> Option<String> {
    let storage = web_sys::window()?.local_storage().ok()??;
    storage.get_item(LANGUAGE_KEY).ok()?
}

/// Keeps `language` for the next visit (where the browser allows storage).
pub fn remember_language(language: Language) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        // Storage may be full or refused; the choice then lasts this visit only.
        let _ = storage.set_item(LANGUAGE_KEY, language.tag());
    }
}

/// Whether `a` and `b` fall on the same calendar day where the person is.
pub fn same_local_day(a: Timestamp, b: Timestamp) -> bool {
    let day = |at: Timestamp| {
        let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
        (date.get_full_year(), date.get_month(), date.get_date())
    };
    day(a) == day(b)
}

thread_local! {
    /// Each language's catalogue, parsed the first time it is needed.
    static CATALOGUES: [OnceCell<FluentBundle<FluentResource>>; 2] = const { [OnceCell::new(), OnceCell::new()] };
}

fn bundle(language: Language) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = language.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![id]);
    // The app sets the page's `lang` and never mixes scripts; isolation marks
    // would only get in the way of copying and searching the text.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match language {
        Language::English => format_number::<0>,
        Language::German => format_number::<1>,
    }));
    for source in language.sources() {
        // The catalogues are part of the build and checked by a test, so a
        // syntax error cannot reach a person; keep what did parse.
        let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
        bundle.add_resource_overriding(resource);
    }
    bundle
}

/// Formats numbers through `Intl.NumberFormat` (`1,234` or `1.234`).
fn format_number<const LANGUAGE: usize>(
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

/// The browser's preferred languages, best first.
fn browser_languages() -> Vec<String> {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let languages: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    if languages.is_empty() {
        navigator.language().into_iter().collect()
    } else {
        languages
    }
}

/// A `'static` copy of a locale tag. A page sees one or two tags, so keeping
/// each one for good costs a few bytes once.
fn intern(tag: &str) -> &'static str {
    thread_local! {
        static TAGS: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    TAGS.with(|tags| {
        let mut tags = tags.borrow_mut();
        if let Some(known) = tags.iter().find(|known| **known == tag) {
            return *known;
        }
        let leaked: &'static str = Box::leak(tag.to_owned().into_boxed_str());
        tags.push(leaked);
        leaked
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

    use super::Language;

    /// Every message id and attribute of a language's catalogue, plus the
    /// variables each message uses.
    fn keys(language: Language) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for source in language.sources() {
            let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| {
                panic!(
                    "the {} catalogue does not parse: {errors:?}",
                    language.tag()
                )
            });
            for entry in resource.body {
                if let Entry::Message(message) = entry {
                    let id = message.id.name;
                    assert!(keys.insert(id.to_owned()), "{id} is defined twice");
                    if let Some(value) = &message.value {
                        for variable in variables(value) {
                            keys.insert(format!("{id} ${variable}"));
                        }
                    }
                    for attribute in message.attributes {
                        keys.insert(format!("{id}.{}", attribute.id.name));
                    }
                }
            }
        }
        keys
    }

    fn variables<'s>(pattern: &Pattern<&'s str>) -> BTreeSet<&'s str> {
        let mut found = BTreeSet::new();
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                collect(expression, &mut found);
            }
        }
        found
    }

    fn collect<'s>(expression: &Expression<&'s str>, found: &mut BTreeSet<&'s str>) {
        let inline = |inline: &InlineExpression<&'s str>, found: &mut BTreeSet<&'s str>| {
            if let InlineExpression::VariableReference { id } = inline {
                found.insert(id.name);
            }
        };
        match expression {
            Expression::Inline(expression) => inline(expression, found),
            Expression::Select { selector, variants } => {
                inline(selector, found);
                for variant in variants {
                    found.extend(variables(&variant.value));
                }
            }
        }
    }

    #[test]
    fn every_language_has_every_key_and_value_of_english() {
        let english = keys(Language::English);
        assert!(english.len() > 150, "the English catalogue looks cut short");
        for language in Language::ALL {
            let other = keys(language);
            let missing: Vec<_> = english.difference(&other).collect();
            let extra: Vec<_> = other.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "the {} catalogue lacks {missing:?} and has keys English lacks: {extra:?}",
                language.tag()
            );
        }
    }

    #[test]
    fn languages_are_negotiated_by_their_primary_subtag() {
        assert_eq!(Language::negotiate(["de-CH"]), Some(Language::German));
        assert_eq!(Language::negotiate(["fr-FR", "de"]), Some(Language::German));
        assert_eq!(Language::negotiate(["EN_gb"]), Some(Language::English));
        assert_eq!(Language::negotiate(["fr", "it"]), None);
    }
}

//! Every user-facing text of the app, in one place: the Fluent catalogues
//! under `locales/<language>/`.
//!
//! Components never spell out a sentence: they ask the [`I18n`] of the page
//! for a message by its key, with `tr!`. Numbers, dates, times
//! and lists are formatted by the browser's `Intl` in the page's locale and
//! the person's time zone.

use leptos::prelude::*;

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

/// A language's catalogue files (`catalogue_files!("de")`), in the order they are loaded.
macro_rules! catalogue_files {
    ($language:literal) => {
        [
            include_str!(concat!("../../locales/", $language, "/app.ftl")),
            include_str!(concat!("../../locales/", $language, "/history.ftl")),
        ]
    };
}

// After `tr!`, so that every module below can use it.
mod catalogue;
mod intl;
mod language;
#[cfg(test)]
mod tests;
mod words;

use language::{browser_languages, intern};

pub use catalogue::{load_catalogue, CatalogueState, ShownCatalogue};
pub use intl::{capitalized, lowercase, same_local_day};
pub use language::{chosen_language, remember_language, Language};
pub use words::{
    change_phrase, change_text, consent_status_key, error_text, event_type_key, role_key, yes_no,
};

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
}

/// The [`I18n`] of the app this component is part of.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or(I18n::of(Language::English))
}

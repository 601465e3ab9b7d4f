//! The languages the app speaks, and which one a person gets: asked for by
//! the host, chosen before on this browser, or preferred by the browser.

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

    /// The catalogue's files, in the order they are loaded. (The split
    /// build keeps each language's in a chunk of its own: `catalogue.rs`.)
    #[cfg(not(feature = "split"))]
    pub(super) fn sources(self) -> [&'static str; 2] {
        match self {
            Language::English => catalogue_files!("en"),
            Language::German => catalogue_files!("de"),
        }
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

/// The browser's preferred languages, best first.
pub(super) fn browser_languages() -> Vec<String> {
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
pub(super) fn intern(tag: &str) -> &'static str {
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

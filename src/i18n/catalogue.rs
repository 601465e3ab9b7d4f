//! Messages from the Fluent catalogues, each language's parsed once.
//!
//! The split build fetches only the language shown: each catalogue is a
//! chunk of its own, loaded (see [`load_catalogue`]) before the page
//! shows a word of it. Unsplit, every catalogue is compiled in.

use std::cell::OnceCell;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};
use futures::channel::oneshot;
use leptos::prelude::*;
use unic_langid::LanguageIdentifier;

use super::intl::format_number;
use super::{I18n, Language};

impl I18n {
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
                let sources = sources(language)?;
                let bundle =
                    catalogues[language as usize].get_or_init(|| bundle(language, sources));
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
}

thread_local! {
    /// Each language's catalogue, parsed the first time it is needed.
    static CATALOGUES: [OnceCell<FluentBundle<FluentResource>>; 2] = const { [OnceCell::new(), OnceCell::new()] };
}

fn bundle(language: Language, sources: [&'static str; 2]) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = language.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![id]);
    // The app sets the page's `lang` and never mixes scripts; isolation marks
    // would only get in the way of copying and searching the text.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match language {
        Language::English => format_number::<0>,
        Language::German => format_number::<1>,
    }));
    for source in sources {
        // The catalogues are part of the build and checked by a test, so a
        // syntax error cannot reach a person; keep what did parse.
        let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
        bundle.add_resource_overriding(resource);
    }
    bundle
}

/// Whether `language`'s catalogue is here to be shown.
fn catalogue_ready(language: Language) -> bool {
    sources(language).is_some()
}

/// Where the catalogue of the language shown stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogueState {
    Loading,
    Ready,
    Failed,
}

/// The catalogue of the language shown, as the app provides it: a `Copy`
/// handle. The routes exist before it arrives, so that a deep link's screen
/// asks for its code and data at once; every view that says a word waits
/// for it (see [`ShownCatalogue::ready`]).
#[derive(Clone, Copy)]
pub struct ShownCatalogue {
    i18n: RwSignal<I18n>,
    state: RwSignal<CatalogueState>,
    /// Screens waiting to be built, woken when the catalogue is here.
    waiting: StoredValue<Vec<oneshot::Sender<()>>>,
}

impl ShownCatalogue {
    /// Starts fetching the catalogue of `i18n`'s language unless it is here.
    pub fn start(i18n: RwSignal<I18n>) -> ShownCatalogue {
        let catalogue = ShownCatalogue {
            i18n,
            state: RwSignal::new(CatalogueState::Loading),
            waiting: StoredValue::new(Vec::new()),
        };
        if catalogue_ready(i18n.get_untracked().language()) {
            catalogue.set(CatalogueState::Ready);
        } else {
            catalogue.fetch();
        }
        catalogue
    }

    /// Where it stands (tracked).
    pub fn state(self) -> CatalogueState {
        self.state.get()
    }

    /// Fetches it (again, after a failure).
    pub fn fetch(self) {
        let language = self.i18n.get_untracked().language();
        self.set(CatalogueState::Loading);
        leptos::task::spawn_local(async move {
            self.set(match load_catalogue(language).await {
                Ok(()) => CatalogueState::Ready,
                Err(_) => CatalogueState::Failed,
            });
        });
    }

    /// Waits until it is here; at once when it is.
    pub async fn ready(self) {
        if self.state.try_get_untracked() == Some(CatalogueState::Ready) {
            return;
        }
        let (sender, receiver) = oneshot::channel();
        self.waiting
            .try_update_value(|waiting| waiting.push(sender));
        if receiver.await.is_err() {
            // The app is gone: whatever waited is never to be built.
            std::future::pending::<()>().await;
        }
    }

    fn set(self, state: CatalogueState) {
        self.state.try_set(state);
        if state == CatalogueState::Ready {
            let waiting = self.waiting.try_update_value(std::mem::take);
            for sender in waiting.into_iter().flatten() {
                let _ = sender.send(());
            }
        }
    }
}

/// Fetches `language`'s catalogue unless it is here already.
pub async fn load_catalogue(language: Language) -> Result<(), crate::screens::ChunkMissing> {
    #[cfg(feature = "split")]
    if sources(language).is_none() {
        let sources = match language {
            Language::English => english().await?,
            Language::German => german().await?,
        };
        FETCHED.with(|fetched| {
            let _ = fetched[language as usize].set(sources);
        });
    }
    #[cfg(not(feature = "split"))]
    let _ = language;
    Ok(())
}

#[cfg(not(feature = "split"))]
fn sources(language: Language) -> Option<[&'static str; 2]> {
    Some(language.sources())
}

#[cfg(feature = "split")]
fn sources(language: Language) -> Option<[&'static str; 2]> {
    FETCHED.with(|fetched| fetched[language as usize].get().copied())
}

#[cfg(feature = "split")]
thread_local! {
    /// Each language's catalogue files, once fetched.
    static FETCHED: [OnceCell<[&'static str; 2]>; 2] = const { [OnceCell::new(), OnceCell::new()] };
}

#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(catalogue_en, wasm_split_path = ::leptos::wasm_split, fallible)]
fn english() -> Result<[&'static str; 2], crate::screens::ChunkMissing> {
    Ok(catalogue_files!("en"))
}

#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(catalogue_de, wasm_split_path = ::leptos::wasm_split, fallible)]
fn german() -> Result<[&'static str; 2], crate::screens::ChunkMissing> {
    Ok(catalogue_files!("de"))
}

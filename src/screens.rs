//! Every screen but the settings list, as a route whose view code loads on
//! first use.
//!
//! Each screen is a [`LazyRoute`]: `data` and `preload` run in the main
//! module the moment the address is known (the routes exist before the
//! page's words arrive); `data` asks for the screen's first answers (see
//! `crate::api::early`), `preload` for its code. `view` builds the screen
//! once the words are here, reads included, with code that the release
//! build (`cargo xtask dist`, feature `split`) moves into a chunk of its
//! own. The screen's reads take the answers already coming, so the words,
//! the chunk and the data travel side by side and a deep link waits for the
//! slowest of them, never for one after another. Keeping the reads (and
//! what they parse) out of `data` keeps them out of the main module too.
//! Without the feature (`trunk serve`, the browser tests) the same functions
//! are called directly.
//!
//! A chunk that cannot be fetched (offline, a failing proxy) shows what
//! failed and a Retry button, which fetches it afresh.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::LazyRoute;

use crate::components::focus::focus;
use crate::i18n::{use_i18n, ShownCatalogue};
use crate::pages::{
    ask_certificate_early, ask_faqs_early, ask_history_early, ask_notice_early, ask_receipt_early,
    read_certificate, read_faqs, read_history, read_notice, read_receipt, CertificatePage, FaqPage,
    HistoryPage as HistoryView, NoticePage, ReceiptPage, SettingPanel,
};

/// A chunk of the page that could not be fetched.
#[derive(Debug, Clone, Copy)]
pub struct ChunkMissing;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkMissing {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> ChunkMissing {
        ChunkMissing
    }
}

/// `fn name(screen: Data) -> AnyView { … }` whose body lives in the chunk
/// `chunk` of the split build; called as `name(screen).await`, it answers
/// `Err(ChunkMissing)` when that chunk cannot be fetched. `preload().await`
/// fetches the chunk without building anything (split build only).
macro_rules! in_chunk {
    ($chunk:ident, $preload:ident: fn $name:ident($screen:ident: $data:ty) -> AnyView $body:block) => {
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible, preload($preload))]
        fn $name($screen: $data) -> Result<AnyView, ChunkMissing> {
            Ok($body)
        }

        #[cfg(not(feature = "split"))]
        async fn $name($screen: $data) -> Result<AnyView, ChunkMissing> {
            Ok($body)
        }
    };
}

/// Waits for the words of the language shown: a screen is built with them.
async fn words_ready() {
    if let Some(catalogue) = use_context::<ShownCatalogue>() {
        catalogue.ready().await;
    }
}

/// The view `load` builds, or (when its chunk cannot be fetched) what
/// failed, with a Retry button that tries again and then shows the view.
async fn shown<Fut>(load: impl Fn() -> Fut + Copy + Send + Sync + 'static) -> AnyView
where
    Fut: Future<Output = Result<AnyView, ChunkMissing>> + 'static,
{
    match load().await {
        Ok(view) => view,
        Err(ChunkMissing) => view! { <ChunkFailed load /> }.into_any(),
    }
}

/// A screen whose code could not be fetched, with a way to try again.
#[component]
fn ChunkFailed<Fut>(load: impl Fn() -> Fut + Copy + Send + Sync + 'static) -> impl IntoView
where
    Fut: Future<Output = Result<AnyView, ChunkMissing>> + 'static,
{
    let t = use_i18n();
    let loaded = StoredValue::new_local(None::<AnyView>);
    let attempt = RwSignal::new(Attempt::Failed);
    let root = NodeRef::<leptos::html::Div>::new();
    // The screen is built when its code arrives: under this owner, whose
    // context (session, route, ids) it needs.
    let owner = StoredValue::new_local(Owner::current().unwrap_or_default());
    let retry = move |_| {
        attempt.set(Attempt::Trying);
        let owner = owner.get_value();
        owner.with(|| {
            leptos::task::spawn_local_scoped_with_cancellation(async move {
                match load().await {
                    Ok(view) => {
                        loaded.set_value(Some(view));
                        attempt.set(Attempt::Loaded);
                        // The button is gone: carry focus to the screen's heading.
                        request_animation_frame(move || {
                            let heading = root
                                .get_untracked()
                                .and_then(|root| root.query_selector("h1, h2").ok().flatten());
                            if let Some(heading) = heading {
                                let _ = heading.set_attribute("tabindex", "-1");
                                focus(&heading);
                            }
                        });
                    }
                    Err(ChunkMissing) => attempt.set(Attempt::Failed),
                }
            })
        });
    };
    let content = move || match attempt.get() {
        Attempt::Loaded => loaded
            .try_update_value(Option::take)
            .flatten()
            .unwrap_or_else(|| ().into_any()),
        state => view! {
            <CodeMissing
                message=move || tr!(t, "screen-load-failed")
                retry_label=move || tr!(t, "retry")
                trying=state == Attempt::Trying
                on_retry=retry
            />
        }
        .into_any(),
    };
    view! { <div class="ts-chunk" node_ref=root>{content}</div> }
}

/// What failed to load, in the place of what should be there, with a way
/// to try again (disabled while trying).
#[component]
pub fn CodeMissing(
    /// What could not be loaded, as the alert says it.
    #[prop(into)]
    message: ViewFn,
    /// The button's label.
    #[prop(into)]
    retry_label: ViewFn,
    /// A try is on its way: the button waits.
    #[prop(optional)]
    trying: bool,
    /// Tries again.
    on_retry: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    view! {
        <div class="ts-page">
            <div class="ts-load-failed">
                <p role="alert">{message.run()}</p>
                <button type="button" class="ts-button" disabled=trying on:click=on_retry>
                    {retry_label.run()}
                </button>
            </div>
        </div>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attempt {
    Failed,
    Trying,
    Loaded,
}

/// A screen's route: `data` asks for the screen's first answers, `view`
/// builds the screen (whose reads take those answers) with code from `chunk`.
macro_rules! lazy_screen {
    ($(#[$doc:meta])* $screen:ident, $(early: $early:expr,)? in $chunk:ident (preload $preload:ident), $view:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $screen;

        in_chunk!($chunk, $preload: fn $chunk(_screen: $screen) -> AnyView {
            $view.into_any()
        });

        impl LazyRoute for $screen {
            fn data() -> Self {
                $($early;)?
                $screen
            }

            // The router calls this the moment the address matches, before
            // the words are here: the code is on its way at once.
            async fn preload() {
                #[cfg(feature = "split")]
                fetch_early($preload());
            }

            async fn view(this: Self) -> AnyView {
                words_ready().await;
                shown(move || $chunk(this)).await
            }
        }
    };
}

lazy_screen!(
    /// `/settings/<setting>`: a setting's panel over the list (its data is
    /// the settings, which the app reads from the start).
    PanelScreen, in panel_screen (preload preload_panel),
    view! { <SettingPanel /> }
);

lazy_screen!(
    /// `/faq`: both programs' questions.
    FaqScreen, early: ask_faqs_early(), in faq_screen (preload preload_faq),
    view! { <FaqPage faqs=read_faqs() /> }
);

lazy_screen!(
    /// `/notices/<id>` and `/notices/<id>/versions/<n>`: a notice in full.
    NoticeScreen, early: ask_notice_early(), in notice_screen (preload preload_notice),
    view! { <NoticePage notice=read_notice() /> }
);

lazy_screen!(
    /// `/history`: the consent history.
    HistoryScreen, early: ask_history_early(), in history_screen (preload preload_history),
    view! { <HistoryView first=read_history() /> }
);

lazy_screen!(
    /// `/history/receipts/<id>`: one receipt.
    ReceiptScreen, early: ask_receipt_early(), in receipt_screen (preload preload_receipt),
    view! { <ReceiptPage issued=read_receipt() /> }
);

lazy_screen!(
    /// `/history/deletions/<event>`: an opt-out's deletion certificate.
    CertificateScreen, early: ask_certificate_early(), in certificate_screen (preload preload_certificate),
    view! { <CertificatePage certificate=read_certificate() /> }
);

/// Once the list is live, fetches the panels' code while the person reads
/// it (a setting's panel is what they open next), so that opening one waits
/// for nothing; not where the connection asks to save data. Only the split
/// build has code to fetch.
pub fn prefetch_panel_code() {
    #[cfg(feature = "split")]
    {
        let prefetch = || {
            if !saves_data() {
                fetch_early(preload_panel());
            }
        };
        // Where the browser has no idle callbacks, right after this task.
        if leptos::prelude::request_idle_callback_with_handle(prefetch).is_err() {
            set_timeout(prefetch, std::time::Duration::ZERO);
        }
    }
}

/// Whether the person's browser asks to save data (`Save-Data`).
#[cfg(feature = "split")]
fn saves_data() -> bool {
    let connection = js_sys::Reflect::get(&window().navigator(), &"connection".into());
    connection
        .and_then(|connection| js_sys::Reflect::get(&connection, &"saveData".into()))
        .is_ok_and(|save| save.is_truthy())
}

/// Runs a chunk's preload; a failure is the screen's to show (with its
/// Retry) when the screen is built.
#[cfg(feature = "split")]
fn fetch_early(
    preload: impl Future<Output = Result<(), leptos::wasm_split::SplitLoaderError>> + 'static,
) {
    leptos::task::spawn_local(async {
        let _ = preload.await;
    });
}

//! How every screen shows a read: a placeholder while it loads (and, after
//! a while, that the server is slow), what failed with a way to try again,
//! or the screen's content.

use leptos::prelude::*;

use crate::data::{Read, ReadState, ReadStatus};
use crate::i18n::{error_text, use_i18n};

/// Shows `read` as loading, failed or ready.
#[component]
pub fn ReadView<T, F, V>(
    /// The read to show.
    read: Read<T>,
    /// The alert's first sentence when the read failed ("The history could not be loaded.").
    #[prop(into)]
    failed: Signal<String>,
    /// The placeholder while the read loads, with its status line.
    #[prop(into)]
    loading: ViewFn,
    /// The screen's content for the answer.
    ready: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let phase = Memo::new(move |_| read.phase());
    let status = ReadStatus::from(read);
    move || match phase.get() {
        ReadState::Loading => view! {
            {loading.run()}
            <SlowNote status />
        }
        .into_any(),
        ReadState::Failed(_) => view! {
            <div class="ts-load-failed">
                <ReadFailed status lead=failed />
            </div>
        }
        .into_any(),
        ReadState::Ready(()) => match read.value_untracked() {
            Some(value) => ready(value).into_any(),
            None => ().into_any(),
        },
    }
}

/// What went wrong (announced), the countdown to the next try the page makes
/// by itself, and a button to try now.
#[component]
pub fn ReadFailed(
    /// The read that failed.
    status: ReadStatus,
    /// The first sentence, saying what could not be loaded.
    #[prop(into)]
    lead: Signal<String>,
) -> impl IntoView {
    let t = use_i18n();
    let trouble = Memo::new(move |_| status.trouble.get());
    let message = move || {
        let trouble = trouble.get()?;
        Some(format!(
            "{} {}",
            lead.get(),
            error_text(t, &trouble.error, None)
        ))
    };
    let countdown = move || trouble.get().and_then(|t| t.retry_in);
    view! {
        <p class="ts-read-trouble__message" role="alert">
            {message}
        </p>
        {move || {
            trouble
                .get()
                .map(|_| {
                    let label = if countdown().is_some() {
                        tr!(t, "retry-now")
                    } else {
                        tr!(t, "retry")
                    };
                    view! {
                        <p class="ts-read-trouble__countdown">
                            {move || countdown().map(|seconds| tr!(t, "retrying-in", seconds = seconds))}
                        </p>
                        <button type="button" class="ts-button" on:click=move |_| status.retry.run(())>
                            {label}
                        </button>
                    }
                })
        }}
    }
}

/// Says, once a read has waited a while, that the server is slow and the page is still waiting.
#[component]
pub fn SlowNote(
    /// The read that may be slow.
    status: ReadStatus,
) -> impl IntoView {
    let t = use_i18n();
    view! {
        <p class="ts-note ts-note--progress" role="status">
            {move || status.slow.get().then(|| tr!(t, "server-slow"))}
        </p>
    }
}

//! A notice read in full over a setting's panel, so the panel keeps whatever
//! the person has done in it.

use consent_core::NoticeRef;
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::focus::{focus, trap_tab};
use super::fragment::reveal;
use super::notice_view::NoticeView;
use crate::i18n::{error_text, use_i18n};
use crate::notices::use_shown_languages;
use crate::routes::{self, use_ids, use_route_base};
use crate::session::use_session;

/// A modal dialog showing one notice version in full, with a link to its own page.
///
/// Links inside it to another of the `related` notices open that one here;
/// links to a section of the shown notice scroll to it. Escape and the close
/// buttons close it; focus stays inside while it is open.
#[component]
pub fn NoticeReader(
    /// The notice version to show first.
    notice: NoticeRef,
    /// Notices that links inside the text open in this same dialog.
    related: Vec<NoticeRef>,
    /// Called when the person closes the dialog.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let t = use_i18n();
    let ids = use_ids();
    let base = use_route_base();
    let session = use_session();
    let shown_languages = use_shown_languages();
    let showing = RwSignal::new((notice.id, notice.version));
    let document = LocalResource::new(move || {
        let (id, version) = showing.get();
        let client = session.client();
        async move {
            let document = client
                .get_notice_version(&id, version, t.lang_tag())
                .await?;
            shown_languages.record(&document);
            Ok(document)
        }
    });
    let title_id = ids.id("reader-title");
    let prefix = ids.id("reader-section-");
    let dialog = NodeRef::<html::Div>::new();
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            focus(&heading);
        }
    });

    let related = StoredValue::new(related);
    let section_prefix = prefix.clone();
    // `/notices/<id>[/v/<n>][#section]`: another related notice opens here,
    // a section of the shown one is scrolled to; anything else is followed.
    let on_app_link = Callback::new(move |link: String| {
        let Some(rest) = link.strip_prefix("/notices/") else {
            return false;
        };
        let (path, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        let id = path.split('/').next().unwrap_or_default();
        let (shown, _) = showing.get_untracked();
        if id == shown && !fragment.is_empty() {
            reveal(&format!("{section_prefix}{fragment}"));
            return true;
        }
        let other = related.with_value(|r| r.iter().find(|n| n.id == id).cloned());
        match other {
            Some(other) if fragment.is_empty() => {
                showing.set((other.id, other.version));
                if let Some(heading) = heading.get_untracked() {
                    focus(&heading);
                }
                true
            }
            _ => false,
        }
    });

    let on_keydown = move |ev: KeyboardEvent| {
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                on_close.run(());
            }
            "Tab" => {
                if let Some(dialog) = dialog.get_untracked() {
                    trap_tab(&dialog, &ev);
                }
            }
            _ => return,
        }
        // The panel around the reader must not act on the same key.
        ev.stop_propagation();
    };

    let title = move || match document.get() {
        Some(Ok(document)) => document.title,
        _ => {
            let (id, version) = showing.get();
            let name = tr!(t, "notice-name", id = id.as_str());
            tr!(t, "read-notice", name = name, version = version)
        }
    };
    let full_page = move || {
        let (id, version) = showing.get();
        base.href(&routes::notice_version(&id, version))
    };
    let title_id_ref = title_id.clone();
    view! {
        <div class="ts-confirm-layer ts-reader-layer">
            <div
                class="ts-reader"
                role="dialog"
                aria-modal="true"
                aria-labelledby=title_id_ref
                node_ref=dialog
                on:keydown=on_keydown
            >
                <div class="ts-reader__header">
                    <h2 class="ts-reader__title" id=title_id tabindex="-1" node_ref=heading>
                        {title}
                    </h2>
                    <button
                        type="button"
                        class="ts-panel__close"
                        title=tr!(t, "reader-close")
                        on:click=move |_| on_close.run(())
                    >
                        <span aria-hidden="true">"×"</span>
                        <span class="ts-visually-hidden">{tr!(t, "reader-close")}</span>
                    </button>
                </div>
                <div class="ts-reader__body ts-notice">
                    {move || match document.get() {
                        None => view! {
                            <div aria-busy="true">
                                <p class="ts-note" role="status">{tr!(t, "loading-notice")}</p>
                                <span class="ts-skeleton ts-skeleton--line" aria-hidden="true"></span>
                                <span class="ts-skeleton ts-skeleton--line" aria-hidden="true"></span>
                                <span class="ts-skeleton ts-skeleton--line" aria-hidden="true"></span>
                            </div>
                        }
                        .into_any(),
                        Some(Err(error)) => view! {
                            <p class="ts-alert" role="alert">
                                {format!("{} {}", tr!(t, "notice-load-failed"), error_text(t, &error, None))}
                            </p>
                        }
                        .into_any(),
                        Some(Ok(document)) => {
                            let meta = tr!(
                                t, "notice-version-line",
                                version = document.version,
                                effective = t.calendar_date(document.effective_date),
                            );
                            view! {
                                <p class="ts-notice__meta">{meta}</p>
                                <NoticeView
                                    document
                                    id_prefix=prefix.clone()
                                    heading_level=3
                                    on_app_link
                                />
                            }
                            .into_any()
                        }
                    }}
                </div>
                <div class="ts-reader__footer">
                    <a href=full_page>{tr!(t, "open-full-page")}</a>
                    <button type="button" class="ts-button" on:click=move |_| on_close.run(())>
                        {tr!(t, "close-panel")}
                    </button>
                </div>
            </div>
        </div>
    }
}

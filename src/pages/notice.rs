//! A notice in full (`/notices/<id>`, `/notices/<id>/v/<version>`): title,
//! version, effective date, contents, text and every published version.

use consent_core::NoticeVersionSummary;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::ApiError;
use crate::components::fragment::follow_fragment;
use crate::components::{NoticeChanges, NoticeView, ReadView};
use crate::data::{ask_early, use_read, Read};
use crate::i18n::use_i18n;
use crate::notices::{load_notice, use_shown_languages, NoticeWithVersions};
use crate::routes::{self, use_ids, use_route_base, FAQ, SETTINGS};
use crate::session::use_session;
use wasm_bindgen::JsCast;

/// The notice and the version (as written) the address names.
fn named_notice() -> Memo<(String, Option<String>)> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| (p.get("id").unwrap_or_default(), p.get("version"))))
}

/// Asks for what [`read_notice`] reads first while the notice's code is on
/// its way: the list of versions and, when the address names one, that version.
pub fn ask_notice_early() {
    let t = use_i18n();
    let named = named_notice();
    ask_early(move |client, _tenant| {
        let (id, version) = named.get();
        let mut requests = vec![client.notice_versions_request(&id)];
        if let Some(version) = version.and_then(|v| v.parse::<u32>().ok()) {
            requests.push(client.notice_version_request(&id, version, t.lang_tag()));
        }
        requests
    });
}

/// Starts reading the notice named in the address, at the version named
/// there or its current one; `None` when there is no such notice or version.
pub fn read_notice() -> Read<Option<NoticeWithVersions>> {
    let t = use_i18n();
    let shown_languages = use_shown_languages();
    let wanted = named_notice();
    use_read(move |client, _tenant| {
        let (id, version) = wanted.get();
        async move {
            let version = match version {
                None => None,
                Some(text) => match text.parse::<u32>() {
                    Ok(version) => Some(version),
                    Err(_) => return Ok(None),
                },
            };
            match load_notice(&client, &id, version, t.lang_tag()).await {
                Ok(notice) => {
                    shown_languages.record(&notice.document);
                    Ok(Some(notice))
                }
                Err(ApiError::NotFound) => Ok(None),
                Err(error) => Err(error),
            }
        }
    })
}

/// The notice named in the address, at the version named there or its current one.
#[component]
pub fn NoticePage(
    /// The notice, read with [`read_notice`].
    notice: Read<Option<NoticeWithVersions>>,
) -> impl IntoView {
    let t = use_i18n();
    let ids = use_ids();
    let base = use_route_base();
    let loaded = Signal::derive(move || notice.is_ready());
    follow_fragment(loaded, move |section| ids.id(&format!("n-{section}")));

    let article = move |notice: Option<NoticeWithVersions>| match notice {
        Some(notice) => view! { <NoticeArticle notice /> }.into_any(),
        None => view! {
            <h1 class="ts-page__title">{tr!(t, "not-found-heading")}</h1>
            <p>{tr!(t, "not-found-body")}</p>
        }
        .into_any(),
    };

    view! {
        <div class="ts-page ts-notice-page">
            <p class="ts-page__nav ts-no-print">
                <a href=base.href(SETTINGS)>{tr!(t, "back-to-settings")}</a>
                <a href=base.href(FAQ)>{tr!(t, "faq-heading")}</a>
            </p>
            <ReadView
                read=notice
                failed=Signal::derive(move || tr!(t, "notice-load-failed"))
                loading=move || view! {
                    <div aria-busy="true">
                        <p class="ts-visually-hidden" role="status">
                            {tr!(t, "loading-notice")}
                        </p>
                        <span class="ts-skeleton ts-skeleton--title" aria-hidden="true"></span>
                        <span class="ts-skeleton ts-skeleton--line" aria-hidden="true"></span>
                        <span class="ts-skeleton ts-skeleton--line" aria-hidden="true"></span>
                    </div>
                }
                ready=article
            />
        </div>
    }
}

/// The loaded notice: header, contents, text and versions.
#[component]
fn NoticeArticle(
    /// The notice at the version to show, with all its versions.
    notice: NoticeWithVersions,
) -> impl IntoView {
    let t = use_i18n();
    let ids = use_ids();
    let base = use_route_base();
    let current = notice.current_version();
    let NoticeWithVersions { document, versions } = notice;
    let shown = document.version;
    let id = document.id.clone();
    let title_id = ids.id("notice-title");
    let contents_id = ids.id("notice-contents");
    let versions_id = ids.id("notice-versions");
    let meta = tr!(
        t,
        "notice-version-line",
        version = shown,
        effective = t.calendar_date(document.effective_date),
    );
    let older = (shown != current).then(|| {
        view! {
            <p class="ts-note ts-note--info">
                {tr!(t, "older-version-note", current = current)} " "
                <a href=base.href(&routes::notice(&id))>{tr!(t, "read-current-version")}</a>
            </p>
        }
    });
    let summary = document.change_summary.as_deref().map(
        |s| view! { <p class="ts-notice__summary">{tr!(t, "change-summary", summary = s)}</p> },
    );
    let previous = versions
        .iter()
        .map(|v| v.version)
        .filter(|version| *version < shown)
        .max();
    let changes = previous.map(|from| view! { <ChangesSince id=id.clone() from to=shown /> });
    let contents = document
        .sections
        .iter()
        .map(|section| {
            view! {
                <li>
                    <a href=format!("#{}", section.id) data-noscroll="">
                        {section.heading.clone()}
                    </a>
                </li>
            }
        })
        .collect_view();
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    let title_id_ref = title_id.clone();
    let contents_id_ref = contents_id.clone();
    let versions_id_ref = versions_id.clone();
    view! {
        <article class="ts-notice" aria-labelledby=title_id_ref>
            <header class="ts-notice__header">
                <h1 class="ts-page__title" id=title_id>
                    {document.title.clone()}
                </h1>
                <p class="ts-notice__meta">{meta}</p>
                {older}
                {summary}
                {changes}
                <div class="ts-actions ts-no-print">
                    <button type="button" class="ts-button" on:click=print>
                        {tr!(t, "print")}
                    </button>
                </div>
            </header>
            <nav class="ts-toc" aria-labelledby=contents_id_ref>
                <h2 class="ts-toc__title" id=contents_id>
                    {tr!(t, "contents")}
                </h2>
                <ol class="ts-toc__list">{contents}</ol>
            </nav>
            <div class="ts-notice__body">
                <NoticeView document id_prefix=ids.id("n-") />
            </div>
            <section class="ts-versions ts-no-print" aria-labelledby=versions_id_ref>
                <h2 class="ts-versions__title" id=versions_id>
                    {tr!(t, "versions-heading")}
                </h2>
                <ol class="ts-versions__list" reversed>
                    {versions
                        .into_iter()
                        .rev()
                        .map(|version| view! { <VersionItem version shown current /> })
                        .collect_view()}
                </ol>
            </section>
        </article>
    }
}

/// One published version in the list: a link to it, whether it is current,
/// whether it asked for acceptance again, and what changed.
#[component]
fn VersionItem(
    /// The version to list.
    version: NoticeVersionSummary,
    /// The version the page shows.
    shown: u32,
    /// The current version.
    current: u32,
) -> impl IntoView {
    let t = use_i18n();
    let base = use_route_base();
    let label = tr!(
        t,
        "notice-version-line",
        version = version.version,
        effective = t.calendar_date(version.effective_date),
    );
    let href = base.href(&routes::notice_version(&version.id, version.version));
    let is_shown = version.version == shown;
    let kind = (version.version > 1).then_some(if version.material_change {
        tr!(t, "material-change")
    } else {
        tr!(t, "minor-change")
    });
    view! {
        <li class="ts-versions__item">
            <a href=href aria-current=is_shown.then_some("page")>
                {label}
            </a>
            {(version.version == current)
                .then(|| view! { <span class="ts-tag">{tr!(t, "current-version")}</span> })}
            {kind.map(|kind| view! { <span class="ts-tag ts-tag--muted">{kind}</span> })}
            {version
                .change_summary
                .map(|summary| view! { <p class="ts-versions__summary">{summary}</p> })}
        </li>
    }
}

/// "What changed since version N": the words that changed from the version
/// before, read when the person opens it.
#[component]
fn ChangesSince(
    /// The notice.
    id: String,
    /// The version compared from (the one before `to`).
    from: u32,
    /// The version shown.
    to: u32,
) -> impl IntoView {
    let t = use_i18n();
    let session = use_session();
    let opened = RwSignal::new(false);
    let diff = LocalResource::new(move || {
        let open = opened.get();
        let client = session.client();
        let id = id.clone();
        async move {
            if !open {
                return None;
            }
            Some(client.get_notice_diff(&id, from, to, t.lang_tag()).await)
        }
    });
    let on_toggle = move |event: web_sys::Event| {
        let open = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlDetailsElement>().ok())
            .is_some_and(|details| details.open());
        if open {
            opened.set(true);
        }
    };
    view! {
        <details class="ts-notice__changes ts-no-print" on:toggle=on_toggle>
            <summary>{tr!(t, "notice-diff-summary", from = from)}</summary>
            {move || match diff.get().flatten() {
                None => view! {
                    <p class="ts-note" role="status">{tr!(t, "notice-diff-loading", from = from)}</p>
                }
                .into_any(),
                Some(Err(_)) => view! {
                    <p class="ts-note ts-note--error">{tr!(t, "notice-diff-failed", from = from)}</p>
                }
                .into_any(),
                Some(Ok(diff)) => {
                    let fallback = (diff.language != t.language().tag())
                        .then(|| view! { <p class="ts-note">{tr!(t, "notice-diff-language", from = from)}</p> });
                    let body = if diff.sections.is_empty() {
                        view! { <p>{tr!(t, "notice-diff-none")}</p> }.into_any()
                    } else {
                        view! { <NoticeChanges sections=diff.sections /> }.into_any()
                    };
                    view! { {fallback} {body} }.into_any()
                }
            }}
        </details>
    }
}

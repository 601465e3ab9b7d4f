//! The banner a panel shows when a notice changed materially since the
//! tenant accepted it: sharing is paused, and what changed.

use consent_core::ProgramId;
use leptos::prelude::*;

use crate::components::NoticeChanges;
use crate::i18n::use_i18n;
use crate::notices::{reacceptance_changes, NoticeChange, NoticeVersionsRead};
use crate::routes::use_ids;
use crate::session::use_session;
use crate::state::use_settings;

/// Kept words shown on either side of a change: enough to read it in context.
const WORDS_AROUND: usize = 8;

/// Asks for re-acceptance and lists, per changed notice, the versions, the
/// publisher's summary and the headings of the sections that changed.
#[component]
pub fn ReconsentBanner(
    /// The program whose notices changed.
    program: ProgramId,
    /// Every version of the program's notices, read by the panel.
    versions: NoticeVersionsRead,
) -> impl IntoView {
    let t = use_i18n();
    let store = use_settings();
    let session = use_session();
    let heading_id = use_ids().id(&format!("{}-reconsent", program.as_str()));
    let changes = LocalResource::new(move || {
        let view = store.program(program);
        let client = session.client();
        let versions = versions.get().flatten();
        async move {
            match (view, versions) {
                (Some(view), Some(Ok(versions))) => {
                    reacceptance_changes(&client, &view, &versions, t.lang_tag())
                        .await
                        .map(Some)
                }
                (Some(_), Some(Err(error))) => Err(error),
                (_, None) => Ok(None),
                (None, _) => Ok(Some(Vec::new())),
            }
        }
    });
    let heading_id_ref = heading_id.clone();
    view! {
        <section class="ts-banner ts-banner--attention" aria-labelledby=heading_id_ref>
            <h3 class="ts-banner__title" id=heading_id>
                {tr!(t, "reconsent-heading")}
            </h3>
            <p>{tr!(t, "reconsent-body")}</p>
            {move || match changes.get() {
                None | Some(Ok(None)) => {
                    view! { <p class="ts-note">{tr!(t, "loading-changes")}</p> }.into_any()
                }
                Some(Err(_)) => view! { <p class="ts-note">{tr!(t, "changes-failed")}</p> }.into_any(),
                Some(Ok(Some(changes))) => changes
                    .into_iter()
                    .map(|change| view! { <ChangedNotice change /> })
                    .collect_view()
                    .into_any(),
            }}
        </section>
    }
}

/// One changed notice: which versions, why, and the words that changed in
/// each section (only the headings when no earlier version was accepted).
#[component]
fn ChangedNotice(
    /// What changed in the notice.
    change: NoticeChange,
) -> impl IntoView {
    let t = use_i18n();
    let name = tr!(t, "notice-name", id = change.id.as_str());
    let what = match change.accepted {
        Some(from) => tr!(
            t,
            "notice-changed",
            name = name,
            from = from,
            to = change.current,
        ),
        None => tr!(
            t,
            "notice-not-yet-accepted",
            name = name,
            version = change.current
        ),
    };
    let sections = (!change.changed_sections.is_empty()).then_some(change.changed_sections);
    let (compared, headings) = match change.accepted {
        Some(_) => (sections, None),
        None => (None, sections),
    };
    view! {
        <div class="ts-banner__notice">
            <p class="ts-banner__what">{what}</p>
            {change
                .summaries
                .into_iter()
                .map(|summary| view! { <p>{tr!(t, "change-summary", summary = summary)}</p> })
                .collect_view()}
            {compared
                .map(|sections| {
                    view! {
                        <p>{tr!(t, "changed-sections-words")}</p>
                        <div class="ts-banner__sections">
                            <NoticeChanges sections context=WORDS_AROUND />
                        </div>
                    }
                })}
            {headings
                .map(|sections| {
                    view! {
                        <p>{tr!(t, "changed-sections")}</p>
                        <ul class="ts-banner__sections">
                            {sections
                                .into_iter()
                                .map(|section| view! { <li>{section.heading}</li> })
                                .collect_view()}
                        </ul>
                    }
                })}
        </div>
    }
}

//! The consent history (`/history?program=<id>`): every recorded change,
//! newest first, a page at a time, with its receipts and a CSV export.

use consent_core::tenant::CONSENT_SERVICE_ACTOR_ID;
use consent_core::{state_changes, ConsentEvent, HistoryPage as HistoryPageData, ProgramId};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::ApiError;
use crate::components::download::{receipt_file_name, save_text, Download, DownloadStatus};
use crate::components::focus::focus;
use crate::components::table::column_label;
use crate::components::ReadView;
use crate::data::use_read;
use crate::i18n::{change_text, error_text, use_i18n, I18n};
use crate::routes::{self, use_ids, use_route_base};
use crate::session::{use_session, Session};

/// Where loading an older page stands.
#[derive(Debug, Clone, PartialEq)]
enum Older {
    Idle,
    Loading,
    Failed(ApiError),
}

/// A `Copy` handle to the rows shown and how to get more.
///
/// One per first page read: a new filter reads a new first page and makes
/// new rows, so an older page asked for under the old filter finds its rows
/// gone and is dropped.
#[derive(Clone, Copy)]
struct HistoryRows {
    events: RwSignal<Vec<ConsentEvent>>,
    next_cursor: RwSignal<Option<String>>,
    older: RwSignal<Older>,
}

impl HistoryRows {
    /// The rows of the newest page.
    fn new(first: HistoryPageData) -> HistoryRows {
        HistoryRows {
            events: RwSignal::new(first.events),
            next_cursor: RwSignal::new(first.next_cursor),
            older: RwSignal::new(Older::Idle),
        }
    }

    /// Appends the next older page.
    fn load_older(self, session: Session, program: Option<ProgramId>) {
        let Some(cursor) = self.next_cursor.get_untracked() else {
            return;
        };
        if self.older.get_untracked() == Older::Loading {
            return;
        }
        self.older.set(Older::Loading);
        let (client, tenant) = (session.client(), session.tenant());
        spawn_local(async move {
            let result = client
                .get_history(&tenant, program, None, Some(&cursor))
                .await;
            match result {
                Ok(page) => {
                    self.events.try_update(|events| events.extend(page.events));
                    self.next_cursor.try_set(page.next_cursor);
                    self.older.try_set(Older::Idle);
                }
                Err(error) => {
                    self.older.try_set(Older::Failed(error));
                }
            }
        });
    }
}

/// The program named by `?program=` (all programs when absent or unknown).
fn program_filter() -> Memo<Option<ProgramId>> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get("program").and_then(|p| ProgramId::parse(&p))))
}

/// Consent history: a table of events, newest first, filtered by program.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let t = use_i18n();
    let h = t;
    let session = use_session();
    let base = use_route_base();
    let ids = use_ids();
    let navigate = StoredValue::new_local(use_navigate());
    let program = program_filter();
    let download = RwSignal::new(Download::Idle);
    let page = NodeRef::<html::Div>::new();
    // The newest page, read again whenever the filter changes.
    let first = use_read(move |client, tenant| {
        let program = program.get();
        async move { client.get_history(&tenant, program, None, None).await }
    });
    let filter_id = ids.id("history-program");
    let choose_program = move |value: String| {
        let chosen = ProgramId::parse(&value);
        if chosen != program.get_untracked() {
            navigate.with_value(|go| go(&routes::history_of(chosen), NavigateOptions::default()));
        }
    };

    let export = move || {
        if matches!(download.get_untracked(), Download::Working(_)) {
            return;
        }
        download.set(Download::Working(tr!(h, "exporting")));
        let (client, tenant) = (session.client(), session.tenant());
        let filter = program.get_untracked();
        spawn_local(async move {
            let result = client.get_history_csv(&tenant, filter).await;
            let outcome = match result {
                Ok(file) => {
                    let name = file
                        .file_name
                        .unwrap_or_else(|| format!("{tenant}-consent-history.csv"));
                    match page.try_get_untracked().flatten() {
                        Some(parent)
                            if save_text(&parent, &name, "text/csv;charset=utf-8", &file.text)
                                .is_ok() =>
                        {
                            Download::Done(tr!(h, "downloaded", file = name))
                        }
                        _ => Download::Failed(tr!(h, "export-failed")),
                    }
                }
                Err(error) => Download::Failed(format!(
                    "{} {}",
                    tr!(h, "export-failed"),
                    error_text(t, &error, None)
                )),
            };
            download.try_set(outcome);
        });
    };

    view! {
        <div class="ts-page ts-history" node_ref=page>
            <p class="ts-page__back">
                <a href=base.href(routes::SETTINGS)>{tr!(h, "back-to-settings")}</a>
            </p>
            <div class="ts-page__header">
                <h1 class="ts-page__title">{tr!(h, "history-heading")}</h1>
                <p class="ts-page__intro">{tr!(h, "history-intro")}</p>
            </div>
            <div class="ts-toolbar">
                <div class="ts-field">
                    <label class="ts-field__label" for=filter_id.clone()>
                        {tr!(h, "program-label")}
                    </label>
                    <select
                        class="ts-field__select"
                        id=filter_id
                        prop:value=move || program.get().map(ProgramId::as_str).unwrap_or("")
                        on:change=move |ev| choose_program(event_target_value(&ev))
                    >
                        <option value="" selected=move || program.get().is_none()>
                            {tr!(h, "all-programs")}
                        </option>
                        {ProgramId::ALL
                            .map(|p| {
                                view! {
                                    <option
                                        value=p.as_str()
                                        selected=move || program.get() == Some(p)
                                    >
                                        {tr!(t, "program-name", program = p.as_str())}
                                    </option>
                                }
                            })}
                    </select>
                </div>
                <button
                    type="button"
                    class="ts-button"
                    aria-disabled=move || {
                        matches!(download.get(), Download::Working(_)).then_some("true")
                    }
                    on:click=move |_| export()
                >
                    {tr!(h, "export-csv")}
                </button>
            </div>
            <DownloadStatus download />
            <ReadView
                read=first
                failed=Signal::derive(move || tr!(h, "history-load-failed"))
                loading=|| view! { <TableSkeleton /> }
                ready=move |first: HistoryPageData| {
                    let rows = HistoryRows::new(first);
                    view! {
                        <HistoryTable events=rows.events.read_only() program=program download page />
                        <OlderEvents rows program page />
                    }
                }
            />
        </div>
    }
}

/// Grey rows where the events will appear, announced as loading.
#[component]
fn TableSkeleton() -> impl IntoView {
    let h = use_i18n();
    view! {
        <div class="ts-history__loading" aria-busy="true">
            <p class="ts-visually-hidden" role="status">
                {tr!(h, "history-loading")}
            </p>
            <div aria-hidden="true">
                {[0; 4]
                    .map(|_| {
                        view! {
                            <div class="ts-history__skeleton-row">
                                <span class="ts-skeleton ts-skeleton--line"></span>
                            </div>
                        }
                    })}
            </div>
        </div>
    }
}

/// The events as a table, or a sentence when there are none.
#[component]
fn HistoryTable(
    /// The events shown, newest first.
    events: ReadSignal<Vec<ConsentEvent>>,
    /// The program filter in force.
    program: Memo<Option<ProgramId>>,
    /// Where per-row receipt downloads report.
    download: RwSignal<Download>,
    /// The page element that download links go into.
    page: NodeRef<html::Div>,
) -> impl IntoView {
    let t = use_i18n();
    let h = t;
    let empty = Memo::new(move |_| events.with(Vec::is_empty));
    move || {
        if empty.get() {
            return view! { <p class="ts-history__empty">{move || match program.get() {
                None => tr!(h, "history-empty"),
                Some(_) => tr!(h, "history-empty-program"),
            }}</p> }
            .into_any();
        }
        view! {
            <div class="ts-table-scroll">
                <table class="ts-table ts-table--cards ts-history__table">
                    <caption>
                        {move || match program.get() {
                            None => tr!(h, "history-caption"),
                            Some(program) => tr!(
                                h, "history-caption-program",
                                program = tr!(h, "program-name", program = program.as_str()),
                            ),
                        }}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">{tr!(h, "column-when")}</th>
                            <th scope="col">{tr!(h, "column-who")}</th>
                            <th scope="col">{tr!(h, "column-program")}</th>
                            <th scope="col">{tr!(h, "column-what")}</th>
                            <th scope="col">{tr!(h, "column-notices")}</th>
                            <th scope="col">{tr!(h, "column-receipt")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || events.get()
                            key=|event| event.id.clone()
                            children=move |event| view! { <EventRow event download page /> }
                        />
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    }
}

/// One event: when, who, which program, what changed, under which notices, and its receipt.
#[component]
fn EventRow(
    /// The event shown.
    event: ConsentEvent,
    /// Where the receipt download reports.
    download: RwSignal<Download>,
    /// The page element that download links go into.
    page: NodeRef<html::Div>,
) -> impl IntoView {
    let t = use_i18n();
    let h = t;
    let base = use_route_base();
    let session = use_session();
    let who = if event.actor.id == CONSENT_SERVICE_ACTOR_ID {
        tr!(h, "consent-service")
    } else {
        event.actor.name.clone()
    };
    let changes = change_words(h, &event);
    let receipt_id = event.receipt_id.clone();
    let save_receipt = move || {
        if matches!(download.get_untracked(), Download::Working(_)) {
            return;
        }
        download.set(Download::Working(tr!(h, "downloading")));
        let (client, tenant, id) = (session.client(), session.tenant(), receipt_id.clone());
        spawn_local(async move {
            let outcome = match client.get_receipt_json(&tenant, &id).await {
                Ok(json) => {
                    let name = receipt_file_name(&tenant, &id);
                    match page.try_get_untracked().flatten() {
                        Some(parent)
                            if save_text(&parent, &name, "application/json", &json).is_ok() =>
                        {
                            Download::Done(tr!(h, "downloaded", file = name))
                        }
                        _ => Download::Failed(tr!(h, "download-failed")),
                    }
                }
                Err(error) => Download::Failed(format!(
                    "{} {}",
                    tr!(h, "download-failed"),
                    error_text(t, &error, None)
                )),
            };
            download.try_set(outcome);
        });
    };
    let label = column_label;
    view! {
        <tr>
            <td class="ts-history__when">
                {label(tr!(h, "column-when"))}
                <time datetime=event
                    .at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)>
                    {t.date_time(event.at)}
                </time>
            </td>
            <td>{label(tr!(h, "column-who"))} {who}</td>
            <td>{label(tr!(h, "column-program"))} {tr!(t, "program-name", program = event.program.as_str())}</td>
            <td>
                {label(tr!(h, "column-what"))}
                <ul class="ts-plain-list">
                    {changes.into_iter().map(|words| view! { <li>{words}</li> }).collect_view()}
                </ul>
            </td>
            <td>
                {label(tr!(h, "column-notices"))}
                <NoticeList notices=event.notices.clone() />
            </td>
            <td>
                {label(tr!(h, "column-receipt"))}
                <div class="ts-history__receipt">
                    <a href=base.href(&routes::receipt(&event.receipt_id))>{tr!(h, "view-receipt")}</a>
                    <button
                        type="button"
                        class="ts-button ts-button--small"
                        on:click=move |_| save_receipt()
                    >
                        {tr!(h, "download-json")}
                    </button>
                </div>
            </td>
        </tr>
    }
}

/// The notice versions of an event, each a link to that exact wording.
#[component]
fn NoticeList(
    /// The notice versions to list.
    notices: Vec<consent_core::NoticeRef>,
) -> impl IntoView {
    let h = use_i18n();
    let base = use_route_base();
    if notices.is_empty() {
        return view! { <span class="ts-muted">{tr!(h, "no-notices")}</span> }.into_any();
    }
    view! {
        <ul class="ts-plain-list">
            {notices
                .into_iter()
                .map(|notice| {
                    let name = tr!(h, "history-notice-name", id = notice.id.as_str());
                    view! {
                        <li>
                            <a href=base
                                .href(
                                    &routes::notice_version(&notice.id, notice.version),
                                )>{tr!(h, "notice-version", name = name, version = notice.version)}</a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// "Load older events", while there are any, and what came of the last try.
#[component]
fn OlderEvents(
    /// The rows to add to.
    rows: HistoryRows,
    /// The program filter in force.
    program: Memo<Option<ProgramId>>,
    /// The page, where the first of the newly loaded rows is found.
    page: NodeRef<html::Div>,
) -> impl IntoView {
    let t = use_i18n();
    let h = t;
    let session = use_session();
    let more = Memo::new(move |_| rows.next_cursor.with(Option::is_some));
    let count = Memo::new(move |_| rows.events.with(Vec::len));
    let loading = Memo::new(move |_| rows.older.get() == Older::Loading);
    // Once older rows arrive, focus moves to the first of them, so a keyboard
    // user goes on reading there (and is not left on a button that may be gone).
    let first_new = StoredValue::new(None::<usize>);
    Effect::new(move |_| {
        let shown = count.get();
        let Some(index) = first_new.get_value().filter(|i| *i < shown) else {
            return;
        };
        first_new.set_value(None);
        request_animation_frame(move || {
            let link = page.try_get_untracked().flatten().and_then(|page| {
                page.query_selector(&format!("tbody tr:nth-child({}) a", index + 1))
                    .ok()
                    .flatten()
            });
            if let Some(link) = link {
                focus(&link);
            }
        });
    });
    let load_older = move || {
        first_new.set_value(Some(count.get_untracked()));
        rows.load_older(session, program.get_untracked());
    };
    view! {
        <p class="ts-history__count" role="status" aria-live="polite">
            {move || {
                if loading.get() {
                    tr!(h, "loading-older")
                } else if count.get() == 0 {
                    String::new()
                } else {
                    match more.get() {
                        false => tr!(h, "events-shown", count = count.get()),
                        true => tr!(h, "events-shown-more", count = count.get()),
                    }
                }
            }}
        </p>
        <div class="ts-alert-slot" role="alert">
            {move || match rows.older.get() {
                Older::Failed(error) => {
                    Some(view! { <p class="ts-alert">{error_text(t, &error, None)}</p> })
                }
                _ => None,
            }}
        </div>
        {move || {
            more.get()
                .then(|| {
                    view! {
                        <div class="ts-actions ts-history__more">
                            <button
                                type="button"
                                class="ts-button"
                                aria-disabled=move || loading.get().then_some("true")
                                on:click=move |_| load_older()
                            >
                                {move || {
                                    if matches!(rows.older.get(), Older::Failed(_)) {
                                        tr!(t, "retry")
                                    } else {
                                        tr!(h, "load-older")
                                    }
                                }}
                            </button>
                        </div>
                    }
                })
        }}
    }
}

/// What an event changed, in words: read from its before and after states,
/// or from its action when those cannot be compared.
pub fn change_words(h: I18n, event: &ConsentEvent) -> Vec<String> {
    let changes = match (&event.before, &event.after) {
        (Some(before), Some(after)) => state_changes(before, after),
        _ => Vec::new(),
    };
    if changes.is_empty() {
        vec![tr!(h, "action", action = event.action.as_str())]
    } else {
        changes
            .iter()
            .map(|change| change_text(h, change))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use consent_core::ledger::ProgramState;
    use consent_core::rules::ConsentAction;
    use consent_core::{pending_deletion, Actor, NoticeRef, ProgramId};

    use super::*;

    fn event(
        action: ConsentAction,
        before: Option<ProgramState>,
        after: Option<ProgramState>,
    ) -> ConsentEvent {
        ConsentEvent {
            id: "e1".to_owned(),
            at: "2026-11-21T09:30:00Z".parse().unwrap(),
            actor: Actor::consent_service(),
            program: ProgramId::Marketing,
            action,
            before,
            after,
            notices: Vec::new(),
            receipt_id: "r1".to_owned(),
            idempotency_key: None,
        }
    }

    fn state(enabled: bool, contact: bool, accepted: &[NoticeRef], out: bool) -> ProgramState {
        ProgramState {
            enabled,
            contact_allowed: Some(contact),
            accepted_notices: accepted.to_vec(),
            pending_deletion: out.then(|| {
                pending_deletion(
                    ProgramId::Marketing,
                    "2026-11-01T00:00:00Z".parse().unwrap(),
                )
            }),
        }
    }

    // Guards the words of the "What changed" column for every kind of event.
    #[test]
    fn what_changed_in_words() {
        let h = I18n::of(crate::i18n::Language::English);
        let nda = NoticeRef {
            id: "marketing-nda".to_owned(),
            version: 2,
            sha256: "abc".to_owned(),
        };
        let accepted = std::slice::from_ref(&nda);
        let cases = [
            (
                event(
                    ConsentAction::OptedIn,
                    Some(state(false, false, &[], false)),
                    Some(state(true, true, accepted, false)),
                ),
                vec![
                    "Turned on",
                    "Accepted Marketing non-disclosure agreement version 2",
                ],
            ),
            (
                event(
                    ConsentAction::OptedOut,
                    Some(state(true, true, accepted, false)),
                    Some(state(false, false, accepted, true)),
                ),
                vec!["Turned off"],
            ),
            (
                event(
                    ConsentAction::ContactChanged,
                    Some(state(true, true, accepted, false)),
                    Some(state(true, false, accepted, false)),
                ),
                vec!["Contact preference: off"],
            ),
            (
                event(
                    ConsentAction::DeletionCompleted,
                    Some(state(false, false, accepted, true)),
                    Some(state(false, false, accepted, false)),
                ),
                vec!["Shared data deleted"],
            ),
            // States that cannot be shown: the action says what happened.
            (
                event(ConsentAction::NoticesAccepted, None, None),
                vec!["Accepted new notice versions"],
            ),
            (
                event(ConsentAction::DeletionCompleted, None, None),
                vec!["Shared data deleted"],
            ),
        ];
        for (event, expected) in cases {
            assert_eq!(change_words(h, &event), expected, "{:?}", event.action);
        }
    }
}

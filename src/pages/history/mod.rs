//! The consent history (`/history?program=<id>&at=<instant>`): every
//! recorded change, newest first, a page at a time, with its receipts, a
//! CSV export, the signed ledger for offline checks, and the settings as
//! they stood at a chosen moment.

mod as_of;
mod rows;
mod table;
#[cfg(test)]
mod tests;

use consent_core::{HistoryPage as HistoryPageData, ProgramId, Timestamp};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use self::as_of::{AsOfForm, SettingsAsOf};
use self::rows::{HistoryRows, OlderEvents};
use self::table::HistoryTable;
use crate::components::download::{save_text, Download, DownloadStatus};
use crate::components::ReadView;
use crate::data::{ask_early, use_read, Read};
use crate::i18n::{error_text, use_i18n};
use crate::routes::{self, use_ids, use_route_base};
use crate::session::{use_session, SignIn};

/// The program named by `?program=` (all programs when absent or unknown).
fn program_filter() -> Memo<Option<ProgramId>> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get("program").and_then(|p| ProgramId::parse(&p))))
}

/// The moment named by `?at=` (RFC 3339), if any.
fn shown_moment() -> Memo<Option<Timestamp>> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            q.get("at")
                .and_then(|at| consent_core::instant::parse_instant(&at))
        })
    })
}

/// What a download button fetches and saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Export {
    /// The history (of the program filtered on) as CSV.
    Csv,
    /// The whole signed ledger, for offline verification.
    Ledger,
}

/// Asks for what [`read_history`] reads while the history's code is on its way.
pub fn ask_history_early() {
    let program = program_filter();
    ask_early(move |client, tenant| {
        vec![client.history_request(tenant, program.get(), None, None)]
    });
}

/// Consent history: a table of events, newest first, filtered by program.
/// Starts reading the newest page of the history, again whenever the
/// program filter in the address changes.
pub fn read_history() -> Read<HistoryPageData> {
    let program = program_filter();
    use_read(move |client, tenant| {
        let program = program.get();
        async move { client.get_history(&tenant, program, None, None).await }
    })
}

#[component]
pub fn HistoryPage(
    /// The newest page, read with [`read_history`].
    first: Read<HistoryPageData>,
) -> impl IntoView {
    let t = use_i18n();
    let h = t;
    let session = use_session();
    let base = use_route_base();
    let ids = use_ids();
    let navigate = StoredValue::new_local(use_navigate());
    let program = program_filter();
    let moment = shown_moment();
    let download = RwSignal::new(Download::Idle);
    let page = NodeRef::<html::Div>::new();
    let filter_id = ids.id("history-program");
    let ledger_help_id = ids.id("ledger-help");
    let choose_program = move |value: String| {
        let chosen = ProgramId::parse(&value);
        if chosen != program.get_untracked() {
            let path = routes::history_as_of(chosen, moment.get_untracked());
            navigate.with_value(|go| go(&path, NavigateOptions::default()));
        }
    };

    let show_moment = Callback::new(move |at: Option<Timestamp>| {
        let path = routes::history_as_of(program.get_untracked(), at);
        navigate.with_value(|go| go(&path, NavigateOptions::default()));
    });

    // Until a development sign-in is done, a download would go out without a token.
    let unavailable = move || {
        matches!(download.get(), Download::Working(_)) || session.sign_in() != SignIn::Ready
    };
    let export = move |kind: Export| {
        if matches!(download.get_untracked(), Download::Working(_))
            || session.sign_in_untracked() != SignIn::Ready
        {
            return;
        }
        download.set(Download::Working(match kind {
            Export::Csv => tr!(h, "exporting"),
            Export::Ledger => tr!(h, "exporting-ledger"),
        }));
        let (client, tenant) = (session.client(), session.tenant());
        let filter = program.get_untracked();
        spawn_local(async move {
            let (result, fallback_name, mime, failed) = match kind {
                Export::Csv => (
                    client.get_history_csv(&tenant, filter).await,
                    format!("{tenant}-consent-history.csv"),
                    "text/csv;charset=utf-8",
                    tr!(h, "export-failed"),
                ),
                Export::Ledger => (
                    client.get_ledger_export(&tenant).await,
                    format!("ledger-{tenant}.jsonl"),
                    "application/x-ndjson",
                    tr!(h, "export-ledger-failed"),
                ),
            };
            let outcome = match result {
                Ok(file) => {
                    let name = file.file_name.unwrap_or(fallback_name);
                    let saved = page
                        .try_get_untracked()
                        .flatten()
                        .is_some_and(|parent| save_text(&parent, &name, mime, &file.text).is_ok());
                    match (saved, kind) {
                        (false, _) => Download::Failed(failed),
                        (true, Export::Csv) => Download::Done(tr!(h, "downloaded", file = name)),
                        (true, Export::Ledger) => {
                            Download::Done(tr!(h, "downloaded-ledger", file = name))
                        }
                    }
                }
                Err(error) => Download::Failed(format!("{failed} {}", error_text(t, &error, None))),
            };
            download.try_set(outcome);
        });
    };
    let busy = move || unavailable().then_some("true");

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
                <div class="ts-actions">
                    <button
                        type="button"
                        class="ts-button"
                        aria-disabled=busy
                        on:click=move |_| export(Export::Csv)
                    >
                        {tr!(h, "export-csv")}
                    </button>
                    <button
                        type="button"
                        class="ts-button"
                        aria-disabled=busy
                        aria-describedby=ledger_help_id.clone()
                        on:click=move |_| export(Export::Ledger)
                    >
                        {tr!(h, "export-ledger")}
                    </button>
                </div>
            </div>
            <p class="ts-note" id=ledger_help_id>{tr!(h, "export-ledger-help")}</p>
            <DownloadStatus download />
            <AsOfForm shown=moment show=show_moment />
            {move || moment.get().is_some().then(|| view! { <SettingsAsOf at=moment /> })}
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

//! The consent history (`/history?program=<id>`): every recorded change,
//! newest first, a page at a time, with its receipts and a CSV export.

mod rows;
mod table;
#[cfg(test)]
mod tests;

use consent_core::{HistoryPage as HistoryPageData, ProgramId};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use self::rows::{HistoryRows, OlderEvents};
use self::table::HistoryTable;
use crate::components::download::{save_text, Download, DownloadStatus};
use crate::components::ReadView;
use crate::data::use_read;
use crate::i18n::{error_text, use_i18n};
use crate::routes::{self, use_ids, use_route_base};
use crate::session::use_session;

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

//! The history's table: one row per event, with its notices and receipt.

use consent_core::ledger::{ChangeReason, DeletionDetail, RegionMove};
use consent_core::rules::ConsentAction;
use consent_core::tenant::CONSENT_SERVICE_ACTOR_ID;
use consent_core::{state_changes, Actor, ConsentEvent, ProgramId, Region, StateChange};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::download::{receipt_file_name, save_text, Download};
use crate::components::table::column_label;
use crate::i18n::{change_text, error_text, use_i18n, I18n};
use crate::routes::{self, use_route_base};
use crate::session::use_session;

/// The events as a table, or a sentence when there are none.
#[component]
pub fn HistoryTable(
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
    let who = who(h, &event.actor);
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
                    let name = receipt_file_name(&tenant, &id, "json");
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

/// Who made a change: the consent service by its name in the page's
/// language; another service (no roles: the one that moved the tenant, say)
/// by its id; a person by name.
pub fn who(h: I18n, actor: &Actor) -> String {
    if actor.id == CONSENT_SERVICE_ACTOR_ID {
        tr!(h, "consent-service")
    } else if actor.roles.is_empty() {
        actor.id.clone()
    } else {
        actor.name.clone()
    }
}

/// What an event changed, in words: the region move it records, then what
/// its before and after states differ in (an opt-out the service made
/// because of the region said as such), or its action when there is
/// nothing else to say.
pub fn change_words(h: I18n, event: &ConsentEvent) -> Vec<String> {
    let changes = match (&event.before, &event.after) {
        (Some(before), Some(after)) => state_changes(before, after),
        _ => Vec::new(),
    };
    let mut words: Vec<String> = event
        .detail
        .region
        .iter()
        .map(|moved| region_words(h, moved))
        .collect();
    words.extend(
        event
            .detail
            .deletion
            .iter()
            .map(|deletion| deletion_words(h, event.action, deletion)),
    );
    let by_region = event.detail.reason == Some(ChangeReason::RegionIneligible);
    let turned_off = changes.contains(&StateChange::TurnedOff);
    if by_region && !turned_off {
        words.push(tr!(h, "change-turned-off-region"));
    }
    words.extend(changes.iter().map(|change| match change {
        StateChange::TurnedOff if by_region => tr!(h, "change-turned-off-region"),
        _ => change_text(h, change),
    }));
    if words.is_empty() {
        words.push(tr!(h, "action", action = event.action.as_str()));
    }
    words
}

/// "Deletion confirmed by Copilot interaction store: 1200 items" or
/// "Deletion overdue at Data schema copies".
fn deletion_words(h: I18n, action: ConsentAction, deletion: &DeletionDetail) -> String {
    let store = deletion.store_name.clone();
    match (action, &deletion.attestation) {
        (ConsentAction::DeletionAttested, Some(attested)) => tr!(
            h,
            "change-deletion-attested",
            store = store,
            items = attested.items_deleted
        ),
        _ => tr!(h, "change-deletion-overdue", store = store),
    }
}

/// "Region changed from European Union to United States".
fn region_words(h: I18n, moved: &RegionMove) -> String {
    let name = |code: &str| tr!(h, "region-name", code = Region::new(code).code().to_owned());
    tr!(
        h,
        "change-region",
        before = name(&moved.before),
        after = name(&moved.after),
    )
}

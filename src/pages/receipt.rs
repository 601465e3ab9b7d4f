//! One consent receipt as a readable page (`/history/receipts/<id>`), with
//! the JSON the server issued to download and a print layout.

use consent_core::facts::RetentionPeriod;
use consent_core::tenant::CONSENT_SERVICE_ACTOR_ID;
use consent_core::ConsentReceipt;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use super::history::{column_label, receipt_file_name, Download, DownloadStatus};
use crate::api::{parse_receipt, ApiError};
use crate::components::download::save_text;
use crate::i18n::{format_date, format_date_time, messages};
use crate::routes::{self, use_route_base};
use crate::session::{use_session, SignIn};

/// Where loading the receipt stands.
#[derive(Debug, Clone, PartialEq)]
enum Loaded {
    Loading,
    Failed(ApiError),
    /// The receipt, and the JSON exactly as the server sent it.
    Ready(Box<ConsentReceipt>, String),
}

/// A consent receipt: what happened, who consented for which tenant, under
/// which notices, for which purposes, what data, where, how long, and how to withdraw.
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let t = messages();
    let h = t.history;
    let session = use_session();
    let base = use_route_base();
    let params = use_params_map();
    let receipt_id = Memo::new(move |_| params.with(|p| p.get("receipt").unwrap_or_default()));
    let loaded = RwSignal::new(Loaded::Loading);
    let generation = StoredValue::new(0u32);
    let download = RwSignal::new(Download::Idle);
    let page = NodeRef::<html::Div>::new();

    let load = move |id: String| {
        let this = generation.get_value().wrapping_add(1);
        generation.set_value(this);
        loaded.set(Loaded::Loading);
        let (client, tenant) = (session.client(), session.tenant());
        spawn_local(async move {
            let result = client
                .get_receipt_json(&tenant, &id)
                .await
                .and_then(|json| Ok((parse_receipt(&json)?, json)));
            if generation.try_get_value() != Some(this) {
                return;
            }
            loaded.try_set(match result {
                Ok((receipt, json)) => Loaded::Ready(Box::new(receipt), json),
                Err(error) => Loaded::Failed(error),
            });
        });
    };
    Effect::new(move |_| {
        let id = receipt_id.get();
        match session.sign_in() {
            SignIn::Pending => {}
            SignIn::Ready => load(id),
            SignIn::Failed(error) => loaded.set(Loaded::Failed(error)),
        }
    });
    let retry = move || {
        if let SignIn::Failed(_) = session.sign_in_untracked() {
            loaded.set(Loaded::Loading);
            spawn_local(async move {
                session.renew().await;
                if let SignIn::Failed(error) = session.sign_in_untracked() {
                    loaded.try_set(Loaded::Failed(error));
                }
            });
        } else {
            load(receipt_id.get_untracked());
        }
    };

    let save_json = move || {
        let Loaded::Ready(receipt, json) = loaded.get_untracked() else {
            return;
        };
        let name = receipt_file_name(&receipt.principal.id, &receipt.receipt_id);
        let saved = page
            .get_untracked()
            .is_some_and(|parent| save_text(&parent, &name, "application/json", &json).is_ok());
        download.set(if saved {
            Download::Done((h.downloaded)(&name))
        } else {
            Download::Failed(h.download_failed.to_owned())
        });
    };
    let print = move || {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };

    view! {
        <div class="ts-page ts-receipt" node_ref=page>
            <p class="ts-page__back">
                <a href=base.href(routes::HISTORY)>{h.back_to_history}</a>
            </p>
            <div class="ts-page__header">
                <h1 class="ts-page__title">{h.receipt_heading}</h1>
                {move || match loaded.get() {
                    Loaded::Ready(receipt, _) => {
                        Some(view! { <p class="ts-page__intro">{(h.receipt_intro)(receipt.program)}</p> })
                    }
                    _ => None,
                }}
            </div>
            {move || match loaded.get() {
                Loaded::Loading => {
                    view! {
                        <div aria-busy="true">
                            <p class="ts-visually-hidden" role="status">
                                {h.receipt_loading}
                            </p>
                            <div aria-hidden="true">
                                <span class="ts-skeleton ts-skeleton--title"></span>
                                <span class="ts-skeleton ts-skeleton--line"></span>
                                <span class="ts-skeleton ts-skeleton--line"></span>
                                <span class="ts-skeleton ts-skeleton--line"></span>
                            </div>
                        </div>
                    }
                        .into_any()
                }
                Loaded::Failed(error) => {
                    view! {
                        <div class="ts-load-failed" role="alert">
                            <p>{format!("{} {}", h.receipt_load_failed, (t.error)(&error, None))}</p>
                            <button type="button" class="ts-button" on:click=move |_| retry()>
                                {t.retry}
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Loaded::Ready(receipt, _) => {
                    view! {
                        <div class="ts-actions ts-receipt__actions">
                            <button
                                type="button"
                                class="ts-button ts-button--primary"
                                on:click=move |_| save_json()
                            >
                                {h.download_json}
                            </button>
                            <button type="button" class="ts-button" on:click=move |_| print()>
                                {h.print}
                            </button>
                        </div>
                        <DownloadStatus download />
                        <ReceiptBody receipt=*receipt />
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

/// The receipt's sections.
#[component]
fn ReceiptBody(
    /// The receipt shown.
    receipt: ConsentReceipt,
) -> impl IntoView {
    let t = messages();
    let h = t.history;
    let base = use_route_base();
    let region = receipt.principal.region.code().to_owned();
    let region_words = (t.region_name)(&region).unwrap_or(&region).to_owned();
    let jurisdiction = (t.region_name)(&receipt.jurisdiction)
        .map(|name| format!("{name} ({})", receipt.jurisdiction))
        .unwrap_or_else(|| receipt.jurisdiction.clone());
    let actor = if receipt.actor.id == CONSENT_SERVICE_ACTOR_ID {
        h.consent_service.to_owned()
    } else {
        receipt.actor.name.clone()
    };
    let roles = if receipt.actor.roles.is_empty() {
        h.no_roles.to_owned()
    } else {
        receipt
            .actor
            .roles
            .iter()
            .map(|r| (t.role_name)(*r))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let state = receipt.state_after.clone();
    let retention_of = |category: &str| {
        receipt
            .retention
            .iter()
            .find(|r| r.data_category == category)
            .map(|r| {
                let period = RetentionPeriod::parse_iso8601(&r.period)
                    .map(h.period)
                    .unwrap_or_else(|| r.period.clone());
                (period, r.rule.clone())
            })
    };
    let categories: Vec<_> = receipt
        .data_categories
        .iter()
        .map(|c| (c.clone(), retention_of(&c.id)))
        .collect();

    view! {
        <section class="ts-receipt__section">
            <h2 class="ts-receipt__heading">
                {h.section_event}
            </h2>
            <dl class="ts-facts">
                <dt>{h.label_program}</dt>
                <dd>{(t.program_name)(receipt.program)}</dd>
                <dt>{h.label_event}</dt>
                <dd>{(h.event_type)(receipt.event.kind)}</dd>
                <dt>{h.label_time}</dt>
                <dd>
                    <time datetime=receipt
                        .event
                        .time
                        .to_rfc3339_opts(
                            chrono::SecondsFormat::Secs,
                            true,
                        )>{format_date_time(receipt.event.time)}</time>
                </dd>
                <dt>{h.label_state_after}</dt>
                <dd>{(h.consent_status)(state.status)}</dd>
                {state
                    .contact_allowed
                    .map(|allowed| {
                        view! {
                            <dt>{h.label_contact}</dt>
                            <dd>{(h.contact)(allowed)}</dd>
                        }
                    })}
                {state
                    .pending_deletion
                    .clone()
                    .map(|deletion| {
                        view! {
                            <dt>{h.label_deleted_by}</dt>
                            <dd>{format_date(deletion.due_by)}</dd>
                            {deletion
                                .schema_due_by
                                .map(|due| {
                                    view! {
                                        <dt>{h.label_schema_deleted_by}</dt>
                                        <dd>{format_date(due)}</dd>
                                    }
                                })}
                        }
                    })}
            </dl>
        </section>
        <section class="ts-receipt__section">
            <h2 class="ts-receipt__heading">
                {h.section_parties}
            </h2>
            <dl class="ts-facts">
                <dt>{h.label_tenant}</dt>
                <dd>
                    {(h.tenant_line)(&receipt.principal.name, &receipt.principal.id, &region_words)}
                </dd>
                <dt>{h.label_actor}</dt>
                <dd>{actor}</dd>
                <dt>{h.label_roles}</dt>
                <dd>{roles}</dd>
            </dl>
        </section>
        <section class="ts-receipt__section">
            <h2 class="ts-receipt__heading">
                {h.section_notices}
            </h2>
            {if receipt.notices.is_empty() {
                view! { <p>{h.no_notices}</p> }.into_any()
            } else {
                view! {
                    <div class="ts-table-scroll">
                        <table class="ts-table ts-table--cards">
                            <caption>{h.notices_caption}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{h.column_notice}</th>
                                    <th scope="col">{h.column_version}</th>
                                    <th scope="col">{h.column_language}</th>
                                    <th scope="col">{h.column_hash}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {receipt
                                    .notices
                                    .iter()
                                    .map(|notice| {
                                        view! {
                                            <tr>
                                                <td>
                                                    {column_label(h.column_notice)}
                                                    <div>
                                                        {notice.title.clone()} <br />
                                                        <a
                                                            class="ts-receipt__notice-link"
                                                            href=base
                                                                .href(&routes::notice_version(&notice.id, notice.version))
                                                        >
                                                            {h.read_notice_version}
                                                        </a>
                                                    </div>
                                                </td>
                                                <td>{column_label(h.column_version)} {notice.version}</td>
                                                <td>
                                                    {column_label(h.column_language)}
                                                    {notice.language.clone()}
                                                </td>
                                                <td>
                                                    {column_label(h.column_hash)}
                                                    <code class="ts-hash">{notice.sha256.clone()}</code>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
        <section class="ts-receipt__section">
            <h2 class="ts-receipt__heading">
                {h.section_purposes}
            </h2>
            <ul class="ts-receipt__list">
                {receipt.purposes.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
            </ul>
        </section>
        <section class="ts-receipt__section">
            <h2 class="ts-receipt__heading">
                {h.section_data}
            </h2>
            <div class="ts-table-scroll">
                <table class="ts-table ts-table--cards">
                    <caption>{h.data_caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{h.column_category}</th>
                            <th scope="col">{h.column_description}</th>
                            <th scope="col">{h.column_location}</th>
                            <th scope="col">{h.column_retention}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {categories
                            .into_iter()
                            .map(|(category, retention)| {
                                view! {
                                    <tr>
                                        <th scope="row">{category.name}</th>
                                        <td>
                                            {column_label(h.column_description)}
                                            {category.description}
                                        </td>
                                        <td>
                                            {column_label(h.column_location)}
                                            {category.storage_location}
                                        </td>
                                        <td>
                                            {column_label(h.column_retention)}
                                            <div>
                                                {retention
                                                    .map(|(period, rule)| {
                                                        view! {
                                                            <strong>{period}</strong>
                                                            <br />
                                                            {rule}
                                                        }
                                                    })}
                                            </div>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="ts-receipt__section">
            <h2 class="ts-receipt__heading">
                {h.section_recipients}
            </h2>
            <ul class="ts-receipt__list">
                {receipt.recipients.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}
            </ul>
        </section>
        <section class="ts-receipt__section">
            <h2 class="ts-receipt__heading">
                {h.section_storage}
            </h2>
            <ul class="ts-receipt__list">
                {receipt
                    .storage_locations
                    .iter()
                    .map(|s| view! { <li>{s.clone()}</li> })
                    .collect_view()}
            </ul>
            <dl class="ts-facts">
                <dt>{h.label_jurisdiction}</dt>
                <dd>{jurisdiction}</dd>
            </dl>
        </section>
        <section class="ts-receipt__section">
            <h2 class="ts-receipt__heading">
                {h.section_withdrawal}
            </h2>
            <p>{receipt.withdrawal_method.clone()}</p>
        </section>
        <section class="ts-receipt__section">
            <h2 class="ts-receipt__heading">
                {h.section_record}
            </h2>
            <dl class="ts-facts ts-facts--ids">
                <dt>{h.label_receipt_id}</dt>
                <dd>
                    <code>{receipt.receipt_id.clone()}</code>
                </dd>
                <dt>{h.label_record_id}</dt>
                <dd>
                    <code>{receipt.record_id.clone()}</code>
                </dd>
                <dt>{h.label_event_id}</dt>
                <dd>
                    <code>{receipt.event_id.clone()}</code>
                </dd>
                <dt>{h.label_issued}</dt>
                <dd>{format_date_time(receipt.issued_at)}</dd>
                <dt>{h.label_schema_version}</dt>
                <dd>{receipt.schema_version.clone()}</dd>
            </dl>
        </section>
    }
}

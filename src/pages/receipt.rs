//! One consent receipt as a readable page (`/history/receipts/<id>`), with
//! the JSON the server issued to download and a print layout.

use consent_core::facts::RetentionPeriod;
use consent_core::tenant::CONSENT_SERVICE_ACTOR_ID;
use consent_core::ConsentReceipt;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::parse_receipt;
use crate::components::download::{receipt_file_name, save_text, Download, DownloadStatus};
use crate::components::table::column_label;
use crate::components::ReadView;
use crate::data::use_read;
use crate::i18n::{consent_status_key, event_type_key, role_key, use_i18n, yes_no};
use crate::routes::{self, use_route_base};

/// A receipt as issued: parsed, and the JSON exactly as the server sent it.
#[derive(Debug, Clone, PartialEq)]
struct Issued {
    receipt: Box<ConsentReceipt>,
    json: String,
}

/// A consent receipt: what happened, who consented for which tenant, under
/// which notices, for which purposes, what data, where, how long, and how to withdraw.
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let t = use_i18n();
    let h = t;
    let base = use_route_base();
    let params = use_params_map();
    let receipt_id = Memo::new(move |_| params.with(|p| p.get("receipt").unwrap_or_default()));
    let download = RwSignal::new(Download::Idle);
    let page = NodeRef::<html::Div>::new();
    let issued = use_read(move |client, tenant| {
        let id = receipt_id.get();
        async move {
            let json = client.get_receipt_json(&tenant, &id).await?;
            let receipt = Box::new(parse_receipt(&json)?);
            Ok(Issued { receipt, json })
        }
    });

    let save_json = move || {
        let Some(Issued { receipt, json }) = issued.value_untracked() else {
            return;
        };
        let name = receipt_file_name(&receipt.principal.id, &receipt.receipt_id);
        let saved = page
            .get_untracked()
            .is_some_and(|parent| save_text(&parent, &name, "application/json", &json).is_ok());
        download.set(if saved {
            Download::Done(tr!(h, "downloaded", file = name))
        } else {
            Download::Failed(tr!(h, "download-failed"))
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
                <a href=base.href(routes::HISTORY)>{tr!(h, "back-to-history")}</a>
            </p>
            <div class="ts-page__header">
                <h1 class="ts-page__title">{tr!(h, "receipt-heading")}</h1>
                {move || match issued.value() {
                    Some(Issued { receipt, .. }) => {
                        Some(view! { <p class="ts-page__intro">{tr!(
                                h, "receipt-intro",
                                program = tr!(h, "program-name", program = receipt.program.as_str()),
                            )}</p> })
                    }
                    _ => None,
                }}
            </div>
            <ReadView
                read=issued
                failed=Signal::derive(move || tr!(h, "receipt-load-failed"))
                loading=move || view! {
                    <div aria-busy="true">
                        <p class="ts-visually-hidden" role="status">
                            {tr!(h, "receipt-loading")}
                        </p>
                        <div aria-hidden="true">
                            <span class="ts-skeleton ts-skeleton--title"></span>
                            <span class="ts-skeleton ts-skeleton--line"></span>
                            <span class="ts-skeleton ts-skeleton--line"></span>
                            <span class="ts-skeleton ts-skeleton--line"></span>
                        </div>
                    </div>
                }
                ready=move |Issued { receipt, .. }: Issued| view! {
                    <div class="ts-actions ts-receipt__actions">
                        <button
                            type="button"
                            class="ts-button ts-button--primary"
                            on:click=move |_| save_json()
                        >
                            {tr!(h, "download-json")}
                        </button>
                        <button type="button" class="ts-button" on:click=move |_| print()>
                            {tr!(h, "print")}
                        </button>
                    </div>
                    <DownloadStatus download />
                    <ReceiptBody receipt=*receipt />
                }
            />
        </div>
    }
}

/// The receipt's sections.
#[component]
fn ReceiptBody(
    /// The receipt shown.
    receipt: ConsentReceipt,
) -> impl IntoView {
    let t = use_i18n();
    let h = t;
    let base = use_route_base();
    let region = receipt.principal.region.code().to_owned();
    let region_words = tr!(t, "region-name", code = region.as_str());
    let jurisdiction = match tr!(t, "region-name", code = receipt.jurisdiction.as_str()) {
        name if name == receipt.jurisdiction => name,
        name => format!("{name} ({})", receipt.jurisdiction),
    };
    let actor = if receipt.actor.id == CONSENT_SERVICE_ACTOR_ID {
        tr!(h, "consent-service")
    } else {
        receipt.actor.name.clone()
    };
    let roles = if receipt.actor.roles.is_empty() {
        tr!(h, "no-roles")
    } else {
        receipt
            .actor
            .roles
            .iter()
            .map(|r| tr!(t, "role-name", role = role_key(*r)))
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
                    .map(|period| match period {
                        RetentionPeriod::Days(days) => tr!(h, "period-days", count = days),
                        RetentionPeriod::Months(months) => {
                            tr!(h, "period-months", count = months)
                        }
                    })
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
        <ReceiptSection title=tr!(h, "section-event")>
            <dl class="ts-facts">
                <dt>{tr!(h, "label-program")}</dt>
                <dd>{tr!(t, "program-name", program = receipt.program.as_str())}</dd>
                <dt>{tr!(h, "label-event")}</dt>
                <dd>{tr!(h, "event-type", kind = event_type_key(receipt.event.kind))}</dd>
                <dt>{tr!(h, "label-time")}</dt>
                <dd>
                    <time datetime=receipt
                        .event
                        .time
                        .to_rfc3339_opts(
                            chrono::SecondsFormat::Secs,
                            true,
                        )>{t.date_time(receipt.event.time)}</time>
                </dd>
                <dt>{tr!(h, "label-state-after")}</dt>
                <dd>{tr!(h, "consent-status", status = consent_status_key(state.status))}</dd>
                {state
                    .contact_allowed
                    .map(|allowed| {
                        view! {
                            <dt>{tr!(h, "label-contact")}</dt>
                            <dd>{tr!(h, "contact-allowed", allowed = yes_no(allowed))}</dd>
                        }
                    })}
                {state
                    .pending_deletion
                    .clone()
                    .map(|deletion| {
                        view! {
                            <dt>{tr!(h, "label-deleted-by")}</dt>
                            <dd>{t.date(deletion.due_by)}</dd>
                            {deletion
                                .schema_due_by
                                .map(|due| {
                                    view! {
                                        <dt>{tr!(h, "label-schema-deleted-by")}</dt>
                                        <dd>{t.date(due)}</dd>
                                    }
                                })}
                        }
                    })}
            </dl>
        </ReceiptSection>
        <ReceiptSection title=tr!(h, "section-parties")>
            <dl class="ts-facts">
                <dt>{tr!(h, "label-tenant")}</dt>
                <dd>
                    {tr!(
                        h, "tenant-line",
                        name = receipt.principal.name.clone(),
                        id = receipt.principal.id.clone(),
                        region = region_words,
                    )}
                </dd>
                <dt>{tr!(h, "label-actor")}</dt>
                <dd>{actor}</dd>
                <dt>{tr!(h, "label-roles")}</dt>
                <dd>{roles}</dd>
            </dl>
        </ReceiptSection>
        <ReceiptSection title=tr!(h, "section-notices")>
            {if receipt.notices.is_empty() {
                view! { <p>{tr!(h, "no-notices")}</p> }.into_any()
            } else {
                view! {
                    <div class="ts-table-scroll">
                        <table class="ts-table ts-table--cards">
                            <caption>{tr!(h, "notices-caption")}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{tr!(h, "column-notice")}</th>
                                    <th scope="col">{tr!(h, "column-version")}</th>
                                    <th scope="col">{tr!(h, "column-language")}</th>
                                    <th scope="col">{tr!(h, "column-hash")}</th>
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
                                                    {column_label(tr!(h, "column-notice"))}
                                                    <div>
                                                        {notice.title.clone()} <br />
                                                        <a
                                                            class="ts-receipt__notice-link"
                                                            href=base
                                                                .href(&routes::notice_version(&notice.id, notice.version))
                                                        >
                                                            {tr!(h, "read-notice-version")}
                                                        </a>
                                                    </div>
                                                </td>
                                                <td>{column_label(tr!(h, "column-version"))} {notice.version}</td>
                                                <td>
                                                    {column_label(tr!(h, "column-language"))}
                                                    {notice.language.clone()}
                                                </td>
                                                <td>
                                                    {column_label(tr!(h, "column-hash"))}
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
        </ReceiptSection>
        <ReceiptSection title=tr!(h, "section-purposes")>
            <ul class="ts-receipt__list">
                {receipt.purposes.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
            </ul>
        </ReceiptSection>
        <ReceiptSection title=tr!(h, "section-data")>
            <div class="ts-table-scroll">
                <table class="ts-table ts-table--cards">
                    <caption>{tr!(h, "data-caption")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{tr!(h, "column-category")}</th>
                            <th scope="col">{tr!(h, "column-description")}</th>
                            <th scope="col">{tr!(h, "column-location")}</th>
                            <th scope="col">{tr!(h, "column-retention")}</th>
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
                                            {column_label(tr!(h, "column-description"))}
                                            {category.description}
                                        </td>
                                        <td>
                                            {column_label(tr!(h, "column-location"))}
                                            {category.storage_location}
                                        </td>
                                        <td>
                                            {column_label(tr!(h, "column-retention"))}
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
        </ReceiptSection>
        <ReceiptSection title=tr!(h, "section-recipients")>
            <ul class="ts-receipt__list">
                {receipt.recipients.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}
            </ul>
        </ReceiptSection>
        <ReceiptSection title=tr!(h, "section-storage")>
            <ul class="ts-receipt__list">
                {receipt
                    .storage_locations
                    .iter()
                    .map(|s| view! { <li>{s.clone()}</li> })
                    .collect_view()}
            </ul>
            <dl class="ts-facts">
                <dt>{tr!(h, "label-jurisdiction")}</dt>
                <dd>{jurisdiction}</dd>
            </dl>
        </ReceiptSection>
        <ReceiptSection title=tr!(h, "section-withdrawal")>
            <p>{receipt.withdrawal_method.clone()}</p>
        </ReceiptSection>
        <ReceiptSection title=tr!(h, "section-record")>
            <dl class="ts-facts ts-facts--ids">
                <dt>{tr!(h, "label-receipt-id")}</dt>
                <dd>
                    <code>{receipt.receipt_id.clone()}</code>
                </dd>
                <dt>{tr!(h, "label-record-id")}</dt>
                <dd>
                    <code>{receipt.record_id.clone()}</code>
                </dd>
                <dt>{tr!(h, "label-event-id")}</dt>
                <dd>
                    <code>{receipt.event_id.clone()}</code>
                </dd>
                <dt>{tr!(h, "label-issued")}</dt>
                <dd>{t.date_time(receipt.issued_at)}</dd>
                <dt>{tr!(h, "label-schema-version")}</dt>
                <dd>{receipt.schema_version.clone()}</dd>
            </dl>
        </ReceiptSection>
    }
}

/// One titled part of a receipt.
#[component]
fn ReceiptSection(
    /// The part's heading.
    title: String,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="ts-receipt__section">
            <h2 class="ts-receipt__heading">{title}</h2>
            {children()}
        </section>
    }
}

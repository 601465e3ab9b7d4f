//! A consent receipt's sections, drawn from the parsed receipt: the event,
//! the parties, the notices, purposes, data, recipients, storage,
//! withdrawal and the record's ids.

use consent_core::facts::RetentionPeriod;
use consent_core::tenant::CONSENT_SERVICE_ACTOR_ID;
use consent_core::ConsentReceipt;
use leptos::prelude::*;

use crate::components::table::column_label;
use crate::i18n::{consent_status_key, event_type_key, role_key, use_i18n, yes_no};
use crate::routes::{self, use_route_base};

/// The receipt's sections.
#[component]
pub fn ReceiptBody(
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
                {receipt.event_hash.clone().map(|hash| view! {
                    <dt>{tr!(h, "label-event-hash")}</dt>
                    <dd>
                        <code class="ts-hash">{hash}</code>
                    </dd>
                })}
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

//! A deletion certificate as a printable page
//! (`/history/deletions/<opt-out event id>`): every data store of the
//! opt-out, what it deleted, when and how, and what is kept on purpose;
//! with the same certificate signed with the ledger key to download.

use consent_core::deletion::DeletionCertificate;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::download::{self, certificate_file_name, Download, DownloadStatus};
use crate::components::ReadView;
use crate::data::{ask_early, use_read, Read};
use crate::i18n::use_i18n;
use crate::routes::{self, use_route_base};
use crate::session::use_session;

/// The opt-out event named in the address.
fn event_id() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("event").unwrap_or_default()))
}

/// Asks for what [`read_certificate`] reads while the certificate's code is on its way.
pub fn ask_certificate_early() {
    let event_id = event_id();
    ask_early(move |client, tenant| vec![client.certificate_request(tenant, &event_id.get())]);
}

/// Starts reading the certificate of the opt-out named in the address.
pub fn read_certificate() -> Read<DeletionCertificate> {
    let event_id = event_id();
    use_read(move |client, tenant| {
        let id = event_id.get();
        async move { client.get_deletion_certificate(&tenant, &id).await }
    })
}

/// The certificate of the opt-out named in the address.
#[component]
pub fn CertificatePage(
    /// The certificate, read with [`read_certificate`].
    certificate: Read<DeletionCertificate>,
) -> impl IntoView {
    let h = use_i18n();
    let base = use_route_base();
    let session = use_session();
    let event_id = event_id();
    let download = RwSignal::new(Download::Idle);
    let page = NodeRef::<html::Div>::new();
    // Signed when asked for, as the receipts are.
    let save_signed = move || {
        let (client, tenant, id) = (session.client(), session.tenant(), event_id.get_untracked());
        let name = certificate_file_name(&tenant, &id);
        download::save_signed(h, page, download, name, async move {
            client.get_deletion_certificate_jws(&tenant, &id).await
        });
    };
    let print = move || {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    let ready = move |certificate: DeletionCertificate| {
        view! {
            <div class="ts-actions ts-receipt__actions">
                <button type="button" class="ts-button ts-button--primary" on:click=move |_| save_signed()>
                    {tr!(h, "certificate-download")}
                </button>
                <button type="button" class="ts-button" on:click=move |_| print()>
                    {tr!(h, "print")}
                </button>
            </div>
            <DownloadStatus download />
            <CertificateBody certificate />
        }
    };
    view! {
        <div class="ts-page ts-receipt" node_ref=page>
            <p class="ts-page__back">
                <a href=base.href(routes::HISTORY)>{tr!(h, "back-to-history")}</a>
            </p>
            <div class="ts-page__header">
                <h1 class="ts-page__title">{tr!(h, "certificate-heading")}</h1>
                <p class="ts-page__intro">{tr!(h, "certificate-intro")}</p>
            </div>
            <ReadView
                read=certificate
                failed=Signal::derive(move || tr!(h, "certificate-load-failed"))
                loading=move || view! {
                    <p class="ts-note" role="status">{tr!(h, "certificate-loading")}</p>
                }
                ready=ready
            />
        </div>
    }
}

/// The certificate's facts and its table of deletions.
#[component]
fn CertificateBody(
    /// The certificate to show.
    certificate: DeletionCertificate,
) -> impl IntoView {
    let h = use_i18n();
    let rows = certificate
        .deletions
        .iter()
        .map(|deletion| {
            let attested = &deletion.attestation;
            view! {
                <tr>
                    <th scope="row">{deletion.name.clone()}</th>
                    <td>{h.list(&deletion.categories)}</td>
                    <td>{h.date(deletion.due_by)}</td>
                    <td>{h.date_time(attested.completed_at)}</td>
                    <td>{attested.items_deleted}</td>
                    <td>{attested.method.clone()}</td>
                    <td>{attested.evidence_ref.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <dl class="ts-facts">
            <dt>{tr!(h, "label-tenant")}</dt>
            <dd>{certificate.tenant.clone()}</dd>
            <dt>{tr!(h, "label-program")}</dt>
            <dd>{tr!(h, "program-name", program = certificate.program.as_str())}</dd>
            <dt>{tr!(h, "certificate-turned-off")}</dt>
            <dd>{h.date_time(certificate.opted_out_at)}</dd>
            <dt>{tr!(h, "label-issued")}</dt>
            <dd>{h.date_time(certificate.issued_at)}</dd>
        </dl>
        <div class="ts-table-scroll">
            <table class="ts-table">
                <caption>{tr!(h, "certificate-caption")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr!(h, "certificate-store")}</th>
                        <th scope="col">{tr!(h, "certificate-data")}</th>
                        <th scope="col">{tr!(h, "certificate-due")}</th>
                        <th scope="col">{tr!(h, "certificate-deleted")}</th>
                        <th scope="col">{tr!(h, "certificate-items")}</th>
                        <th scope="col">{tr!(h, "certificate-method")}</th>
                        <th scope="col">{tr!(h, "certificate-evidence")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <h2 class="ts-receipt__section">{tr!(h, "certificate-kept")}</h2>
        <ul>
            {certificate.kept.iter().map(|kept| view! { <li>{kept.clone()}</li> }).collect_view()}
        </ul>
    }
}

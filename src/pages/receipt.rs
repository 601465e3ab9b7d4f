//! One consent receipt as a readable page (`/history/receipts/<id>`), with
//! the JSON the server issued to download, the same signed with the ledger
//! key, and a print layout.

use consent_core::ConsentReceipt;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::parse_receipt;
use crate::components::download::{self, receipt_file_name, save_text, Download, DownloadStatus};
use crate::components::{ReadView, ReceiptBody};
use crate::data::{ask_early, use_read, Read};
use crate::i18n::use_i18n;
use crate::routes::{self, use_route_base};
use crate::session::use_session;

/// A receipt as issued: parsed, and the JSON exactly as the server sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct Issued {
    receipt: Box<ConsentReceipt>,
    json: String,
}

/// The receipt the address names.
fn receipt_id() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("receipt").unwrap_or_default()))
}

/// Asks for what [`read_receipt`] reads while the receipt's code is on its way.
pub fn ask_receipt_early() {
    let receipt_id = receipt_id();
    ask_early(move |client, tenant| vec![client.receipt_request(tenant, &receipt_id.get())]);
}

/// Starts reading the receipt named in the address, as issued.
pub fn read_receipt() -> Read<Issued> {
    let receipt_id = receipt_id();
    use_read(move |client, tenant| {
        let id = receipt_id.get();
        async move {
            let json = client.get_receipt_json(&tenant, &id).await?;
            let receipt = Box::new(parse_receipt(&json)?);
            Ok(Issued { receipt, json })
        }
    })
}

/// A consent receipt: what happened, who consented for which tenant, under
/// which notices, for which purposes, what data, where, how long, and how to withdraw.
#[component]
pub fn ReceiptPage(
    /// The receipt, read with [`read_receipt`].
    issued: Read<Issued>,
) -> impl IntoView {
    let t = use_i18n();
    let h = t;
    let base = use_route_base();
    let session = use_session();
    let download = RwSignal::new(Download::Idle);
    let page = NodeRef::<html::Div>::new();

    let save_json = move || {
        let Some(Issued { receipt, json }) = issued.value_untracked() else {
            return;
        };
        let name = receipt_file_name(&receipt.principal.id, &receipt.receipt_id, "json");
        let saved = page
            .get_untracked()
            .is_some_and(|parent| save_text(&parent, &name, "application/json", &json).is_ok());
        download.set(if saved {
            Download::Done(tr!(h, "downloaded", file = name))
        } else {
            Download::Failed(tr!(h, "download-failed"))
        });
    };
    // The signed copy is fetched when asked for: the ledger key signs it then.
    let save_signed = move || {
        let Some(Issued { receipt, .. }) = issued.value_untracked() else {
            return;
        };
        let (client, tenant) = (session.client(), session.tenant());
        let name = receipt_file_name(&receipt.principal.id, &receipt.receipt_id, "jws");
        download::save_signed(h, page, download, name, async move {
            client.get_receipt_jws(&tenant, &receipt.receipt_id).await
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
                        <button type="button" class="ts-button" on:click=move |_| save_signed()>
                            {tr!(h, "download-signed")}
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

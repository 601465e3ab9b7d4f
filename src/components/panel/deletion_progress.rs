//! "Deletion: 2 of 3 stores confirmed · Data schema copies due by …": per
//! opt-out of the program, what its data stores confirmed, what is still
//! due, what is overdue, and the certificate once every store confirmed.
//! Still shown after opting back in: data shared before is deleted all the same.

use consent_core::ProgramId;
use leptos::prelude::*;

use crate::deletions::{progress_words, use_deletions};
use crate::i18n::use_i18n;
use crate::routes::{self, use_route_base};
use crate::state::use_settings;

/// The deletion progress of `program`'s opt-outs; nothing when there are none.
#[component]
pub fn DeletionProgress(
    /// The program whose opt-outs to show.
    program: ProgramId,
) -> impl IntoView {
    let t = use_i18n();
    let base = use_route_base();
    let store = use_settings();
    let Some(deletions) = use_deletions() else {
        return ().into_any();
    };
    let enabled = Memo::new(move |_| store.program(program).is_some_and(|p| p.enabled));
    view! {
        <div class="ts-deletions" role="status">
            {move || {
                deletions
                    .of(program)
                    .into_iter()
                    .map(|opt_out| {
                        let words = progress_words(t, &opt_out, |at| t.date(at));
                        let heading = tr!(t, "deletion-heading", date = t.date(opt_out.at));
                        let again = enabled
                            .get()
                            .then(|| tr!(t, "deletion-after-opt-in", date = t.date(opt_out.at)));
                        let certificate = opt_out.complete().then(|| {
                            let href = base.href(&routes::deletion_certificate(&opt_out.event_id));
                            view! {
                                <a class="ts-deletions__certificate" href=href>
                                    {tr!(t, "deletion-certificate-link")}
                                </a>
                            }
                        });
                        view! {
                            <div class="ts-deletions__opt-out">
                                <p class="ts-deletions__heading">{heading}</p>
                                {words
                                    .into_iter()
                                    .enumerate()
                                    .map(|(i, line)| {
                                        let class = if i == 0 { "ts-note" } else { "ts-note ts-note--warning" };
                                        view! { <p class=class>{line}</p> }
                                    })
                                    .collect_view()}
                                {again.map(|text| view! { <p class="ts-note">{text}</p> })}
                                {certificate}
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
    .into_any()
}

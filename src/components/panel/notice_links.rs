//! The documents a program's panel offers to read.

use consent_core::NoticeRef;
use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::routes::{use_ids, Ids};

/// The id of the button that opens `notice` in the reader, where focus
/// returns when the reader closes.
pub fn read_button_id(ids: Ids, notice: &str) -> String {
    ids.id(&format!("read-{notice}"))
}

/// One "Read the … (version n)" button per notice the program requires.
#[component]
pub fn NoticeLinks(
    /// The current versions of the program's notices.
    #[prop(into)]
    notices: Signal<Vec<NoticeRef>>,
    /// Called with the notice the person wants to read.
    #[prop(into)]
    on_read: Callback<NoticeRef>,
) -> impl IntoView {
    let t = use_i18n();
    let ids = use_ids();
    view! {
        <ul class="ts-panel__links">
            <For
                each=move || notices.get()
                key=|notice| (notice.id.clone(), notice.version)
                let(notice)
            >
                {
                    let name = tr!(t, "notice-name", id = notice.id.as_str());
                    let label = tr!(t, "read-notice", name = name, version = notice.version);
                    view! {
                        <li>
                            <button
                                type="button"
                                class="ts-link-button"
                                id=read_button_id(ids, &notice.id)
                                on:click=move |_| on_read.run(notice.clone())
                            >
                                {label}
                            </button>
                        </li>
                    }
                }
            </For>
        </ul>
    }
}

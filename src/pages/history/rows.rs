//! The history's rows: the newest page, the older pages added below it,
//! and the button that asks for them.

use consent_core::{ConsentEvent, HistoryPage as HistoryPageData, ProgramId};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;
use crate::components::focus::focus;
use crate::i18n::{error_text, use_i18n};
use crate::session::{use_session, Session};

/// Where loading an older page stands.
#[derive(Debug, Clone, PartialEq)]
enum Older {
    Idle,
    Loading,
    Failed(ApiError),
}

/// A `Copy` handle to the rows shown and how to get more.
///
/// One per first page read: a new filter reads a new first page and makes
/// new rows, so an older page asked for under the old filter finds its rows
/// gone and is dropped.
#[derive(Clone, Copy)]
pub struct HistoryRows {
    pub events: RwSignal<Vec<ConsentEvent>>,
    next_cursor: RwSignal<Option<String>>,
    older: RwSignal<Older>,
}

impl HistoryRows {
    /// The rows of the newest page.
    pub fn new(first: HistoryPageData) -> HistoryRows {
        HistoryRows {
            events: RwSignal::new(first.events),
            next_cursor: RwSignal::new(first.next_cursor),
            older: RwSignal::new(Older::Idle),
        }
    }

    /// Appends the next older page.
    fn load_older(self, session: Session, program: Option<ProgramId>) {
        let Some(cursor) = self.next_cursor.get_untracked() else {
            return;
        };
        if self.older.get_untracked() == Older::Loading {
            return;
        }
        self.older.set(Older::Loading);
        let (client, tenant) = (session.client(), session.tenant());
        spawn_local(async move {
            let result = client
                .get_history(&tenant, program, None, Some(&cursor))
                .await;
            match result {
                Ok(page) => {
                    self.events.try_update(|events| events.extend(page.events));
                    self.next_cursor.try_set(page.next_cursor);
                    self.older.try_set(Older::Idle);
                }
                Err(error) => {
                    self.older.try_set(Older::Failed(error));
                }
            }
        });
    }
}

/// "Load older events", while there are any, and what came of the last try.
#[component]
pub fn OlderEvents(
    /// The rows to add to.
    rows: HistoryRows,
    /// The program filter in force.
    program: Memo<Option<ProgramId>>,
    /// The page, where the first of the newly loaded rows is found.
    page: NodeRef<html::Div>,
) -> impl IntoView {
    let t = use_i18n();
    let h = t;
    let session = use_session();
    let more = Memo::new(move |_| rows.next_cursor.with(Option::is_some));
    let count = Memo::new(move |_| rows.events.with(Vec::len));
    let loading = Memo::new(move |_| rows.older.get() == Older::Loading);
    // Once older rows arrive, focus moves to the first of them, so a keyboard
    // user goes on reading there (and is not left on a button that may be gone).
    let first_new = StoredValue::new(None::<usize>);
    Effect::new(move |_| {
        let shown = count.get();
        let Some(index) = first_new.get_value().filter(|i| *i < shown) else {
            return;
        };
        first_new.set_value(None);
        request_animation_frame(move || {
            let link = page.try_get_untracked().flatten().and_then(|page| {
                page.query_selector(&format!("tbody tr:nth-child({}) a", index + 1))
                    .ok()
                    .flatten()
            });
            if let Some(link) = link {
                focus(&link);
            }
        });
    });
    let load_older = move || {
        first_new.set_value(Some(count.get_untracked()));
        rows.load_older(session, program.get_untracked());
    };
    view! {
        <p class="ts-history__count" role="status" aria-live="polite">
            {move || {
                if loading.get() {
                    tr!(h, "loading-older")
                } else if count.get() == 0 {
                    String::new()
                } else {
                    match more.get() {
                        false => tr!(h, "events-shown", count = count.get()),
                        true => tr!(h, "events-shown-more", count = count.get()),
                    }
                }
            }}
        </p>
        <div class="ts-alert-slot" role="alert">
            {move || match rows.older.get() {
                Older::Failed(error) => {
                    Some(view! { <p class="ts-alert">{error_text(t, &error, None)}</p> })
                }
                _ => None,
            }}
        </div>
        {move || {
            more.get()
                .then(|| {
                    view! {
                        <div class="ts-actions ts-history__more">
                            <button
                                type="button"
                                class="ts-button"
                                aria-disabled=move || loading.get().then_some("true")
                                on:click=move |_| load_older()
                            >
                                {move || {
                                    if matches!(rows.older.get(), Older::Failed(_)) {
                                        tr!(t, "retry")
                                    } else {
                                        tr!(h, "load-older")
                                    }
                                }}
                            </button>
                        </div>
                    }
                })
        }}
    }
}

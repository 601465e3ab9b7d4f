//! What every program panel shares around its body: closing back to the
//! list with focus on the program's row, and standing in while the
//! settings load.

use consent_core::ProgramId;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::focus::{focus_by_id, focus_is_lost, row_id};
use crate::components::{ReadTrouble, SlowRead};
use crate::routes::{use_ids, SETTINGS};
use crate::state::{use_settings, Loadable};

/// Returns what closes a program's panel: back to the list.
///
/// However the panel goes (its buttons, Escape, the browser's Back), focus
/// then returns to the program's row instead of being lost with the panel.
pub fn use_close_panel(program: ProgramId) -> Callback<()> {
    let navigate = StoredValue::new_local(use_navigate());
    let row = row_id(use_ids(), program);
    on_cleanup(move || {
        // Once the panel has left the page.
        request_animation_frame(move || {
            if focus_is_lost() {
                focus_by_id(&row);
            }
        });
    });
    Callback::new(move |()| navigate.with_value(|go| go(SETTINGS, NavigateOptions::default())))
}

/// Stands in for a panel's body while the settings load, or says why they did not.
///
/// Renders its children only once the settings are loaded.
#[component]
pub fn WhenLoaded(
    /// The panel's body.
    children: ChildrenFn,
) -> impl IntoView {
    let store = use_settings();
    let loaded = Memo::new(move |_| match store.state() {
        Loadable::Loading => None,
        Loadable::Failed(_) => Some(false),
        Loadable::Ready(_) => Some(true),
    });
    move || match loaded.get() {
        None => view! {
            <div class="ts-panel__body" aria-hidden="true">
                <span class="ts-skeleton ts-skeleton--line"></span>
                <span class="ts-skeleton ts-skeleton--line"></span>
                <span class="ts-skeleton ts-skeleton--title"></span>
            </div>
            <SlowRead />
        }
        .into_any(),
        Some(false) => view! {
            <div class="ts-panel__body ts-load-failed">
                <ReadTrouble />
            </div>
        }
        .into_any(),
        Some(true) => view! {
            <div class="ts-read-trouble">
                <ReadTrouble />
            </div>
            {children()}
        }
        .into_any(),
    }
}

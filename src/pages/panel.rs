//! The setting panel route (`/settings/<setting>`) and what its panels share.

use consent_core::ProgramId;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use super::copilot_panel::CopilotPanel;
use super::marketing_panel::MarketingPanel;
use super::settings::row_id;
use super::NotFound;
use crate::components::focus::{focus_by_id, focus_is_lost};
use crate::i18n::messages;
use crate::routes::{self, use_ids, use_route_base, SETTINGS};
use crate::state::{now, use_settings, Loadable, ProgramStatus};

/// The panel of the setting named in the address, over the settings list.
#[component]
pub fn SettingPanel() -> impl IntoView {
    let params = use_params_map();
    let program = Memo::new(move |_| {
        params.with(|p| {
            p.get("setting")
                .and_then(|slug| ProgramId::from_panel_slug(&slug))
        })
    });
    move || match program.get() {
        Some(ProgramId::Copilot) => view! { <CopilotPanel /> }.into_any(),
        Some(ProgramId::Marketing) => view! { <MarketingPanel /> }.into_any(),
        None => view! { <NotFound /> }.into_any(),
    }
}

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

/// The panel's heading (it names the dialog) and the setting's full name.
#[component]
pub fn PanelHeading(
    /// The program the panel is about.
    program: ProgramId,
    /// The heading's id, which the dialog points to as its name.
    id: String,
) -> impl IntoView {
    let t = messages();
    view! {
        <div class="ts-panel__header">
            <h2 class="ts-panel__title" id=id tabindex="-1">
                {(t.program_name)(program)}
            </h2>
            <p class="ts-panel__subtitle">{(t.program_full_name)(program)}</p>
        </div>
    }
}

/// "Current setting: …", the stored state of the program, and a link to its history.
#[component]
pub fn CurrentState(
    /// The program whose stored state to show.
    program: ProgramId,
) -> impl IntoView {
    let t = messages();
    let store = use_settings();
    let base = use_route_base();
    let status = Memo::new(move |_| store.program(program).map(|p| ProgramStatus::of(&p, now())));
    move || {
        status.get().map(|status| {
            view! {
                <p class="ts-panel__state">
                    {t.current_state} ": "
                    <span class=format!("ts-status ts-status--{}", status.tone())>
                        {status.text(t)}
                    </span>
                    <a
                        class="ts-panel__history"
                        href=base.href(&routes::history_of(Some(program)))
                    >
                        {t.history.view_history}
                    </a>
                </p>
            }
        })
    }
}

/// Stands in for a panel's body while the settings load, or says why they did not.
///
/// Renders its children only once the settings are loaded.
#[component]
pub fn WhenLoaded(
    /// The panel's body.
    children: ChildrenFn,
) -> impl IntoView {
    let t = messages();
    let store = use_settings();
    let session = crate::session::use_session();
    let loaded = Memo::new(move |_| match store.state() {
        Loadable::Loading => None,
        Loadable::Failed(error) => Some(Err(error)),
        Loadable::Ready(_) => Some(Ok(())),
    });
    move || match loaded.get() {
        None => view! {
            <div class="ts-panel__body" aria-hidden="true">
                <span class="ts-skeleton ts-skeleton--line"></span>
                <span class="ts-skeleton ts-skeleton--line"></span>
                <span class="ts-skeleton ts-skeleton--title"></span>
            </div>
        }
        .into_any(),
        Some(Err(error)) => view! {
            <div class="ts-panel__body ts-load-failed" role="alert">
                <p>{format!("{} {}", t.load_failed, (t.error)(&error, None))}</p>
                <button type="button" class="ts-button" on:click=move |_| store.retry(session)>
                    {t.retry}
                </button>
            </div>
        }
        .into_any(),
        Some(Ok(())) => children().into_any(),
    }
}

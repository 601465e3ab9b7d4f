//! The setting panel route (`/settings/<setting>`) and what its panels share.

use consent_core::ProgramId;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use super::copilot_panel::CopilotPanel;
use super::marketing_panel::MarketingPanel;
use super::NotFound;
use crate::components::focus::{focus_by_id, focus_is_lost, row_id};
use crate::components::{ReadTrouble, SlowRead};
use crate::i18n::use_i18n;
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
    let t = use_i18n();
    view! {
        <div class="ts-panel__header">
            <h2 class="ts-panel__title" id=id tabindex="-1">
                {tr!(t, "program-name", program = program.as_str())}
            </h2>
            <p class="ts-panel__subtitle">{tr!(t, "program-full-name", program = program.as_str())}</p>
        </div>
    }
}

/// "Current setting: …", the stored state of the program, and a link to its history.
#[component]
pub fn CurrentState(
    /// The program whose stored state to show.
    program: ProgramId,
) -> impl IntoView {
    let t = use_i18n();
    let store = use_settings();
    let base = use_route_base();
    let status = Memo::new(move |_| store.program(program).map(|p| ProgramStatus::of(&p, now())));
    move || {
        status.get().map(|status| {
            view! {
                <p class="ts-panel__state">
                    {tr!(t, "current-state")} ": "
                    <span class=format!("ts-status ts-status--{}", status.tone())>
                        {status.text(t)}
                    </span>
                    <a
                        class="ts-panel__history"
                        href=base.href(&routes::history_of(Some(program)))
                    >
                        {tr!(t, "view-history")}
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

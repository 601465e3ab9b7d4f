//! The panel's heading and the program's stored state.

use consent_core::ProgramId;
use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::routes::{self, use_route_base};
use crate::state::{now, use_settings, ProgramStatus};

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

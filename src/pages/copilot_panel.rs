//! The Copilot data-sharing panel (`/settings/copilot-data-sharing`).

use consent_core::ProgramId;
use leptos::prelude::*;

use super::program_panel::ProgramPanel;
use crate::i18n::messages;

/// The panel of the Copilot setting: what it does, its notice, the switch.
///
/// Turning it on accepts the current notice, as the panel says beside the
/// switch; only a materially changed notice asks for a ticked acceptance.
#[component]
pub fn CopilotPanel() -> impl IntoView {
    let t = messages();
    view! {
        <ProgramPanel program=ProgramId::Copilot explicit_acceptance=false>
            {t.copilot_about.iter().map(|p| view! { <p>{*p}</p> }).collect_view()}
        </ProgramPanel>
    }
}

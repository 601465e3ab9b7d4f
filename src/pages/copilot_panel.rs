//! The Copilot data-sharing panel (`/settings/copilot-data-sharing`).

use consent_core::{ProgramId, DELETION_WINDOW_DAYS};
use leptos::prelude::*;

use super::program_panel::ProgramPanel;
use crate::i18n::use_i18n;

/// The panel of the Copilot setting: what it does, its notice, the switch.
///
/// How acceptance is asked for is a program fact in `consent-core`.
#[component]
pub fn CopilotPanel() -> impl IntoView {
    let t = use_i18n();
    view! {
        <ProgramPanel program=ProgramId::Copilot>
            <p>{tr!(t, "copilot-about-1")}</p>
            <p>{tr!(t, "copilot-about-2", days = DELETION_WINDOW_DAYS)}</p>
            <p>{tr!(t, "copilot-about-3", days = DELETION_WINDOW_DAYS)}</p>
        </ProgramPanel>
    }
}

//! The Marketing data-sharing panel (`/settings/marketing-data-sharing`).

use consent_core::ProgramId;
use leptos::prelude::*;

use super::program_panel::ProgramPanel;
use crate::i18n::use_i18n;

/// The panel of the Marketing setting: what it does; the panel adds the
/// data it covers and how long each kind is kept (from the program's facts),
/// the engagement notice and NDA to read and accept, the switch and the
/// contact preference.
#[component]
pub fn MarketingPanel() -> impl IntoView {
    let t = use_i18n();
    view! {
        <ProgramPanel program=ProgramId::Marketing>
            <p>{tr!(t, "marketing-about-1")}</p>
            <p>{tr!(t, "marketing-about-2")}</p>
        </ProgramPanel>
    }
}

//! The setting panel route (`/settings/<setting>`) and what its panels share.

use consent_core::ProgramId;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::copilot_panel::CopilotPanel;
use super::marketing_panel::MarketingPanel;
use super::NotFound;

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

//! The Marketing data-sharing panel (`/settings/marketing-data-sharing`).
//!
//! For now it shows the setting and its state; changing it needs the notice
//! and NDA acceptance step, which this panel does not offer yet.

use consent_core::ProgramId;
use leptos::prelude::*;

use super::panel::{use_close_panel, CurrentState, PanelHeading, WhenLoaded};
use crate::components::SidePanel;
use crate::i18n::messages;
use crate::routes::use_ids;

const PROGRAM: ProgramId = ProgramId::Marketing;

/// The panel of the Marketing setting: what it does and its current state (read only).
#[component]
pub fn MarketingPanel() -> impl IntoView {
    let t = messages();
    let ids = use_ids();
    let close = use_close_panel(PROGRAM);
    let title_id = ids.id("panel-title");
    view! {
        <SidePanel labelled_by=title_id.clone() busy=false on_dismiss=close>
            <PanelHeading program=PROGRAM id=title_id />
            <WhenLoaded>
                <div class="ts-panel__body">
                    <CurrentState program=PROGRAM />
                    {t.marketing_about.iter().map(|p| view! { <p>{*p}</p> }).collect_view()}
                    <p class="ts-note ts-note--info">{t.marketing_not_yet_editable}</p>
                </div>
            </WhenLoaded>
            <footer class="ts-panel__footer">
                <div class="ts-actions">
                    <button type="button" class="ts-button" on:click=move |_| close.run(())>
                        {t.close_panel}
                    </button>
                </div>
            </footer>
        </SidePanel>
    }
}

//! The Marketing data-sharing panel (`/settings/marketing-data-sharing`).

use consent_core::{ProgramId, DELETION_WINDOW_DAYS, SCHEMA_RETENTION_MONTHS};
use leptos::prelude::*;

use super::program_panel::ProgramPanel;
use crate::i18n::messages;
use crate::routes::use_ids;

/// The panel of the Marketing setting: what it does, the data it covers and
/// how long each kind is kept, the engagement notice and NDA to read and
/// accept, the switch and the contact preference.
#[component]
pub fn MarketingPanel() -> impl IntoView {
    let t = messages();
    view! {
        <ProgramPanel program=ProgramId::Marketing explicit_acceptance=true>
            {t.marketing_about.iter().map(|p| view! { <p>{*p}</p> }).collect_view()}
            <DataCategories />
        </ProgramPanel>
    }
}

/// The three kinds of data reviewed, each with where and how long it is kept.
#[component]
fn DataCategories() -> impl IntoView {
    let t = messages();
    let heading_id = use_ids().id("marketing-categories");
    let categories = (t.data_categories)(DELETION_WINDOW_DAYS, SCHEMA_RETENTION_MONTHS);
    let heading_id_ref = heading_id.clone();
    view! {
        <section class="ts-categories" aria-labelledby=heading_id_ref>
            <h3 class="ts-categories__title" id=heading_id>
                {t.data_categories_heading}
            </h3>
            <ul class="ts-categories__list">
                {categories
                    .into_iter()
                    .map(|category| {
                        view! {
                            <li class="ts-category">
                                <p class="ts-category__name">{category.name}</p>
                                <p class="ts-category__description">{category.description}</p>
                                <p class="ts-category__retention">{category.retention}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

//! The Marketing data-sharing panel (`/settings/marketing-data-sharing`).

use consent_core::{ProgramId, DELETION_WINDOW_DAYS, SCHEMA_RETENTION_MONTHS};
use leptos::prelude::*;

use super::program_panel::ProgramPanel;
use crate::i18n::use_i18n;
use crate::routes::use_ids;

/// The panel of the Marketing setting: what it does, the data it covers and
/// how long each kind is kept, the engagement notice and NDA to read and
/// accept, the switch and the contact preference.
#[component]
pub fn MarketingPanel() -> impl IntoView {
    let t = use_i18n();
    view! {
        <ProgramPanel program=ProgramId::Marketing explicit_acceptance=true>
            <p>{tr!(t, "marketing-about-1")}</p>
            <p>{tr!(t, "marketing-about-2")}</p>
            <DataCategories />
        </ProgramPanel>
    }
}

/// The three kinds of data reviewed, each with where and how long it is kept.
#[component]
fn DataCategories() -> impl IntoView {
    let t = use_i18n();
    let heading_id = use_ids().id("marketing-categories");
    let copied = tr!(t, "category-copied-retention", days = DELETION_WINDOW_DAYS);
    let categories = [
        (
            tr!(t, "category-marketing-name"),
            tr!(t, "category-marketing-description"),
            copied.clone(),
        ),
        (
            tr!(t, "category-query-name"),
            tr!(t, "category-query-description"),
            copied,
        ),
        (
            tr!(t, "category-schema-name"),
            tr!(t, "category-schema-description"),
            tr!(
                t,
                "category-schema-retention",
                months = SCHEMA_RETENTION_MONTHS
            ),
        ),
    ];
    let heading_id_ref = heading_id.clone();
    view! {
        <section class="ts-categories" aria-labelledby=heading_id_ref>
            <h3 class="ts-categories__title" id=heading_id>
                {tr!(t, "data-categories-heading")}
            </h3>
            <ul class="ts-categories__list">
                {categories
                    .into_iter()
                    .map(|(name, description, retention)| {
                        view! {
                            <li class="ts-category">
                                <p class="ts-category__name">{name}</p>
                                <p class="ts-category__description">{description}</p>
                                <p class="ts-category__retention">{retention}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

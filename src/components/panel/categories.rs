//! The kinds of data a program shares, each with where and how long it is
//! kept, as the program's facts in `consent-core` state them.

use consent_core::facts::{program_facts, RetentionPeriod};
use consent_core::ProgramId;
use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::routes::use_ids;

/// The program's data categories and their retention.
#[component]
pub fn DataCategories(
    /// The program whose categories to list.
    program: ProgramId,
) -> impl IntoView {
    let t = use_i18n();
    let heading_id = use_ids().id(&format!("{}-categories", program.as_str()));
    let heading_id_ref = heading_id.clone();
    let categories = program_facts(program).data_categories;
    view! {
        <section class="ts-categories" aria-labelledby=heading_id_ref>
            <h3 class="ts-categories__title" id=heading_id>
                {tr!(t, "data-categories-heading")}
            </h3>
            <ul class="ts-categories__list">
                {categories
                    .iter()
                    .map(|category| {
                        let count = match category.retention {
                            RetentionPeriod::Days(days) => days,
                            RetentionPeriod::Months(months) => u64::from(months),
                        };
                        view! {
                            <li class="ts-category">
                                <p class="ts-category__name">
                                    {tr!(t, "category-name", category = category.id, name = category.name)}
                                </p>
                                <p class="ts-category__description">
                                    {tr!(
                                        t, "category-description",
                                        category = category.id,
                                        description = category.description,
                                    )}
                                </p>
                                <p class="ts-category__retention">
                                    {tr!(
                                        t, "category-retention",
                                        category = category.id,
                                        count = count,
                                        rule = category.retention_rule,
                                    )}
                                </p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

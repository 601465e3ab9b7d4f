use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::routes::{use_route_base, SETTINGS};

/// Shown for an address the app does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    let t = use_i18n();
    let base = use_route_base();
    view! {
        <div class="ts-page">
            <h1 class="ts-page__title">{tr!(t, "not-found-heading")}</h1>
            <p>{tr!(t, "not-found-body")}</p>
            <p>
                <a href=base.href(SETTINGS)>{tr!(t, "go-to-settings")}</a>
            </p>
        </div>
    }
}

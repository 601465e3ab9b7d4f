use leptos::prelude::*;

use crate::i18n::messages;
use crate::routes::{use_route_base, SETTINGS};

/// Shown for an address the app does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    let t = messages();
    let base = use_route_base();
    view! {
        <div class="ts-page">
            <h1 class="ts-page__title">{t.not_found_heading}</h1>
            <p>{t.not_found_body}</p>
            <p>
                <a href=base.href(SETTINGS)>{t.go_to_settings}</a>
            </p>
        </div>
    }
}

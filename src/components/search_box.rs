//! A labelled search field that filters a list as the person types.

use leptos::prelude::*;

/// A native `type="search"` input with its visible label, bound to `query`.
#[component]
pub fn SearchBox(
    /// The element id the label points at (unique on the page).
    id: String,
    /// The visible label.
    label: String,
    /// What the person typed; written on every keystroke.
    query: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="ts-search">
            <label class="ts-search__label" for=id.clone()>
                {label}
            </label>
            <input
                class="ts-search__input"
                type="search"
                id=id
                autocomplete="off"
                spellcheck="false"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
        </div>
    }
}

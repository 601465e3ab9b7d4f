//! The "I have read and accept" box of a program's panel.

use leptos::prelude::*;

use crate::i18n::use_i18n;

/// A checkbox naming the notices and their versions, and the hint shown
/// while Save waits for it.
#[component]
pub fn AcceptanceBox(
    /// The id of the checkbox.
    id: String,
    /// The id of the hint, which Save points to while it is shown.
    hint_id: String,
    /// The label, naming every notice and version accepted.
    #[prop(into)]
    label: Signal<String>,
    /// Whether the box is ticked.
    #[prop(into)]
    checked: Signal<bool>,
    /// Whether the box takes no input.
    #[prop(into)]
    disabled: Signal<bool>,
    /// Whether to show "first confirm that you have read and accept".
    #[prop(into)]
    show_hint: Signal<bool>,
    /// Called with the new state when the person ticks or unticks the box.
    #[prop(into)]
    on_change: Callback<bool>,
) -> impl IntoView {
    let t = use_i18n();
    view! {
        <div class="ts-check">
            <input
                type="checkbox"
                class="ts-check__input"
                id=id.clone()
                prop:checked=move || checked.get()
                disabled=move || disabled.get()
                on:change=move |ev| on_change.run(event_target_checked(&ev))
            />
            <label class="ts-check__label" for=id>
                {move || label.get()}
            </label>
        </div>
        <p class="ts-note ts-note--warning" id=hint_id hidden=move || !show_hint.get()>
            {tr!(t, "accept-first")}
        </p>
    }
}

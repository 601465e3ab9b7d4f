//! An on/off switch built on a native checkbox, so keyboards, screen readers
//! and forced-colors mode work without extra code.

use leptos::prelude::*;

use crate::i18n::use_i18n;

/// A switch: a native `<input type="checkbox" role="switch">` named by a `<label for>`.
///
/// The track and thumb are decoration (`aria-hidden`); the input lies over
/// them, so a click anywhere on the switch reaches the input.
#[component]
pub fn Switch(
    /// The id of the input, which its label points to.
    id: String,
    /// The accessible name, shown as the label.
    label: String,
    /// Whether the switch is on.
    #[prop(into)]
    checked: Signal<bool>,
    /// Whether the switch takes no input.
    #[prop(into)]
    disabled: Signal<bool>,
    /// Whether a save of the switch's position is taking a while: shown as
    /// progress rather than as a plain disabled switch.
    #[prop(into, optional)]
    busy: MaybeProp<bool>,
    /// Space-separated ids of the elements that describe the switch.
    #[prop(into, optional)]
    described_by: MaybeProp<String>,
    /// Called with the new position when the person flips the switch (never on mount).
    #[prop(into)]
    on_toggle: Callback<bool>,
) -> impl IntoView {
    let t = use_i18n();
    Effect::new(move |_| {
        if !disabled.get() {
            crate::perf::mark_once(crate::perf::PANEL_INTERACTIVE);
        }
    });
    view! {
        <div
            class="ts-switch"
            class:ts-switch--disabled=move || disabled.get() && !busy.get().unwrap_or(false)
            class:ts-switch--busy=move || busy.get().unwrap_or(false)
        >
            <span class="ts-switch__control">
                <input
                    type="checkbox"
                    role="switch"
                    class="ts-switch__input"
                    id=id.clone()
                    prop:checked=move || checked.get()
                    disabled=move || disabled.get()
                    aria-describedby=move || described_by.get()
                    on:change=move |ev| on_toggle.run(event_target_checked(&ev))
                />
                <span class="ts-switch__track" aria-hidden="true">
                    <span class="ts-switch__thumb"></span>
                </span>
            </span>
            <label class="ts-switch__label" for=id>
                {label}
            </label>
            <span class="ts-switch__state" aria-hidden="true">
                {move || if checked.get() { tr!(t, "state-on") } else { tr!(t, "state-off") }}
            </span>
        </div>
    }
}

//! Marketing's "Allow the vendor to contact the system administrator" switch.

use leptos::prelude::*;

use crate::components::Switch;
use crate::i18n::use_i18n;

/// The contact preference, with what it means beneath it.
#[component]
pub fn ContactSwitch(
    /// The id of the switch.
    id: String,
    /// The id of the explanation, which describes the switch.
    help_id: String,
    /// Whether contact is allowed (as drafted).
    #[prop(into)]
    checked: Signal<bool>,
    /// Whether the switch takes no input.
    #[prop(into)]
    disabled: Signal<bool>,
    /// Whether a save is taking a while.
    #[prop(into)]
    busy: Signal<bool>,
    /// Called with the new position.
    #[prop(into)]
    on_toggle: Callback<bool>,
) -> impl IntoView {
    let t = use_i18n();
    view! {
        <Switch
            id
            label=tr!(t, "contact-switch-label")
            checked
            disabled
            busy
            described_by=help_id.clone()
            on_toggle
        />
        <p class="ts-note" id=help_id>
            {tr!(t, "contact-help")}
        </p>
    }
}

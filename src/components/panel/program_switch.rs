//! A panel's "Enable data sharing" switch with what it needs said beside it.

use leptos::prelude::*;

use crate::components::Switch;
use crate::i18n::use_i18n;

/// The switch, and the notes that describe it: why it cannot be turned on
/// (or only off), that only administrators can change it, and which notice
/// version saving accepts.
#[component]
pub fn ProgramSwitch(
    /// What the ids of the switch (`<prefix>-switch`) and its notes start with.
    prefix: String,
    /// Whether the switch is on (as drafted).
    #[prop(into)]
    checked: Signal<bool>,
    /// Whether the switch takes no input.
    #[prop(into)]
    disabled: Signal<bool>,
    /// Whether a save is taking a while.
    #[prop(into)]
    busy: Signal<bool>,
    /// Why the tenant cannot have the program on, in words.
    #[prop(into)]
    ineligible: Signal<Option<String>>,
    /// Whether the person may change the setting.
    #[prop(into)]
    can_edit: Signal<bool>,
    /// The notice version saving accepts, where there is no box to tick.
    #[prop(into)]
    accepts_version: Signal<Option<u32>>,
    /// Called with the new position.
    #[prop(into)]
    on_toggle: Callback<bool>,
) -> impl IntoView {
    let t = use_i18n();
    let id = format!("{prefix}-switch");
    let reason_id = format!("{prefix}-ineligible");
    let roles_id = format!("{prefix}-roles");
    let accept_id = format!("{prefix}-accept");
    let accepts_shown = Signal::derive(move || accepts_version.get().filter(|_| can_edit.get()));
    let described_by = {
        let (reason_id, roles_id, accept_id) =
            (reason_id.clone(), roles_id.clone(), accept_id.clone());
        Signal::derive(move || {
            let mut ids = Vec::new();
            if ineligible.with(Option::is_some) {
                ids.push(reason_id.as_str());
            }
            if !can_edit.get() {
                ids.push(roles_id.as_str());
            }
            if accepts_shown.with(Option::is_some) {
                ids.push(accept_id.as_str());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        })
    };
    view! {
        <Switch
            id
            label=tr!(t, "switch-label")
            checked
            disabled
            busy
            described_by
            on_toggle
        />
        {move || {
            ineligible
                .get()
                .map(|why| view! { <p class="ts-note ts-note--info" id=reason_id.clone()>{why}</p> })
        }}
        {move || {
            (!can_edit.get())
                .then(|| view! { <p class="ts-note" id=roles_id.clone()>{tr!(t, "admins-only")}</p> })
        }}
        {move || {
            accepts_shown
                .get()
                .map(|version| {
                    view! {
                        <p class="ts-note" id=accept_id.clone()>
                            {tr!(t, "accepts-notice", version = version)}
                        </p>
                    }
                })
        }}
    }
}

//! The panel's footer: the status line, Save and Cancel.

use leptos::prelude::*;

use crate::i18n::use_i18n;

/// The status line (announced politely), Save and Cancel.
#[component]
pub fn PanelFooter(
    /// The id of Save, where focus may need to go after a save.
    save_id: String,
    /// What the status line says ("Saving…", "Saved").
    #[prop(into)]
    status: Signal<String>,
    /// Whether Save is disabled (nothing to save, or not yet possible).
    #[prop(into)]
    save_disabled: Signal<bool>,
    /// Whether a save is on its way: Save keeps focus but takes no clicks, Cancel is disabled.
    #[prop(into)]
    in_flight: Signal<bool>,
    /// Whether the save is taking a while: Save shows progress.
    #[prop(into)]
    slow: Signal<bool>,
    /// The id of what explains why Save waits, if anything does.
    #[prop(into)]
    save_hint: Signal<Option<String>>,
    /// Called when Save is pressed.
    #[prop(into)]
    on_save: Callback<()>,
    /// Called when Cancel is pressed.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let t = use_i18n();
    view! {
        <div class="ts-panel__footer">
            <p class="ts-panel__live" role="status" aria-live="polite">
                {move || status.get()}
            </p>
            <div class="ts-actions">
                <button
                    type="button"
                    id=save_id
                    class="ts-button ts-button--primary"
                    class:ts-button--busy=move || slow.get()
                    // While saving, the button keeps focus (aria-disabled) and the panel ignores clicks.
                    disabled=move || save_disabled.get()
                    aria-disabled=move || in_flight.get().then_some("true")
                    aria-describedby=move || save_hint.get()
                    on:click=move |_| on_save.run(())
                >
                    {move || {
                        if slow.get() {
                            view! {
                                <span class="ts-spinner" aria-hidden="true"></span>
                                {tr!(t, "saving")}
                            }
                                .into_any()
                        } else {
                            tr!(t, "save").into_any()
                        }
                    }}
                </button>
                <button
                    type="button"
                    class="ts-button"
                    disabled=move || in_flight.get()
                    on:click=move |_| on_cancel.run(())
                >
                    {tr!(t, "cancel")}
                </button>
            </div>
        </div>
    }
}

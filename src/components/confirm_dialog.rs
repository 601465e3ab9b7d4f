//! A question that must be answered before going on.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::focus::{focus, trap_tab};

/// A modal confirmation (`role="alertdialog"`), labelled by its question and
/// described by its consequence.
///
/// Focus starts on the safe button and stays inside the dialog; Escape means
/// the safe answer. Buttons say what they do, never "OK".
#[component]
pub fn ConfirmDialog(
    /// A unique id; the title and body ids derive from it.
    id: String,
    /// The question, shown as the heading.
    title: String,
    /// What going ahead means, in a sentence or two.
    #[prop(into)]
    body: Signal<String>,
    /// The label of the button that goes ahead ("Turn off").
    confirm_label: String,
    /// The label of the safe button ("Keep sharing"); it has focus first.
    cancel_label: String,
    /// Called when the person goes ahead.
    #[prop(into)]
    on_confirm: Callback<()>,
    /// Called when the person takes the safe answer (the button or Escape).
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    let body_id = format!("{id}-body");
    let (labelled_by, described_by) = (title_id.clone(), body_id.clone());
    let dialog = NodeRef::<html::Div>::new();
    let safe = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if let Some(safe) = safe.get() {
            focus(&safe);
        }
    });
    let on_keydown = move |ev: KeyboardEvent| {
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                on_cancel.run(());
            }
            "Tab" => {
                if let Some(dialog) = dialog.get_untracked() {
                    trap_tab(&dialog, &ev);
                }
            }
            _ => return,
        }
        // The panel around the dialog must not act on the same key.
        ev.stop_propagation();
    };
    view! {
        <div class="ts-confirm-layer">
            <div
                class="ts-confirm"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                aria-describedby=described_by
                node_ref=dialog
                on:keydown=on_keydown
            >
                <h3 class="ts-confirm__title" id=title_id>
                    {title}
                </h3>
                <p class="ts-confirm__body" id=body_id>
                    {move || body.get()}
                </p>
                <div class="ts-actions">
                    <button
                        type="button"
                        class="ts-button ts-button--danger"
                        on:click=move |_| on_confirm.run(())
                    >
                        {confirm_label}
                    </button>
                    <button
                        type="button"
                        class="ts-button"
                        node_ref=safe
                        on:click=move |_| on_cancel.run(())
                    >
                        {cancel_label}
                    </button>
                </div>
            </div>
        </div>
    }
}

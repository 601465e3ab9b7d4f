//! A modal side panel: the frame of a setting's panel.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::focus::{focus, trap_tab};
use crate::i18n::use_i18n;

/// A modal side panel (`role="dialog"`, `aria-modal`) named by a heading inside it.
///
/// Focus moves into the panel when it opens and stays inside while it is
/// open; Escape, the close button and a click beside the panel ask to close
/// it. Returning focus after closing is up to the owner, which knows where
/// the person came from.
#[component]
pub fn SidePanel(
    /// The id of the heading that names the panel.
    labelled_by: String,
    /// Whether the panel waits on the server (announced as `aria-busy`).
    #[prop(into)]
    busy: Signal<bool>,
    /// Called when the person asks to close the panel.
    #[prop(into)]
    on_dismiss: Callback<()>,
    /// The panel's content, starting with its heading.
    children: Children,
) -> impl IntoView {
    let t = use_i18n();
    let panel = NodeRef::<html::Section>::new();
    Effect::new(move |_| {
        if let Some(panel) = panel.get() {
            focus(&panel);
        }
    });
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.default_prevented() {
            return;
        }
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                on_dismiss.run(());
            }
            "Tab" => {
                if let Some(panel) = panel.get_untracked() {
                    trap_tab(&panel, &ev);
                }
            }
            _ => {}
        }
    };
    view! {
        <div class="ts-panel-layer">
            <div class="ts-panel-layer__backdrop" on:click=move |_| on_dismiss.run(())></div>
            <section
                class="ts-panel"
                role="dialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                aria-busy=move || busy.get().then_some("true")
                tabindex="-1"
                node_ref=panel
                on:keydown=on_keydown
            >
                <button
                    type="button"
                    class="ts-panel__close"
                    title=tr!(t, "close-panel")
                    on:click=move |_| on_dismiss.run(())
                >
                    <span aria-hidden="true">"×"</span>
                    <span class="ts-visually-hidden">{tr!(t, "close-panel")}</span>
                </button>
                {children()}
            </section>
        </div>
    }
}

//! The questions a panel asks before turning a program off or dropping a change.

use leptos::prelude::*;

use crate::components::ConfirmDialog;
use crate::i18n::use_i18n;
use crate::save::Question;

/// The dialog of the question the panel asks now, if any.
#[component]
pub fn PanelQuestion(
    /// Which question to ask.
    #[prop(into)]
    question: Signal<Question>,
    /// The dialog's id.
    id: String,
    /// What turning off means: when shared data is deleted.
    #[prop(into)]
    turn_off_body: Signal<String>,
    /// Called with the question and whether the person went ahead
    /// ("Turn off", "Discard change") or took the safe answer.
    #[prop(into)]
    on_answer: Callback<(Question, bool)>,
) -> impl IntoView {
    let t = use_i18n();
    move || {
        let id = id.clone();
        let asked = question.get();
        let answer =
            move |go_ahead: bool| Callback::new(move |()| on_answer.run((asked, go_ahead)));
        match asked {
            Question::None => None,
            Question::TurnOff => Some(
                view! {
                    <ConfirmDialog
                        id
                        title=tr!(t, "confirm-off-title")
                        body=turn_off_body
                        confirm_label=tr!(t, "turn-off")
                        cancel_label=tr!(t, "keep-sharing")
                        on_confirm=answer(true)
                        on_cancel=answer(false)
                    />
                }
                .into_any(),
            ),
            Question::Discard => Some(
                view! {
                    <ConfirmDialog
                        id
                        title=tr!(t, "discard-title")
                        body=Signal::derive(move || tr!(t, "discard-body"))
                        confirm_label=tr!(t, "discard")
                        cancel_label=tr!(t, "keep-editing")
                        on_confirm=answer(true)
                        on_cancel=answer(false)
                    />
                }
                .into_any(),
            ),
        }
    }
}

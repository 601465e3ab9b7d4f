//! What a panel says when a save failed, and the way forward.

use consent_core::{DataSharingDocument, ProgramId};
use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::WhatChanged;
use crate::i18n::{error_text, use_i18n, I18n};
use crate::save::NextStep;

/// What went wrong with a save, in words. When the server could not be
/// reached, the change may have been stored all the same: say so, rather
/// than "nothing was changed".
fn save_error(t: I18n, error: &ApiError, state_now: Option<&str>) -> String {
    match error {
        ApiError::Network | ApiError::Offline => tr!(t, "save-outcome-unknown"),
        _ => error_text(t, error, state_now),
    }
}

/// The failure, announced (with what changed when someone else saved
/// first), then a button for the way forward.
#[component]
pub fn SaveFailure(
    /// The program the panel changes.
    program: ProgramId,
    /// Why the last save failed, if it did.
    #[prop(into)]
    failure: Signal<Option<ApiError>>,
    /// After a conflict: the settings the draft was made on, and those stored now.
    #[prop(into)]
    conflict: Signal<Option<(DataSharingDocument, DataSharingDocument)>>,
    /// The stored state in words, for messages that name it.
    #[prop(into)]
    state_now: Signal<Option<String>>,
    /// The way forward, if there is one.
    #[prop(into)]
    next_step: Signal<Option<NextStep>>,
    /// Called when the person takes it.
    #[prop(into)]
    on_step: Callback<NextStep>,
) -> impl IntoView {
    let t = use_i18n();
    view! {
        <div class="ts-alert-slot" role="alert">
            {move || {
                failure
                    .get()
                    .map(|error| {
                        view! {
                            <div class="ts-alert">
                                <p>{save_error(t, &error, state_now.get().as_deref())}</p>
                                {conflict
                                    .get()
                                    .map(|(base, current)| {
                                        view! { <WhatChanged base current program /> }
                                    })}
                            </div>
                        }
                    })
            }}
        </div>
        {move || {
            next_step
                .get()
                .map(|step| {
                    let label = match step {
                        NextStep::Retry => tr!(t, "retry"),
                        NextStep::SignInAgain => tr!(t, "sign-in-again"),
                        NextStep::ShowCurrent => tr!(t, "show-current-setting"),
                    };
                    view! {
                        <div class="ts-actions">
                            <button type="button" class="ts-button" on:click=move |_| on_step.run(step)>
                                {label}
                            </button>
                        </div>
                    }
                })
        }}
    }
}

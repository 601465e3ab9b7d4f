//! What a panel says when a save failed, and the way forward.

use consent_core::{DataSharingDocument, ProgramId};
use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::WhatChanged;
use crate::i18n::{error_text, use_i18n, I18n};
use crate::save::NextStep;

/// What went wrong with a save, in words. When the server could not be
/// reached, the change may have been stored all the same: say so, rather
/// than "nothing was changed". Too many changes: say when to save again.
pub fn save_error(t: I18n, error: &ApiError, state_now: Option<&str>) -> String {
    match error {
        ApiError::Network | ApiError::Offline => tr!(t, "save-outcome-unknown"),
        ApiError::RateLimited { retry_after } => {
            tr!(t, "save-rate-limited", seconds = *retry_after)
        }
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

#[cfg(test)]
mod tests {
    use super::save_error;
    use crate::api::ApiError;
    use crate::i18n::{error_text, I18n, Language};

    // Guards what a save refused for too many changes says, in both
    // languages: the wait the server asked for, and that the draft is kept.
    #[test]
    fn a_rate_limited_save_says_when_to_try_again() {
        let limited = ApiError::RateLimited { retry_after: 12 };
        assert_eq!(
            save_error(I18n::of(Language::English), &limited, None),
            "Too many changes. Try again in 12 s. Your change was not saved and is still shown."
        );
        assert_eq!(
            save_error(I18n::of(Language::German), &limited, None),
            "Zu viele Änderungen. Bitte in 12 s erneut versuchen. Ihre Änderung wurde nicht \
             gespeichert und wird weiter angezeigt."
        );
        // Elsewhere (a read refused the same way) the words are about requests.
        assert_eq!(
            error_text(I18n::of(Language::English), &limited, None),
            "Too many requests in a short time. Try again in 12 s."
        );
    }
}

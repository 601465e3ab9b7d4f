//! What a program's panel does when the person saves, answers a question,
//! takes the way forward after a failure, or closes it: the panel's
//! [`SaveController`] decides, these do the sending, focusing and closing.

use consent_core::{DataSharingDocument, ProgramId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{new_idempotency_key, ApiError};
use crate::components::focus::{focus_by_id, focus_is_lost, focused_id};
use crate::draft::Draft;
use crate::host::HostEvents;
use crate::notices::ShownLanguages;
use crate::save::{
    Attempt, Next, NextStep, Question, SaveController, SAVE_PROGRESS_AFTER, SLOW_SAVE_AFTER,
};
use crate::session::Session;
use crate::state::SettingsStore;

/// The ids focus goes to.
#[derive(Debug, Clone)]
pub struct PanelFocus {
    /// The panel's heading, after turning off is confirmed.
    pub title: String,
    /// The switch, after a question is answered "no", or a save.
    pub switch: String,
    /// Save, which turns disabled after a save.
    pub save: String,
}

/// A `Copy` handle to everything the panel's actions touch.
#[derive(Clone, Copy)]
pub struct PanelActions {
    pub program: ProgramId,
    pub flow: RwSignal<SaveController>,
    /// A save waiting a moment shows progress on its button and the switches.
    pub slow: RwSignal<bool>,
    /// After a save lost the race: the settings the draft was based on, and those stored now.
    pub conflict: RwSignal<Option<(DataSharingDocument, DataSharingDocument)>>,
    pub draft: RwSignal<Draft>,
    pub store: SettingsStore,
    pub session: Session,
    pub host: HostEvents,
    pub shown_languages: ShownLanguages,
    pub close: Callback<()>,
    pub focus: StoredValue<PanelFocus>,
}

impl PanelActions {
    /// Save pressed: sends the draft, or asks first when it turns the program off.
    pub fn save(self) {
        let Some(snapshot) = self.store.snapshot_untracked() else {
            return;
        };
        let Some(current) = snapshot.document.program(self.program).cloned() else {
            return;
        };
        let languages = self.shown_languages;
        let next = self.draft.with_untracked(|d| {
            self.flow.try_update(|f| {
                f.save(d, &current, snapshot, new_idempotency_key(), |a| {
                    languages.fill(a)
                })
            })
        });
        if next == Some(Next::Send) {
            self.send();
        }
    }

    /// Sends the controller's attempt (again, under the same key, for Retry).
    pub fn send(self) {
        let Some(Attempt { key, change, base }) =
            self.flow.try_update(SaveController::send).flatten()
        else {
            return;
        };
        let Self {
            program,
            flow,
            slow,
            conflict,
            draft,
            store,
            session,
            host,
            focus,
            ..
        } = self;
        let (client, tenant) = (session.client(), session.tenant());
        slow.set(false);
        conflict.set(None);
        // After a moment the button shows progress; after longer, the panel
        // says the server is slow. Only for this attempt, if still waiting.
        let sent = key.clone();
        set_timeout(
            move || {
                flow.try_update(|f| f.waited(&sent));
            },
            SLOW_SAVE_AFTER,
        );
        set_timeout(
            move || {
                if flow.try_with_untracked(SaveController::in_flight) == Some(true) {
                    slow.try_set(true);
                }
            },
            SAVE_PROGRESS_AFTER,
        );
        spawn_local(async move {
            let result = client
                .change_program(&tenant, program, &change, &base.etag, Some(&key))
                .await;
            slow.try_set(false);
            match result {
                Ok((document, etag)) => {
                    host.data_sharing_changed(program, &document);
                    store.apply(document, etag);
                    draft.try_set(Draft::default());
                    flow.try_update(|f| f.answered(Ok(())));
                    // Save has nothing left to save and turns disabled: if it
                    // (or nothing) has focus once the page shows that, move
                    // focus to the switch rather than let it fall to the page.
                    if let Some(ids) = focus.try_get_value() {
                        request_animation_frame(move || {
                            if focus_is_lost() || focused_id().as_deref() == Some(ids.save.as_str())
                            {
                                focus_by_id(&ids.switch);
                            }
                        });
                    }
                }
                Err(error) => {
                    // Someone else's change is the state now; show it, keep the draft.
                    if let ApiError::Conflict { current } = &error {
                        store.apply((**current).clone(), current.etag());
                        conflict.try_set(Some((base.document, (**current).clone())));
                    }
                    flow.try_update(|f| f.answered(Err(error)));
                }
            }
        });
    }

    /// The way forward after a failed save.
    pub fn next_step(self, step: NextStep) {
        match step {
            NextStep::Retry => self.send(),
            NextStep::SignInAgain => spawn_local(async move {
                self.session.renew().await;
                // The panel may have been closed meanwhile; then there is nothing to retry.
                if self.flow.try_with_untracked(|_| ()).is_some() {
                    self.send();
                }
            }),
            NextStep::ShowCurrent => {
                if self.flow.try_update(SaveController::show_current) == Some(true) {
                    self.store.load(self.session);
                }
                self.draft.set(Draft::default());
            }
        }
    }

    /// The panel is asked to close (Escape, the close button, Back).
    pub fn dismiss(self, dirty: bool) {
        if self.flow.try_update(|f| f.dismiss(dirty)) == Some(Next::Close) {
            self.close.run(());
        }
    }

    /// Cancel: the draft goes, and so does the panel.
    pub fn cancel(self) {
        self.draft.set(Draft::default());
        self.close.run(());
    }

    /// The person answered the panel's question.
    pub fn answer(self, asked: Question, go_ahead: bool) {
        let PanelFocus { title, switch, .. } = self.focus.get_value();
        match (asked, go_ahead) {
            (Question::TurnOff, true) => {
                let next = self.flow.try_update(SaveController::confirm_turn_off);
                focus_by_id(&title);
                if next == Some(Next::Send) {
                    self.send();
                }
            }
            (Question::TurnOff, false) => {
                self.flow.update(SaveController::answer_no);
                self.draft.update(|d| d.enabled = None);
                focus_by_id(&switch);
            }
            (Question::Discard, true) => {
                self.flow.update(SaveController::answer_no);
                self.cancel();
            }
            (Question::Discard, false) => {
                self.flow.update(SaveController::answer_no);
                focus_by_id(&switch);
            }
            (Question::None, _) => {}
        }
    }
}

//! The save workflow of a program's panel, as plain data: when Save sends a
//! change, when it asks first, what a failed attempt offers next, and what
//! the panel says meanwhile. The panel keeps one [`SaveController`] in a
//! signal and does the sending; everything it decides is here, tested
//! natively like the draft.

use consent_core::{ChangeRequest, NoticeAcceptance, ProgramView};

use crate::api::ApiError;
use crate::draft::Draft;
use crate::state::Snapshot;

/// Where saving stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Saving {
    #[default]
    Idle,
    InFlight,
    Done,
    Failed(ApiError),
}

/// Which question the panel is asking, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Question {
    #[default]
    None,
    /// Turning a saved-on program off: confirm, stating the deletion dates.
    TurnOff,
    /// Closing with an unsaved change: discard it?
    Discard,
}

/// The change a Save sent: the request, the settings it was made on, and its
/// idempotency key. "Retry" sends this same attempt again, so if the first
/// was stored but its answer lost, the server answers with that first result.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub key: String,
    pub change: ChangeRequest,
    pub base: Snapshot,
}

/// What the panel does after Save, or after the person closes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Nothing to do (nothing to save, blocked, or already saving).
    Stay,
    /// Ask the panel's question first.
    Ask,
    /// Send the attempt.
    Send,
    /// Close the panel.
    Close,
}

/// The way forward after a failed save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Send the same change again.
    Retry,
    /// Get fresh credentials, then send it again.
    SignInAgain,
    /// Drop the draft and show the stored state.
    ShowCurrent,
}

/// What the panel's live status line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Quiet,
    Saving,
    /// Still saving after [`SLOW_SAVE_AFTER`]: the server is slow.
    SavingSlowly,
    Saved,
}

/// How long a save may take before its progress is shown on the button.
pub const SAVE_PROGRESS_AFTER: std::time::Duration = std::time::Duration::from_millis(300);

/// How long a save may take before the panel says the server is slow.
pub const SLOW_SAVE_AFTER: std::time::Duration = std::time::Duration::from_millis(1500);

/// One panel's save workflow.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SaveController {
    saving: Saving,
    attempt: Option<Attempt>,
    question: Question,
    slow: bool,
}

impl SaveController {
    /// Where saving stands.
    #[cfg(test)]
    pub fn saving(&self) -> &Saving {
        &self.saving
    }

    /// Whether a change is on its way.
    pub fn in_flight(&self) -> bool {
        self.saving == Saving::InFlight
    }

    /// The question the panel asks now.
    pub fn question(&self) -> Question {
        self.question
    }

    /// The attempt Save made last.
    #[cfg(test)]
    pub fn attempt(&self) -> Option<&Attempt> {
        self.attempt.as_ref()
    }

    /// The failure of the last attempt, if it failed.
    pub fn failure(&self) -> Option<&ApiError> {
        match &self.saving {
            Saving::Failed(error) => Some(error),
            _ => None,
        }
    }

    /// Save pressed with `draft` on the settings `base`: the attempt to send
    /// under the new idempotency `key`, asking first when it turns a program
    /// off. `name_languages` names the language each accepted notice was
    /// read in, for the receipt.
    pub fn save(
        &mut self,
        draft: &Draft,
        program: &ProgramView,
        base: Snapshot,
        key: String,
        name_languages: impl FnOnce(Vec<NoticeAcceptance>) -> Vec<NoticeAcceptance>,
    ) -> Next {
        if self.in_flight() || !draft.is_dirty(program) || draft.blocked(program).is_some() {
            return Next::Stay;
        }
        let mut change = draft.request(program);
        change.accept_notices = name_languages(change.accept_notices);
        self.attempt = Some(Attempt { key, change, base });
        if draft.turns_off(program) {
            self.question = Question::TurnOff;
            Next::Ask
        } else {
            Next::Send
        }
    }

    /// The attempt to send now; marks it on its way.
    pub fn send(&mut self) -> Option<Attempt> {
        let attempt = self.attempt.clone()?;
        self.saving = Saving::InFlight;
        self.slow = false;
        Some(attempt)
    }

    /// The turn-off question answered "Turn off".
    pub fn confirm_turn_off(&mut self) -> Next {
        self.question = Question::None;
        if self.attempt.is_some() {
            Next::Send
        } else {
            Next::Stay
        }
    }

    /// A question answered "no" (keep sharing, keep editing).
    pub fn answer_no(&mut self) {
        self.question = Question::None;
    }

    /// The attempt under `key` is still waiting after [`SLOW_SAVE_AFTER`].
    pub fn waited(&mut self, key: &str) {
        if self.in_flight() && self.attempt.as_ref().is_some_and(|a| a.key == key) {
            self.slow = true;
        }
    }

    /// The server answered the attempt.
    pub fn answered(&mut self, result: Result<(), ApiError>) {
        self.slow = false;
        self.saving = match result {
            Ok(()) => Saving::Done,
            Err(error) => Saving::Failed(error),
        };
    }

    /// The person changed the draft. "Saved" no longer describes it, and
    /// "Retry" would send the change as it was: both go.
    pub fn edited(&mut self) {
        if matches!(self.saving, Saving::Done | Saving::Failed(_)) {
            self.saving = Saving::Idle;
        }
    }

    /// "Show current setting": the draft goes. Returns whether the settings
    /// must be read again (a refusal may mean the page is stale; a conflict
    /// already brought the current state).
    pub fn show_current(&mut self) -> bool {
        let reload = matches!(self.saving, Saving::Failed(ApiError::Refused { .. }));
        self.saving = Saving::Idle;
        reload
    }

    /// The panel is asked to close: with an unsaved change, ask first.
    pub fn dismiss(&mut self, dirty: bool) -> Next {
        if dirty && !self.in_flight() {
            self.question = Question::Discard;
            Next::Ask
        } else {
            Next::Close
        }
    }

    /// The status line.
    pub fn status(&self) -> Status {
        match self.saving {
            Saving::InFlight if self.slow => Status::SavingSlowly,
            Saving::InFlight => Status::Saving,
            Saving::Done => Status::Saved,
            _ => Status::Quiet,
        }
    }

    /// The way forward after a failed save; none when there is nothing to try.
    pub fn next_step(&self) -> Option<NextStep> {
        match self.failure()? {
            ApiError::Offline | ApiError::Network | ApiError::Server { .. } => {
                Some(NextStep::Retry)
            }
            ApiError::Unauthorized => Some(NextStep::SignInAgain),
            ApiError::Conflict { .. } | ApiError::Refused { .. } => Some(NextStep::ShowCurrent),
            // Trying again at once would only be refused again: the message
            // says when, and Save (still enabled: the draft is kept) is the way.
            ApiError::RateLimited { .. } | ApiError::Forbidden | ApiError::NotFound => None,
        }
    }
}

#[cfg(test)]
mod tests;

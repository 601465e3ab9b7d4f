//! What a person changed in a setting's panel but has not saved yet.
//!
//! The draft lives in the app, not in the panel, so it survives the panel
//! closing for a moment: reading a notice on its own page, or Back and
//! Forward. It is dropped on Save, Cancel and "Discard change".

use consent_core::policy::{evaluate, AcceptanceAsk, Evaluation, Proposal, Standing};
use consent_core::{ChangeRequest, NoticeRef, ProgramId, ProgramView, Refusal, Timestamp};
use leptos::prelude::*;

/// The unsaved choices of one program's panel; `None` means "as saved".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// The "Enable data sharing" switch.
    pub enabled: Option<bool>,
    /// Marketing's "Allow the vendor to contact the system administrator" switch.
    pub contact_allowed: Option<bool>,
    /// The notice versions named by the "I have read and accept" box when it was ticked.
    pub accepted: Option<Vec<NoticeRef>>,
}

/// Why a draft cannot be saved yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// The change needs the current notices accepted, and the box is not ticked.
    NeedsAcceptance,
    /// The tenant cannot have this program on (turning it off is all it takes).
    Ineligible,
}

impl Draft {
    /// The switch as the panel shows it.
    pub fn enabled(&self, saved: &ProgramView) -> bool {
        self.enabled.unwrap_or(saved.enabled)
    }

    /// What the consent rules say about this draft, as the person has
    /// agreed to it so far: the box counts only while it is shown and ticked
    /// for the current versions, and a switch that says "saving accepts"
    /// counts as accepting. `now` only matters for a pending deletion.
    pub fn evaluate_at(&self, saved: &ProgramView, now: Timestamp) -> Evaluation {
        let standing = Standing::of_view(saved);
        let mut proposal = Proposal::from(&self.request_without_acceptance(saved));
        let ask = evaluate(&standing, &proposal, now).ask;
        let agreed = match ask {
            AcceptanceAsk::None => false,
            AcceptanceAsk::SavingAccepts => true,
            AcceptanceAsk::TickBox => self.accepts_current(saved),
        };
        if agreed {
            proposal.accepts = saved.notices.clone();
        }
        evaluate(&standing, &proposal, now)
    }

    fn evaluate(&self, saved: &ProgramView) -> Evaluation {
        // Nothing below depends on the clock but the pending deletion, which a draft never reads.
        self.evaluate_at(saved, Timestamp::UNIX_EPOCH)
    }

    /// The contact preference as the panel shows it (`None` for programs
    /// without one). Opting in allows contact unless the person says otherwise.
    pub fn contact_allowed(&self, saved: &ProgramView) -> Option<bool> {
        let shown = Draft {
            enabled: Some(true),
            ..self.clone()
        };
        shown.evaluate(saved).contact_allowed
    }

    /// Whether the acceptance box is ticked for the notice versions now current.
    pub fn accepts_current(&self, saved: &ProgramView) -> bool {
        self.accepted.as_ref() == Some(&saved.notices)
    }

    /// Whether the panel shows the "I have read and accept" box: when a
    /// changed notice waits for re-acceptance, and when opting in to a
    /// program that asks for it explicitly; never for a program the tenant
    /// can no longer have on.
    pub fn offers_acceptance(&self, saved: &ProgramView) -> bool {
        self.evaluate(saved).ask == AcceptanceAsk::TickBox
    }

    /// Whether the draft differs from what is saved (saving would record something).
    pub fn is_dirty(&self, saved: &ProgramView) -> bool {
        self.evaluate(saved).action.is_some()
    }

    /// Why the draft cannot be saved yet, if it cannot.
    pub fn blocked(&self, saved: &ProgramView) -> Option<Blocked> {
        match self.evaluate(saved).refusal? {
            Refusal::RegionIneligible => Some(Blocked::Ineligible),
            // Whatever else the rules refuse, the draft needs the notices accepted first.
            _ => Some(Blocked::NeedsAcceptance),
        }
    }

    /// Whether saving turns a program that is on off (and so asks first).
    pub fn turns_off(&self, saved: &ProgramView) -> bool {
        saved.enabled && !self.enabled(saved)
    }

    /// The change request that saves this draft.
    ///
    /// Turning on accepts the current notices (the panel has said so, or the
    /// box is ticked); staying on accepts them only when the box is ticked.
    pub fn request(&self, saved: &ProgramView) -> ChangeRequest {
        let mut request = self.request_without_acceptance(saved);
        if request.enabled && (!saved.enabled || self.accepts_current(saved)) {
            request.accept_notices = saved.notices.iter().cloned().map(Into::into).collect();
        }
        request
    }

    fn request_without_acceptance(&self, saved: &ProgramView) -> ChangeRequest {
        let enabled = self.enabled(saved);
        let mut request = ChangeRequest {
            enabled,
            accept_notices: Vec::new(),
            // The preference is only sent while the program is (to be) on.
            contact_allowed: self
                .contact_allowed
                .filter(|_| enabled && saved.id.has_contact_preference()),
        };
        if enabled {
            // Sent as shown, the rules' default filled in.
            request.contact_allowed = evaluate(
                &Standing::of_view(saved),
                &Proposal::from(&request),
                Timestamp::UNIX_EPOCH,
            )
            .contact_allowed;
        }
        request
    }
}

/// A `Copy` handle to every panel's draft, provided as context by the app.
#[derive(Clone, Copy)]
pub struct Drafts {
    copilot: RwSignal<Draft>,
    marketing: RwSignal<Draft>,
}

impl Drafts {
    /// No unsaved changes anywhere.
    pub fn new() -> Drafts {
        Drafts {
            copilot: RwSignal::new(Draft::default()),
            marketing: RwSignal::new(Draft::default()),
        }
    }

    /// The draft of `program`'s panel.
    pub fn of(&self, program: ProgramId) -> RwSignal<Draft> {
        match program {
            ProgramId::Copilot => self.copilot,
            ProgramId::Marketing => self.marketing,
        }
    }
}

impl Default for Drafts {
    fn default() -> Drafts {
        Drafts::new()
    }
}

/// The drafts of the surrounding app.
pub fn use_drafts() -> Drafts {
    expect_context::<Drafts>()
}

#[cfg(test)]
mod tests;

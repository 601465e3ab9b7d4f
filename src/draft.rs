//! What a person changed in a setting's panel but has not saved yet.
//!
//! The draft lives in the app, not in the panel, so it survives the panel
//! closing for a moment: reading a notice on its own page, or Back and
//! Forward. It is dropped on Save, Cancel and "Discard change".

use consent_core::rules::change_needs_current_notices;
use consent_core::{ChangeRequest, NoticeRef, ProgramId, ProgramView};
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
    /// The tenant cannot turn this program on.
    Ineligible,
}

impl Draft {
    /// The switch as the panel shows it.
    pub fn enabled(&self, saved: &ProgramView) -> bool {
        self.enabled.unwrap_or(saved.enabled)
    }

    /// The contact preference as the panel shows it (`None` for programs
    /// without one). Opting in allows contact unless the person says otherwise.
    pub fn contact_allowed(&self, saved: &ProgramView) -> Option<bool> {
        if !saved.id.has_contact_preference() {
            return None;
        }
        let default = if saved.enabled {
            saved.contact_allowed.unwrap_or(true)
        } else {
            true
        };
        Some(self.contact_allowed.unwrap_or(default))
    }

    /// Whether the acceptance box is ticked for the notice versions now current.
    pub fn accepts_current(&self, saved: &ProgramView) -> bool {
        self.accepted.as_ref() == Some(&saved.notices)
    }

    /// Whether the panel shows the "I have read and accept" box: when a
    /// changed notice waits for re-acceptance, and when opting in to a
    /// program that asks for it explicitly (`explicit_at_opt_in`).
    pub fn offers_acceptance(&self, saved: &ProgramView, explicit_at_opt_in: bool) -> bool {
        self.enabled(saved)
            && if saved.enabled {
                saved.reconsent_required
            } else {
                explicit_at_opt_in
            }
    }

    /// Whether saving needs the box ticked (the consent rule, applied to this draft).
    pub fn needs_acceptance(&self, saved: &ProgramView, explicit_at_opt_in: bool) -> bool {
        self.offers_acceptance(saved, explicit_at_opt_in)
            && change_needs_current_notices(
                saved.enabled,
                saved.contact_allowed,
                &self.request_without_acceptance(saved),
            )
    }

    /// Whether the draft differs from what is saved.
    pub fn is_dirty(&self, saved: &ProgramView) -> bool {
        let enabled = self.enabled(saved);
        enabled != saved.enabled
            || (enabled && self.contact_allowed(saved) != saved.contact_allowed)
            || (enabled && saved.reconsent_required && self.accepts_current(saved))
    }

    /// Why the draft cannot be saved yet, if it cannot.
    pub fn blocked(&self, saved: &ProgramView, explicit_at_opt_in: bool) -> Option<Blocked> {
        let enabled = self.enabled(saved);
        if enabled && !saved.enabled && !saved.eligible {
            Some(Blocked::Ineligible)
        } else if self.needs_acceptance(saved, explicit_at_opt_in) && !self.accepts_current(saved) {
            Some(Blocked::NeedsAcceptance)
        } else {
            None
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
        ChangeRequest {
            enabled,
            accept_notices: Vec::new(),
            // The preference is only sent while the program is (to be) on.
            contact_allowed: if enabled {
                self.contact_allowed(saved)
            } else {
                None
            },
        }
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
mod tests {
    use consent_core::{NoticeAcceptance, NoticeRef, ProgramId, ProgramView};

    use super::{Blocked, Draft};

    fn notice(id: &str, version: u32) -> NoticeRef {
        NoticeRef {
            id: id.into(),
            version,
            sha256: format!("{id}-{version}"),
        }
    }

    fn marketing(enabled: bool, contact: bool, reconsent: bool) -> ProgramView {
        let current = vec![
            notice("marketing-human-review", 2),
            notice("marketing-nda", 1),
        ];
        ProgramView {
            id: ProgramId::Marketing,
            enabled,
            eligible: true,
            ineligible_reason: None,
            contact_allowed: Some(contact),
            notices: current.clone(),
            accepted_notices: if enabled {
                vec![
                    notice("marketing-human-review", 1),
                    notice("marketing-nda", 1),
                ]
            } else {
                Vec::new()
            },
            reconsent_required: reconsent,
            updated_at: None,
            updated_by: None,
            pending_deletion: None,
        }
    }

    fn copilot(enabled: bool, eligible: bool, reconsent: bool) -> ProgramView {
        ProgramView {
            id: ProgramId::Copilot,
            enabled,
            eligible,
            ineligible_reason: None,
            contact_allowed: None,
            notices: vec![notice("copilot-data-sharing", 2)],
            accepted_notices: Vec::new(),
            reconsent_required: reconsent,
            updated_at: None,
            updated_by: None,
            pending_deletion: None,
        }
    }

    fn draft(
        enabled: Option<bool>,
        contact: Option<bool>,
        ticked: bool,
        saved: &ProgramView,
    ) -> Draft {
        Draft {
            enabled,
            contact_allowed: contact,
            accepted: ticked.then(|| saved.notices.clone()),
        }
    }

    // Guards what Save does with each draft: whether it is offered, what
    // blocks it, and the request it sends (Marketing asks for the box at
    // opt-in, Copilot only when a notice changed).
    #[test]
    fn drafts_become_the_right_requests() {
        struct Case {
            name: &'static str,
            saved: ProgramView,
            enabled: Option<bool>,
            contact: Option<bool>,
            ticked: bool,
            explicit: bool,
            dirty: bool,
            blocked: Option<Blocked>,
            accepts: bool,
            contact_sent: Option<bool>,
        }
        let cases = [
            Case {
                name: "nothing changed",
                saved: marketing(false, false, false),
                enabled: None,
                contact: None,
                ticked: false,
                explicit: true,
                dirty: false,
                blocked: None,
                accepts: false,
                contact_sent: None,
            },
            Case {
                name: "marketing opt in without the box",
                saved: marketing(false, false, false),
                enabled: Some(true),
                contact: None,
                ticked: false,
                explicit: true,
                dirty: true,
                blocked: Some(Blocked::NeedsAcceptance),
                accepts: true,
                contact_sent: Some(true),
            },
            Case {
                name: "marketing opt in with the box, contact on by default",
                saved: marketing(false, false, false),
                enabled: Some(true),
                contact: None,
                ticked: true,
                explicit: true,
                dirty: true,
                blocked: None,
                accepts: true,
                contact_sent: Some(true),
            },
            Case {
                name: "marketing opt in without contact",
                saved: marketing(false, false, false),
                enabled: Some(true),
                contact: Some(false),
                ticked: true,
                explicit: true,
                dirty: true,
                blocked: None,
                accepts: true,
                contact_sent: Some(false),
            },
            Case {
                name: "marketing stop contact while on",
                saved: marketing(true, true, false),
                enabled: None,
                contact: Some(false),
                ticked: false,
                explicit: true,
                dirty: true,
                blocked: None,
                accepts: false,
                contact_sent: Some(false),
            },
            Case {
                name: "marketing contact back to as saved",
                saved: marketing(true, true, false),
                enabled: None,
                contact: Some(true),
                ticked: false,
                explicit: true,
                dirty: false,
                blocked: None,
                accepts: false,
                contact_sent: Some(true),
            },
            Case {
                name: "marketing turn off",
                saved: marketing(true, true, false),
                enabled: Some(false),
                contact: Some(false),
                ticked: false,
                explicit: true,
                dirty: true,
                blocked: None,
                accepts: false,
                contact_sent: None,
            },
            Case {
                name: "re-acceptance ticked",
                saved: marketing(true, true, true),
                enabled: None,
                contact: None,
                ticked: true,
                explicit: true,
                dirty: true,
                blocked: None,
                accepts: true,
                contact_sent: Some(true),
            },
            Case {
                name: "re-acceptance pending, untouched",
                saved: marketing(true, true, true),
                enabled: None,
                contact: None,
                ticked: false,
                explicit: true,
                dirty: false,
                blocked: Some(Blocked::NeedsAcceptance),
                accepts: false,
                contact_sent: Some(true),
            },
            Case {
                name: "re-acceptance pending, stop contact only",
                saved: marketing(true, true, true),
                enabled: None,
                contact: Some(false),
                ticked: false,
                explicit: true,
                dirty: true,
                blocked: None,
                accepts: false,
                contact_sent: Some(false),
            },
            Case {
                name: "re-acceptance pending, allow contact again",
                saved: marketing(true, false, true),
                enabled: None,
                contact: Some(true),
                ticked: false,
                explicit: true,
                dirty: true,
                blocked: Some(Blocked::NeedsAcceptance),
                accepts: false,
                contact_sent: Some(true),
            },
            Case {
                name: "copilot opt in accepts without a box",
                saved: copilot(false, true, false),
                enabled: Some(true),
                contact: None,
                ticked: false,
                explicit: false,
                dirty: true,
                blocked: None,
                accepts: true,
                contact_sent: None,
            },
            Case {
                name: "copilot outside the US",
                saved: copilot(false, false, false),
                enabled: Some(true),
                contact: None,
                ticked: false,
                explicit: false,
                dirty: true,
                blocked: Some(Blocked::Ineligible),
                accepts: true,
                contact_sent: None,
            },
            Case {
                name: "copilot re-acceptance ticked",
                saved: copilot(true, true, true),
                enabled: None,
                contact: None,
                ticked: true,
                explicit: false,
                dirty: true,
                blocked: None,
                accepts: true,
                contact_sent: None,
            },
            Case {
                name: "copilot turn off while re-acceptance pending",
                saved: copilot(true, true, true),
                enabled: Some(false),
                contact: None,
                ticked: false,
                explicit: false,
                dirty: true,
                blocked: None,
                accepts: false,
                contact_sent: None,
            },
        ];
        for case in cases {
            let d = draft(case.enabled, case.contact, case.ticked, &case.saved);
            assert_eq!(d.is_dirty(&case.saved), case.dirty, "{}: dirty", case.name);
            assert_eq!(
                d.blocked(&case.saved, case.explicit),
                case.blocked,
                "{}: blocked",
                case.name
            );
            let request = d.request(&case.saved);
            assert_eq!(request.enabled, d.enabled(&case.saved), "{}", case.name);
            assert_eq!(
                request.accept_notices
                    == case
                        .saved
                        .notices
                        .iter()
                        .cloned()
                        .map(NoticeAcceptance::from)
                        .collect::<Vec<_>>(),
                case.accepts,
                "{}: accepts {:?}",
                case.name,
                request.accept_notices
            );
            assert_eq!(
                request.contact_allowed, case.contact_sent,
                "{}: contact",
                case.name
            );
        }
    }

    // Guards a stale tick: a box ticked for older versions accepts nothing newer.
    #[test]
    fn a_tick_for_other_versions_does_not_count() {
        let saved = marketing(false, false, false);
        let d = Draft {
            enabled: Some(true),
            contact_allowed: None,
            accepted: Some(vec![
                notice("marketing-human-review", 1),
                notice("marketing-nda", 1),
            ]),
        };
        assert!(!d.accepts_current(&saved));
        assert_eq!(d.blocked(&saved, true), Some(Blocked::NeedsAcceptance));
        assert!(!d.turns_off(&marketing(true, true, false)));
        assert!(Draft {
            enabled: Some(false),
            ..Draft::default()
        }
        .turns_off(&marketing(true, true, false)));
    }
}

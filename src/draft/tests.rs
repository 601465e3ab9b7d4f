use consent_core::facts::program_facts;
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

fn draft(enabled: Option<bool>, contact: Option<bool>, ticked: bool, saved: &ProgramView) -> Draft {
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
        // The tenant moved out of the US while Copilot was on and a
        // re-acceptance is pending: the server refuses to keep it on,
        // so the box is not offered and a tick saves nothing.
        Case {
            name: "copilot on after a move, re-acceptance pending, ticked",
            saved: copilot(true, false, true),
            enabled: None,
            contact: None,
            ticked: true,
            explicit: false,
            dirty: false,
            blocked: Some(Blocked::Ineligible),
            accepts: true,
            contact_sent: None,
        },
        Case {
            name: "copilot on after a move, re-acceptance pending, turned off",
            saved: copilot(true, false, true),
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
        // Which program asks for the box at opt-in is a program fact now.
        assert_eq!(
            program_facts(case.saved.id).explicit_acceptance_at_opt_in,
            case.explicit,
            "{}: explicit",
            case.name
        );
        let d = draft(case.enabled, case.contact, case.ticked, &case.saved);
        assert_eq!(d.is_dirty(&case.saved), case.dirty, "{}: dirty", case.name);
        assert_eq!(
            d.blocked(&case.saved),
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
    assert_eq!(d.blocked(&saved), Some(Blocked::NeedsAcceptance));
    assert!(!d.turns_off(&marketing(true, true, false)));
    assert!(Draft {
        enabled: Some(false),
        ..Draft::default()
    }
    .turns_off(&marketing(true, true, false)));
}

// Guards what the panel offers after a move out of the US: turning off only, no box to tick.
#[test]
fn a_program_the_tenant_can_no_longer_have_offers_only_turning_off() {
    let moved = copilot(true, false, true);
    let ticked = draft(None, None, true, &moved);
    assert!(!ticked.offers_acceptance(&moved));
    assert_eq!(ticked.blocked(&moved), Some(Blocked::Ineligible));
    assert!(!ticked.is_dirty(&moved));
    let in_us = copilot(true, true, true);
    assert!(draft(None, None, false, &in_us).offers_acceptance(&in_us));
    assert_eq!(
        draft(None, None, false, &in_us).blocked(&in_us),
        Some(Blocked::NeedsAcceptance)
    );
}

//! The words of the history's "What changed" column.

use consent_core::ledger::ProgramState;
use consent_core::rules::ConsentAction;
use consent_core::{pending_deletion, Actor, ConsentEvent, NoticeRef, ProgramId};

use super::table::change_words;
use crate::i18n::I18n;

fn event(
    action: ConsentAction,
    before: Option<ProgramState>,
    after: Option<ProgramState>,
) -> ConsentEvent {
    ConsentEvent {
        id: "e1".to_owned(),
        at: "2026-11-21T09:30:00Z".parse().unwrap(),
        actor: Actor::consent_service(),
        program: ProgramId::Marketing,
        action,
        before,
        after,
        notices: Vec::new(),
        receipt_id: "r1".to_owned(),
        idempotency_key: None,
    }
}

fn state(enabled: bool, contact: bool, accepted: &[NoticeRef], out: bool) -> ProgramState {
    ProgramState {
        enabled,
        contact_allowed: Some(contact),
        accepted_notices: accepted.to_vec(),
        pending_deletion: out.then(|| {
            pending_deletion(
                ProgramId::Marketing,
                "2026-11-01T00:00:00Z".parse().unwrap(),
            )
        }),
    }
}

// Guards the words of the "What changed" column for every kind of event.
#[test]
fn what_changed_in_words() {
    let h = I18n::of(crate::i18n::Language::English);
    let nda = NoticeRef {
        id: "marketing-nda".to_owned(),
        version: 2,
        sha256: "abc".to_owned(),
    };
    let accepted = std::slice::from_ref(&nda);
    let cases = [
        (
            event(
                ConsentAction::OptedIn,
                Some(state(false, false, &[], false)),
                Some(state(true, true, accepted, false)),
            ),
            vec![
                "Turned on",
                "Accepted Marketing non-disclosure agreement version 2",
            ],
        ),
        (
            event(
                ConsentAction::OptedOut,
                Some(state(true, true, accepted, false)),
                Some(state(false, false, accepted, true)),
            ),
            vec!["Turned off"],
        ),
        (
            event(
                ConsentAction::ContactChanged,
                Some(state(true, true, accepted, false)),
                Some(state(true, false, accepted, false)),
            ),
            vec!["Contact preference: off"],
        ),
        (
            event(
                ConsentAction::DeletionCompleted,
                Some(state(false, false, accepted, true)),
                Some(state(false, false, accepted, false)),
            ),
            vec!["Shared data deleted"],
        ),
        // States that cannot be shown: the action says what happened.
        (
            event(ConsentAction::NoticesAccepted, None, None),
            vec!["Accepted new notice versions"],
        ),
        (
            event(ConsentAction::DeletionCompleted, None, None),
            vec!["Shared data deleted"],
        ),
    ];
    for (event, expected) in cases {
        assert_eq!(change_words(h, &event), expected, "{:?}", event.action);
    }
}

use consent_core::{
    DataSharingDocument, ErrorCode, NoticeRef, ProgramId, ProgramView, Region, Tenant,
};

use super::{Next, NextStep, SaveController, Saving, Status};
use crate::api::ApiError;
use crate::draft::Draft;
use crate::state::Snapshot;

fn copilot(enabled: bool) -> ProgramView {
    let notice = NoticeRef {
        id: "copilot-data-sharing".into(),
        version: 1,
        sha256: "h1".into(),
    };
    ProgramView {
        id: ProgramId::Copilot,
        enabled,
        eligible: true,
        ineligible_reason: None,
        contact_allowed: None,
        notices: vec![notice.clone()],
        accepted_notices: if enabled { vec![notice] } else { Vec::new() },
        reconsent_required: false,
        updated_at: None,
        updated_by: None,
        pending_deletion: None,
    }
}

fn snapshot(program: &ProgramView) -> Snapshot {
    Snapshot {
        document: DataSharingDocument {
            tenant: Tenant {
                id: "t".into(),
                name: "T".into(),
                region: Region::new("US"),
            },
            version: 3,
            can_edit: true,
            programs: vec![program.clone()],
        },
        etag: "\"3-1\"".into(),
    }
}

fn switched(on: bool) -> Draft {
    Draft {
        enabled: Some(on),
        ..Draft::default()
    }
}

// Guards when Save sends, when it asks first, and when it does nothing.
#[test]
fn save_sends_asks_or_stays() {
    let off = copilot(false);
    let on = copilot(true);
    for (name, draft, saved, next) in [
        ("nothing changed", Draft::default(), &off, Next::Stay),
        ("turning on sends", switched(true), &off, Next::Send),
        ("turning off asks first", switched(false), &on, Next::Ask),
    ] {
        let mut save = SaveController::default();
        let got = save.save(&draft, saved, snapshot(saved), "k1".into(), |a| a);
        assert_eq!(got, next, "{name}");
        assert_eq!(save.attempt().is_some(), next != Next::Stay, "{name}");
    }

    let mut save = SaveController::default();
    save.save(&switched(false), &on, snapshot(&on), "k1".into(), |a| a);
    assert_eq!(save.question(), super::Question::TurnOff);
    assert_eq!(save.confirm_turn_off(), Next::Send);
    assert_eq!(save.question(), super::Question::None);
    let sent = save.send().expect("an attempt");
    assert!(!sent.change.enabled);
    // While on its way, a second Save does nothing.
    assert_eq!(
        save.save(&switched(false), &on, snapshot(&on), "k2".into(), |a| a),
        Next::Stay
    );
    assert_eq!(save.attempt().map(|a| a.key.as_str()), Some("k1"));
}

// Guards Retry: the very same attempt, under the same key, until the draft is edited.
#[test]
fn retry_sends_the_same_attempt_under_the_same_key() {
    let off = copilot(false);
    let mut save = SaveController::default();
    save.save(&switched(true), &off, snapshot(&off), "k1".into(), |a| a);
    let first = save.send().unwrap();
    save.answered(Err(ApiError::Network));
    assert_eq!(save.next_step(), Some(NextStep::Retry));
    let again = save.send().unwrap();
    assert_eq!(again, first);
    save.answered(Err(ApiError::Server { status: 503 }));
    save.edited();
    assert_eq!(save.saving(), &Saving::Idle);
    assert_eq!(save.next_step(), None);
    save.save(&switched(true), &off, snapshot(&off), "k2".into(), |a| a);
    assert_eq!(save.send().unwrap().key, "k2");
}

// Guards the status line, including "the server is slow" only for the attempt still waiting.
#[test]
fn status_follows_the_attempt() {
    let off = copilot(false);
    let mut save = SaveController::default();
    assert_eq!(save.status(), Status::Quiet);
    save.save(&switched(true), &off, snapshot(&off), "k1".into(), |a| a);
    save.send();
    assert_eq!(save.status(), Status::Saving);
    save.waited("an older key");
    assert_eq!(save.status(), Status::Saving);
    save.waited("k1");
    assert_eq!(save.status(), Status::SavingSlowly);
    save.answered(Ok(()));
    assert_eq!(save.status(), Status::Saved);
    save.edited();
    assert_eq!(save.status(), Status::Quiet);
}

// Guards the way forward offered after each kind of failure.
#[test]
fn next_step_after_each_failure() {
    let refused = ApiError::Refused {
        code: ErrorCode::RegionIneligible,
        detail: String::new(),
    };
    for (error, step, reload) in [
        (ApiError::Offline, Some(NextStep::Retry), false),
        (
            ApiError::Server { status: 500 },
            Some(NextStep::Retry),
            false,
        ),
        (ApiError::Unauthorized, Some(NextStep::SignInAgain), false),
        (refused, Some(NextStep::ShowCurrent), true),
        (ApiError::Forbidden, None, false),
        (ApiError::NotFound, None, false),
        (ApiError::RateLimited { retry_after: 30 }, None, false),
    ] {
        let mut save = SaveController::default();
        save.answered(Err(error.clone()));
        assert_eq!(save.next_step(), step, "{error:?}");
        assert_eq!(save.show_current(), reload, "{error:?}");
        assert_eq!(save.saving(), &Saving::Idle);
    }
}

// Guards closing: an unsaved change asks first, unless it is being saved.
#[test]
fn closing_with_a_change_asks_first() {
    let off = copilot(false);
    let mut save = SaveController::default();
    assert_eq!(save.dismiss(false), Next::Close);
    assert_eq!(save.dismiss(true), Next::Ask);
    assert_eq!(save.question(), super::Question::Discard);
    save.answer_no();
    save.save(&switched(true), &off, snapshot(&off), "k1".into(), |a| a);
    save.send();
    assert_eq!(save.dismiss(true), Next::Close);
}

// Guards a save refused for too many changes (429): the failure is kept to be
// said, no Retry is offered (it would be refused again at once), and the
// draft stays exactly as it was, dirty, so Save sends it again as a new
// change under a new key.
#[test]
fn a_rate_limited_save_keeps_the_draft_savable() {
    let on = copilot(true);
    let draft = switched(false);
    let kept = draft.clone();
    let mut save = SaveController::default();
    assert_eq!(
        save.save(&draft, &on, snapshot(&on), "k1".into(), |a| a),
        Next::Ask
    );
    assert_eq!(save.confirm_turn_off(), Next::Send);
    save.send();
    save.answered(Err(ApiError::RateLimited { retry_after: 12 }));
    assert_eq!(
        save.failure(),
        Some(&ApiError::RateLimited { retry_after: 12 })
    );
    assert_eq!(save.next_step(), None);
    assert_eq!(save.status(), Status::Quiet);
    assert!(!save.in_flight());
    assert_eq!(draft, kept);
    assert!(draft.is_dirty(&on) && draft.blocked(&on).is_none());
    // Saving again asks again, then sends the same change under a new key.
    assert_eq!(
        save.save(&draft, &on, snapshot(&on), "k2".into(), |a| a),
        Next::Ask
    );
    assert_eq!(save.confirm_turn_off(), Next::Send);
    let again = save.send().expect("a new attempt");
    assert_eq!(again.key, "k2");
    assert!(!again.change.enabled);
}

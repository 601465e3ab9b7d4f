use super::*;
use crate::deadline::pending_deletion;
use crate::notice::NoticeVersion;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

const NOW: &str = "2026-11-21T09:30:00Z";

fn version(id: &str, version: u32) -> NoticeVersion {
    NoticeVersion {
        id: id.into(),
        version,
        sha256: format!("{id}-h{version}"),
        material_change: true,
    }
}

/// A Copilot record: `enabled`, accepting version `accepted` of its notice (0: none).
fn copilot(enabled: bool, accepted: u32) -> ProgramRecord {
    let mut record = ProgramRecord::initial(ProgramId::Copilot);
    record.enabled = enabled;
    if accepted > 0 {
        record.accepted_notices = vec![version("copilot-data-sharing", accepted).reference()];
        record.updated_at = Some(at(NOW));
    }
    record
}

// Guards every reason, and that `allowed` is exactly the page's "On" rule.
#[test]
fn each_state_has_its_reason() {
    let current = [version("copilot-data-sharing", 2)];
    let history = [
        version("copilot-data-sharing", 1),
        version("copilot-data-sharing", 2),
    ];
    let notices = NoticeSet {
        current: &current,
        history: &history,
    };
    let (us, eu) = (Region::new("US"), Region::new("EU"));
    let mut opted_out = copilot(false, 2);
    opted_out.pending_deletion = Some(pending_deletion(ProgramId::Copilot, at(NOW)));
    let cases = [
        (
            "on, current wording",
            copilot(true, 2),
            &us,
            true,
            DecisionReason::OptedIn,
        ),
        (
            "never on",
            copilot(false, 0),
            &us,
            false,
            DecisionReason::NotOptedIn,
        ),
        (
            "turned off",
            opted_out.clone(),
            &us,
            false,
            DecisionReason::OptedOut,
        ),
        (
            "on, older wording",
            copilot(true, 1),
            &us,
            false,
            DecisionReason::ReacceptancePending,
        ),
        (
            "on, but in the EU",
            copilot(true, 2),
            &eu,
            false,
            DecisionReason::RegionIneligible,
        ),
        (
            "off in the EU",
            copilot(false, 0),
            &eu,
            false,
            DecisionReason::RegionIneligible,
        ),
    ];
    for (case, record, region, allowed, reason) in cases {
        let decided = verdict(&record, region, notices, at(NOW));
        assert_eq!(
            (decided.allowed, decided.reason),
            (allowed, reason),
            "{case}"
        );
        assert_eq!(
            decided.allowed,
            is_sharing(&record, region, notices),
            "{case}"
        );
        assert_eq!(
            decided.contact_allowed, None,
            "{case}: Copilot has no contact preference"
        );
    }
    let out = verdict(&opted_out, &us, notices, at(NOW));
    assert_eq!(out.deletion_due_by, Some(at("2026-12-21T09:30:00Z")));
    let later = verdict(&opted_out, &us, notices, at("2026-12-22T00:00:00Z"));
    assert_eq!(
        later.deletion_due_by, None,
        "past the deadline nothing is pending"
    );
    assert_eq!(
        unknown_tenant(ProgramId::Marketing).contact_allowed,
        Some(false)
    );
    assert!(!unknown_tenant(ProgramId::Copilot).allowed);
}

// Guards the contact preference: only while Marketing is allowed and contact is on.
#[test]
fn contact_follows_the_program_and_the_preference() {
    let current = [
        version("marketing-human-review", 1),
        version("marketing-nda", 1),
    ];
    let notices = NoticeSet {
        current: &current,
        history: &current,
    };
    let us = Region::new("US");
    let mut record = ProgramRecord::initial(ProgramId::Marketing);
    record.accepted_notices = current.iter().map(NoticeVersion::reference).collect();
    for (enabled, contact, expected) in [
        (true, true, true),
        (true, false, false),
        (false, true, false),
    ] {
        record.enabled = enabled;
        record.contact_allowed = Some(contact);
        let decided = verdict(&record, &us, notices, at(NOW));
        assert_eq!(
            decided.contact_allowed,
            Some(expected),
            "on {enabled}, contact {contact}"
        );
    }
}

// Guards that the metrics' reason labels are the names pipelines read in answers.
#[test]
fn reason_names_are_the_wire_names() {
    for reason in [
        DecisionReason::OptedIn,
        DecisionReason::NotOptedIn,
        DecisionReason::OptedOut,
        DecisionReason::RegionIneligible,
        DecisionReason::ReacceptancePending,
        DecisionReason::UnknownTenant,
    ] {
        assert_eq!(
            serde_json::to_value(reason).unwrap(),
            serde_json::Value::from(reason.as_str())
        );
    }
}

//! What a program's panel says, put into words from the program's state.

use consent_core::deadline::PendingDeletion;
use consent_core::{
    pending_deletion, IneligibleReason, NoticeRef, ProgramId, Timestamp, SCHEMA_RETENTION_MONTHS,
};

use crate::i18n::I18n;

/// The notices named with their versions, as a list in the page's language
/// ("the A (version 1) and the B (version 2)").
pub fn named_versions(t: I18n, notices: &[NoticeRef]) -> String {
    let named: Vec<String> = notices
        .iter()
        .map(|n| {
            tr!(
                t,
                "the-notice",
                name = tr!(t, "notice-name", id = n.id.as_str()),
                version = n.version,
            )
        })
        .collect();
    t.list(&named)
}

/// Why the tenant cannot turn the program on, and, when it is on from
/// before (`only_turning_off`), that turning it off is the one change left.
pub fn ineligible(
    t: I18n,
    reason: IneligibleReason,
    region: &str,
    only_turning_off: bool,
) -> String {
    let named = tr!(t, "region-name", code = region);
    let why = match reason {
        IneligibleReason::RegionNotSupported => tr!(t, "only-united-states", region = named),
    };
    if only_turning_off {
        format!("{why} {}", tr!(t, "only-turning-off"))
    } else {
        why
    }
}

/// What turning off at `now` means: when shared data is deleted.
pub fn turn_off_body(t: I18n, program: ProgramId, now: Timestamp) -> String {
    let deadlines = pending_deletion(program, now);
    let due = t.date(deadlines.due_by);
    match deadlines.schema_due_by {
        Some(schema) => tr!(
            t,
            "confirm-off-marketing-body",
            date = due,
            schema_date = t.date(schema),
            months = SCHEMA_RETENTION_MONTHS,
        ),
        None => tr!(t, "confirm-off-body", date = due),
    }
}

/// An opt-out's deletion still pending: by when the data is gone.
pub fn deletion_detail(t: I18n, program: ProgramId, pending: &PendingDeletion) -> String {
    let due = t.date(pending.due_by);
    match (program, pending.schema_due_by) {
        (ProgramId::Marketing, Some(schema)) => tr!(
            t,
            "deletion-detail-marketing",
            due = due,
            schema_due = t.date(schema),
            months = SCHEMA_RETENTION_MONTHS,
        ),
        _ => tr!(t, "deletion-detail", due = due),
    }
}

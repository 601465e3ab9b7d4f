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

/// An opt-out's deletion still pending: by when the data is gone, and,
/// when the tenant can no longer have the program on (`ineligible`), that
/// this is why it was turned off.
pub fn deletion_detail(
    t: I18n,
    program: ProgramId,
    pending: &PendingDeletion,
    ineligible: Option<IneligibleReason>,
) -> String {
    deletion_sentence(
        t,
        program,
        ineligible,
        t.date(pending.due_by),
        pending.schema_due_by.map(|schema| t.date(schema)),
    )
}

/// [`deletion_detail`] with its dates already written.
fn deletion_sentence(
    t: I18n,
    program: ProgramId,
    ineligible: Option<IneligibleReason>,
    due: String,
    schema_due: Option<String>,
) -> String {
    match (ineligible, program, schema_due) {
        (Some(IneligibleReason::RegionNotSupported), _, _) => {
            tr!(t, "deletion-detail-region", due = due)
        }
        (None, ProgramId::Marketing, Some(schema_due)) => tr!(
            t,
            "deletion-detail-marketing",
            due = due,
            schema_due = schema_due,
            months = SCHEMA_RETENTION_MONTHS,
        ),
        (None, _, _) => tr!(t, "deletion-detail", due = due),
    }
}

#[cfg(test)]
mod tests {
    use consent_core::{IneligibleReason, ProgramId};

    use super::deletion_sentence;
    use crate::i18n::{I18n, Language};

    // Guards the pending-deletion note: after the tenant's move out of the
    // US it says why Copilot was turned off, in one sentence with the date.
    #[test]
    fn the_deletion_note_says_when_a_move_turned_the_program_off() {
        let due = || "December 21, 2026".to_owned();
        let moved = Some(IneligibleReason::RegionNotSupported);
        let en = I18n::of(Language::English);
        assert_eq!(
            deletion_sentence(en, ProgramId::Copilot, moved, due(), None),
            "Data sharing was turned off automatically because your organization is no longer \
             in the United States region; shared data is deleted by December 21, 2026."
        );
        assert_eq!(
            deletion_sentence(en, ProgramId::Copilot, None, due(), None),
            "Data sharing was turned off. Shared data is deleted by December 21, 2026; until \
             then it may still be used."
        );
        let de = I18n::of(Language::German);
        assert_eq!(
            deletion_sentence(
                de,
                ProgramId::Copilot,
                moved,
                "21. Dezember 2026".to_owned(),
                None
            ),
            "Die Datenfreigabe wurde automatisch ausgeschaltet, weil sich Ihre Organisation \
             nicht mehr in der Region Vereinigte Staaten befindet; freigegebene Daten werden bis \
             21. Dezember 2026 gelöscht."
        );
    }
}

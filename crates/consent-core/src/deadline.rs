//! Deadlines that follow an opt-out. Computed here, once, from the event time.

use chrono::{Days, Months};
use serde::{Deserialize, Serialize};

use crate::{ProgramId, Timestamp};

/// Shared data is deleted (Copilot) or purged (Marketing) within this many days of opting out.
pub const DELETION_WINDOW_DAYS: u64 = 30;

/// Marketing schema copies (table and column names) are kept at most this many months.
pub const SCHEMA_RETENTION_MONTHS: u32 = 12;

/// The deletion clock started by an opt-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingDeletion {
    /// When the tenant opted out.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub requested_at: Timestamp,
    /// Shared data is deleted by then (Marketing: marketing and query data purged).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub due_by: Timestamp,
    /// Marketing only: the latest moment schema copies may still exist.
    #[serde(
        with = "crate::instant::rfc3339_option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub schema_due_by: Option<Timestamp>,
}

impl PendingDeletion {
    /// Whether the deletion is still pending at `now` (the deadline has not passed).
    pub fn is_pending_at(&self, now: Timestamp) -> bool {
        now < self.due_by
    }
}

/// The deletion deadlines for an opt-out of `program` at `opted_out_at`.
///
/// Schema copies are made while the tenant is opted in, so the last one can
/// be no later than the opt-out; twelve months from then bounds them all.
pub fn pending_deletion(program: ProgramId, opted_out_at: Timestamp) -> PendingDeletion {
    let due_by = opted_out_at + Days::new(DELETION_WINDOW_DAYS);
    let schema_due_by = match program {
        ProgramId::Copilot => None,
        ProgramId::Marketing => {
            opted_out_at.checked_add_months(Months::new(SCHEMA_RETENTION_MONTHS))
        }
    };
    PendingDeletion {
        requested_at: opted_out_at,
        due_by,
        schema_due_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    // Guards the figures shown to an admin who opts out: +30 days, and +12 months for schemas.
    #[test]
    fn opt_out_deadlines() {
        let cases = [
            (
                ProgramId::Copilot,
                "2026-11-21T09:30:00Z",
                "2026-12-21T09:30:00Z",
                None,
            ),
            (
                ProgramId::Copilot,
                "2026-02-10T00:00:00Z",
                "2026-03-12T00:00:00Z",
                None,
            ),
            (
                ProgramId::Copilot,
                "2024-02-10T23:59:59Z",
                "2024-03-11T23:59:59Z",
                None,
            ), // leap year
            (
                ProgramId::Copilot,
                "2026-12-15T12:00:00Z",
                "2027-01-14T12:00:00Z",
                None,
            ), // year end
            (
                ProgramId::Marketing,
                "2026-11-21T09:30:00Z",
                "2026-12-21T09:30:00Z",
                Some("2027-11-21T09:30:00Z"),
            ),
            (
                ProgramId::Marketing,
                "2024-02-29T08:00:00Z",
                "2024-03-30T08:00:00Z",
                Some("2025-02-28T08:00:00Z"),
            ),
        ];
        for (program, out, due, schema) in cases {
            let d = pending_deletion(program, at(out));
            assert_eq!(d.requested_at, at(out));
            assert_eq!(d.due_by, at(due), "{program} opted out {out}");
            assert_eq!(d.schema_due_by, schema.map(at), "{program} opted out {out}");
        }
    }

    // Guards when a pending deletion stops showing: exactly at the deadline.
    #[test]
    fn pending_until_the_deadline() {
        let d = pending_deletion(ProgramId::Copilot, at("2026-11-21T09:30:00Z"));
        assert!(d.is_pending_at(at("2026-11-21T09:30:00Z")));
        assert!(d.is_pending_at(at("2026-12-21T09:29:59Z")));
        assert!(!d.is_pending_at(at("2026-12-21T09:30:00Z")));
        assert!(!d.is_pending_at(at("2027-01-01T00:00:00Z")));
    }
}

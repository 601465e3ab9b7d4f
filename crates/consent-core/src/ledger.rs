//! The consent history as the API shows it: events, pages of events, the
//! query that selects them, and the CSV file auditors download.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::deadline::PendingDeletion;
use crate::rules::{ConsentAction, ProgramRecord};
use crate::{Actor, NoticeRef, ProgramId, Timestamp};

/// A program's consent state, as recorded before and after an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramState {
    pub enabled: bool,
    /// Marketing only: may the vendor contact the system administrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_allowed: Option<bool>,
    pub accepted_notices: Vec<NoticeRef>,
    /// The deletion clock of an opt-out, until the deletion is recorded as completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_deletion: Option<PendingDeletion>,
}

impl From<&ProgramRecord> for ProgramState {
    fn from(record: &ProgramRecord) -> ProgramState {
        ProgramState {
            enabled: record.enabled,
            contact_allowed: record.contact_allowed,
            accepted_notices: record.accepted_notices.clone(),
            pending_deletion: record.pending_deletion.clone(),
        }
    }
}

/// One entry of a tenant's consent history. Events are append-only: once
/// recorded, an event is never changed or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentEvent {
    pub id: String,
    #[serde(with = "crate::instant::rfc3339")]
    pub at: DateTime<Utc>,
    /// Who made the change; the consent service itself (id `system`, no
    /// roles) for a completed deletion.
    pub actor: Actor,
    pub program: ProgramId,
    pub action: ConsentAction,
    /// The program's state before the change; `null` if it cannot be shown.
    pub before: Option<ProgramState>,
    /// The program's state after the change; `null` if it cannot be shown.
    pub after: Option<ProgramState>,
    /// The notice versions accepted and in force with the change.
    pub notices: Vec<NoticeRef>,
    /// The consent receipt issued for this event.
    pub receipt_id: String,
    /// The `Idempotency-Key` the change was made with, if any.
    pub idempotency_key: Option<String>,
    /// What else the event says: the region move of `region_changed`, the
    /// reason of a change the service made.
    #[serde(flatten)]
    pub detail: EventDetail,
}

/// The parts of an event only some actions have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventDetail {
    /// `region_changed`: the tenant's region before and after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionMove>,
    /// Why the service made the change (`region_ineligible`: the tenant
    /// left the region the program is offered in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ChangeReason>,
    /// `deletion_attested`, `deletion_overdue`: the store's obligation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion: Option<DeletionDetail>,
}

impl EventDetail {
    /// Whether the event says nothing beyond its action.
    pub fn is_empty(&self) -> bool {
        self.region.is_none() && self.reason.is_none() && self.deletion.is_none()
    }
}

/// The obligation a deletion event is about, and what its store attested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletionDetail {
    pub obligation_id: String,
    pub store: String,
    /// The store's name when the event was recorded.
    pub store_name: String,
    pub opt_out_event_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub due_by: Timestamp,
    /// `deletion_attested`: what the store said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<crate::deletion::Attestation>,
}

/// A tenant's move between regions (region codes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionMove {
    pub before: String,
    pub after: String,
}

/// Why the service, not a person, changed a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeReason {
    /// The tenant moved to a region where the program is not offered.
    RegionIneligible,
}

/// `GET /api/v1/tenants/{tenant_id}/data-sharing/history`: one page, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    pub events: Vec<ConsentEvent>,
    /// Pass as `cursor` to get the next (older) page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Events per page when `limit` is not given.
pub const DEFAULT_HISTORY_LIMIT: u32 = 50;

/// The most events one page may hold.
pub const MAX_HISTORY_LIMIT: u32 = 200;

/// A position in a tenant's history: the page it starts holds events
/// recorded strictly before the event at this position.
///
/// On the wire it is opaque to clients, who pass it back unchanged. It is
/// the event's sequence number, which only grows, so pages stay stable
/// while new events are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HistoryCursor(pub i64);

impl HistoryCursor {
    /// The wire form.
    pub fn encode(self) -> String {
        self.0.to_string()
    }

    /// Parses the wire form: a positive decimal number, nothing else.
    pub fn parse(text: &str) -> Option<HistoryCursor> {
        if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().filter(|n| *n > 0).map(HistoryCursor)
    }
}

/// What a history request selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Only this program's events; all programs when `None`.
    pub program: Option<ProgramId>,
    /// At most this many events.
    pub limit: u32,
    /// Only events older than this position; from the newest when `None`.
    pub cursor: Option<HistoryCursor>,
}

/// A query parameter that cannot be used (answered `422 invalid_query`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryProblem {
    /// The parameter at fault.
    pub parameter: String,
    pub message: String,
}

impl QueryProblem {
    fn new(parameter: &str, message: impl Into<String>) -> QueryProblem {
        QueryProblem {
            parameter: parameter.to_owned(),
            message: message.into(),
        }
    }
}

impl HistoryQuery {
    /// Reads the query parameters of the paged history (`program`, `limit`,
    /// `cursor`). An empty value counts as absent; an unknown or repeated
    /// parameter is refused, so a typo never silently widens the answer.
    pub fn paged(pairs: &[(String, String)]) -> Result<HistoryQuery, QueryProblem> {
        HistoryQuery::read(pairs, &["program", "limit", "cursor"])
    }

    /// Reads the query parameters of the full download (`program` only: it
    /// holds every matching event).
    pub fn full(pairs: &[(String, String)]) -> Result<HistoryQuery, QueryProblem> {
        let query = HistoryQuery::read(pairs, &["program"])?;
        Ok(HistoryQuery {
            limit: u32::MAX,
            ..query
        })
    }

    fn read(pairs: &[(String, String)], allowed: &[&str]) -> Result<HistoryQuery, QueryProblem> {
        let mut query = HistoryQuery {
            program: None,
            limit: DEFAULT_HISTORY_LIMIT,
            cursor: None,
        };
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in pairs {
            let Some(known) = allowed.iter().find(|a| **a == name) else {
                let shown: String = name.chars().take(40).collect();
                return Err(QueryProblem::new(
                    &shown,
                    format!(
                        "unknown query parameter; this address takes {}",
                        allowed.join(", ")
                    ),
                ));
            };
            if seen.contains(known) {
                return Err(QueryProblem::new(known, "give this parameter at most once"));
            }
            seen.push(known);
            if value.is_empty() {
                continue;
            }
            match *known {
                "program" => {
                    let program = ProgramId::parse(value).ok_or_else(|| {
                        QueryProblem::new(
                            "program",
                            "there is no such program; use copilot or marketing",
                        )
                    })?;
                    query.program = Some(program);
                }
                "limit" => {
                    let limit = value
                        .parse::<u32>()
                        .ok()
                        .filter(|n| {
                            (1..=MAX_HISTORY_LIMIT).contains(n)
                                && value.bytes().all(|b| b.is_ascii_digit())
                        })
                        .ok_or_else(|| {
                            QueryProblem::new(
                                "limit",
                                format!(
                                    "limit must be a whole number from 1 to {MAX_HISTORY_LIMIT}"
                                ),
                            )
                        })?;
                    query.limit = limit;
                }
                _ => {
                    let cursor = HistoryCursor::parse(value).ok_or_else(|| {
                        QueryProblem::new(
                            "cursor",
                            "pass back the next_cursor of an earlier page, unchanged",
                        )
                    })?;
                    query.cursor = Some(cursor);
                }
            }
        }
        Ok(query)
    }
}

/// The columns of the history download, in order.
pub const HISTORY_CSV_COLUMNS: [&str; 13] = [
    "at",
    "actor_id",
    "actor_name",
    "actor_roles",
    "program",
    "action",
    "enabled_before",
    "enabled_after",
    "contact_before",
    "contact_after",
    "notices",
    "receipt_id",
    "idempotency_key",
];

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or
/// LF, with quotes doubled.
///
/// A value that a spreadsheet would run as a formula (starting with `=`,
/// `+`, `-`, `@`, tab or CR) is first prefixed with `'`, so that opening an
/// export never executes text a person typed into a name or a header.
pub fn csv_field(value: &str) -> Cow<'_, str> {
    let guarded: Cow<'_, str> = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", guarded.replace('"', "\"\"")))
    } else {
        guarded
    }
}

/// One CSV record, CRLF-terminated.
pub fn csv_record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// The history download: a header row, then one row per event, in the given order.
pub fn history_csv(events: &[ConsentEvent]) -> String {
    let mut csv = csv_record(&HISTORY_CSV_COLUMNS);
    for event in events {
        csv.push_str(&csv_record(&history_csv_row(event)));
    }
    csv
}

fn history_csv_row(event: &ConsentEvent) -> [String; 13] {
    let flag = |value: Option<bool>| value.map(|b| b.to_string()).unwrap_or_default();
    let roles: Vec<&str> = event
        .actor
        .roles
        .iter()
        .map(|r| match r {
            crate::Role::Admin => "admin",
            crate::Role::Reader => "reader",
        })
        .collect();
    let notices: Vec<String> = event
        .notices
        .iter()
        .map(|n| format!("{}@{}", n.id, n.version))
        .collect();
    [
        event.at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        event.actor.id.clone(),
        event.actor.name.clone(),
        roles.join(";"),
        event.program.as_str().to_owned(),
        event.action.as_str().to_owned(),
        flag(event.before.as_ref().map(|s| s.enabled)),
        flag(event.after.as_ref().map(|s| s.enabled)),
        flag(event.before.as_ref().and_then(|s| s.contact_allowed)),
        flag(event.after.as_ref().and_then(|s| s.contact_allowed)),
        notices.join(";"),
        event.receipt_id.clone(),
        event.idempotency_key.clone().unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests;

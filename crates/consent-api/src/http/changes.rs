//! The change feed (scope `consent.decisions.read`): every change of any
//! tenant's decision, in commit order, each with a cursor. A reader that
//! passes back each answer's `next_cursor` never misses a change; `wait`
//! holds an empty answer open until something commits (up to 30 s).

use std::time::Duration;

use axum::extract::State;
use axum::http::Uri;
use axum::Json;
use consent_core::decision::DecisionReason;
use consent_core::{ErrorCode, ProgramId, Timestamp};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::history::{query_pairs, refuse_empty_values};
use super::problem::ApiError;
use crate::identity::{Scope, ServiceCaller};
use crate::service::decision::DecisionService;
use crate::state::AppState;
use crate::store::FeedEntry;

/// Changes per answer when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 100;
/// The most changes one answer may hold.
pub const MAX_LIMIT: u32 = 1000;
/// The longest `wait`, in seconds.
pub const MAX_WAIT_SECS: u64 = 30;
/// How often a waiting reader looks for changes other processes committed.
const POLL: Duration = Duration::from_millis(100);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(changes))
}

/// One change of a decision.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Change {
    /// Pass as `after` to read the changes that follow this one.
    pub cursor: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub tenant: String,
    pub program: ProgramId,
    /// The decision after the change.
    pub allowed: bool,
    pub reason: DecisionReason,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deletion_due_by: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_allowed: Option<bool>,
    /// The history event that made the change.
    pub event_id: String,
}

/// `GET /api/v1/changes`: one answer of the feed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Pass as `after` next time: the last change's cursor, or the `after`
    /// given when there was none.
    pub next_cursor: String,
}

/// `GET /api/v1/changes?after=CURSOR&limit=N&wait=SECS`.
#[utoipa::path(
    get,
    path = "/api/v1/changes",
    tag = "decisions",
    operation_id = "changes",
    security(("service" = ["consent.decisions.read"])),
    params(
        ("after" = Option<String>, Query, pattern = "^[0-9]{1,18}$", description = "A `cursor` or `next_cursor` from an earlier answer; `0` (the default) is the beginning"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Changes per answer (default 100)"),
        ("wait" = Option<u32>, Query, minimum = 0, maximum = 30, description = "Seconds to hold an empty answer open until a change commits (default 0)"),
    ),
    responses(
        (status = 200, description = "The changes after `after`, in commit order", body = ChangePage),
        (status = 401, description = "`unauthorized`: no valid bearer token", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: not a service token with consent.decisions.read", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_query`: an unknown, repeated or malformed parameter (`field` names it)", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many requests from this caller; `Retry-After` says when to try again", body = consent_core::Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal`: the server failed", body = consent_core::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn changes(
    service: ServiceCaller,
    State(state): State<AppState>,
    State(decisions): State<DecisionService>,
    uri: Uri,
) -> Result<Json<ChangePage>, ApiError> {
    service.require(Scope::DecisionsRead)?;
    let query = FeedQuery::read(&uri)?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(query.wait_secs);
    let mut held_open = None;
    let entries = loop {
        // Listen before looking, so a commit in between is not missed.
        let committed = state.store.feed_changed();
        tokio::pin!(committed);
        committed.as_mut().enable();
        let entries = state.store.changes_after(query.after, query.limit).await?;
        let now = tokio::time::Instant::now();
        if !entries.is_empty() || now >= deadline {
            break entries;
        }
        // Another process's commit wakes this too once the store's feed
        // follower sees it; looking again now and then is the fallback.
        // Counted as open while it waits, not while it answers at once.
        held_open.get_or_insert_with(|| state.metrics.long_poll());
        let nap = POLL.min(deadline - now);
        tokio::select! {
            () = committed => {}
            () = tokio::time::sleep(nap) => {}
        }
    };
    drop(held_open);
    let next_cursor = entries
        .last()
        .map_or(query.after, |entry| entry.position)
        .to_string();
    let mut changes = Vec::with_capacity(entries.len());
    for entry in entries {
        changes.push(change(entry, &decisions).await?);
    }
    Ok(Json(ChangePage {
        changes,
        next_cursor,
    }))
}

/// The change an entry records; an entry from before the feed existed is
/// decided as of its event.
async fn change(entry: FeedEntry, decisions: &DecisionService) -> Result<Change, sqlx::Error> {
    let (allowed, reason, deletion_due_by, contact_allowed) = match entry.decision {
        Some(d) => (d.allowed, d.reason, d.deletion_due_by, d.contact_allowed),
        None => {
            let d = decisions
                .decide_at(&entry.tenant_id, entry.program, entry.at)
                .await?;
            (d.allowed, d.reason, d.deletion_due_by, d.contact_allowed)
        }
    };
    Ok(Change {
        cursor: entry.position.to_string(),
        at: entry.at,
        tenant: entry.tenant_id,
        program: entry.program,
        allowed,
        reason,
        deletion_due_by,
        contact_allowed,
        event_id: entry.event_id,
    })
}

struct FeedQuery {
    after: i64,
    limit: u32,
    wait_secs: u64,
}

impl FeedQuery {
    fn read(uri: &Uri) -> Result<FeedQuery, ApiError> {
        let pairs = query_pairs(uri)?;
        let mut query = FeedQuery {
            after: 0,
            limit: DEFAULT_LIMIT,
            wait_secs: 0,
        };
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in &pairs {
            let invalid = |message: String| {
                ApiError::new(ErrorCode::InvalidQuery, message).with_field(name.as_str())
            };
            if seen.contains(&name.as_str()) {
                return Err(invalid("give this parameter once".to_owned()));
            }
            seen.push(name);
            let number = value.parse::<u64>().ok().filter(|_| value.len() <= 18);
            match name.as_str() {
                "after" => {
                    query.after = number.and_then(|n| i64::try_from(n).ok()).ok_or_else(|| {
                        invalid("after must be a cursor this feed gave out".to_owned())
                    })?;
                }
                "limit" => {
                    query.limit = number
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            invalid(format!(
                                "limit must be a whole number from 1 to {MAX_LIMIT}"
                            ))
                        })?;
                }
                "wait" => {
                    query.wait_secs = number.filter(|n| *n <= MAX_WAIT_SECS).ok_or_else(|| {
                        invalid(format!(
                            "wait must be a whole number of seconds from 0 to {MAX_WAIT_SECS}"
                        ))
                    })?;
                }
                _ => {
                    return Err(invalid(
                        "this parameter is not known here: after, limit and wait are".to_owned(),
                    ))
                }
            }
        }
        refuse_empty_values(&pairs)?;
        Ok(query)
    }
}

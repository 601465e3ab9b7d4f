//! What the decisions read: the event behind each program's state now, and
//! a program's state and the tenant's region as they were at an instant,
//! replayed from the ledger.

use consent_core::ledger::EventDetail;
use consent_core::rules::{ConsentAction, ProgramRecord};
use consent_core::{ProgramId, Region, Timestamp};

use super::{from_json, parse_timestamp, storable, timestamp, Store};

/// The event that made a program's state: its receipt and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestEvent {
    pub program: ProgramId,
    pub receipt_id: String,
    pub at: Timestamp,
}

/// A program's state at an instant, replayed from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateAt {
    /// The state after the last event by then (initial when none).
    pub record: ProgramRecord,
    /// That event, if any.
    pub event: Option<LatestEvent>,
}

impl Store {
    /// The newest event of each program of `tenant_id`.
    pub async fn latest_events(&self, tenant_id: &str) -> Result<Vec<LatestEvent>, sqlx::Error> {
        if !storable(tenant_id) {
            return Ok(Vec::new());
        }
        let rows: Vec<(String, String, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT program, receipt_id, at FROM consent_events WHERE seq IN \
                 (SELECT MAX(seq) FROM consent_events WHERE tenant_id = $1 GROUP BY program)",
            )
            .bind(tenant_id)
            .fetch_all(pool)
            .await?
        });
        let mut latest = Vec::with_capacity(rows.len());
        for (program, receipt_id, at) in rows {
            if let Some(program) = ProgramId::parse(&program) {
                latest.push(LatestEvent {
                    program,
                    receipt_id,
                    at: parse_timestamp(&at)?,
                });
            }
        }
        Ok(latest)
    }

    /// `program`'s state at `at`: the `after` of its last event recorded by then.
    pub async fn state_at(
        &self,
        tenant_id: &str,
        program: ProgramId,
        at: Timestamp,
    ) -> Result<StateAt, sqlx::Error> {
        let row: Option<(String, String, String)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT after_state, receipt_id, at FROM consent_events \
                 WHERE tenant_id = $1 AND program = $2 AND at <= $3 ORDER BY seq DESC LIMIT 1",
            )
            .bind(tenant_id)
            .bind(program.as_str())
            .bind(timestamp(at))
            .fetch_optional(pool)
            .await?
        });
        let Some((after, receipt_id, when)) = row else {
            return Ok(StateAt {
                record: ProgramRecord::initial(program),
                event: None,
            });
        };
        Ok(StateAt {
            record: from_json(&after)?,
            event: Some(LatestEvent {
                program,
                receipt_id,
                at: parse_timestamp(&when)?,
            }),
        })
    }

    /// The tenant's region at `at`: after the last move by then, else
    /// before the first move after it, else its region now.
    pub async fn region_at(
        &self,
        tenant_id: &str,
        now: &Region,
        at: Timestamp,
    ) -> Result<Region, sqlx::Error> {
        let moves: Vec<(String, Option<String>)> = on_pool!(&self.pool, |pool| {
            sqlx::query_as(
                "SELECT at, detail FROM consent_events \
                 WHERE tenant_id = $1 AND action = $2 ORDER BY seq",
            )
            .bind(tenant_id)
            .bind(ConsentAction::RegionChanged.as_str())
            .fetch_all(pool)
            .await?
        });
        let mut before_first_later = None;
        let mut after_last_earlier = None;
        for (when, detail) in moves {
            let Some(region) = detail
                .and_then(|text| serde_json::from_str::<EventDetail>(&text).ok())
                .and_then(|detail| detail.region)
            else {
                continue;
            };
            if parse_timestamp(&when)? <= at {
                after_last_earlier = Some(region.after);
            } else if before_first_later.is_none() {
                before_first_later = Some(region.before);
            }
        }
        Ok(after_last_earlier
            .or(before_first_later)
            .map_or_else(|| now.clone(), |code| Region::new(&code)))
    }

    /// How many events `tenant_id` had recorded by `at`.
    pub async fn events_until(&self, tenant_id: &str, at: Timestamp) -> Result<i64, sqlx::Error> {
        on_pool!(&self.pool, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM consent_events WHERE tenant_id = $1 AND at <= $2"
        )
        .bind(tenant_id)
        .bind(timestamp(at))
        .fetch_one(pool)
        .await)
    }
}

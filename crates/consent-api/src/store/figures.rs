//! What the operator's metrics read from the database at each scrape: the
//! webhook outbox per subscription, the deletion obligations per data store,
//! and the connections in use.

use consent_core::Timestamp;

use super::{parse_timestamp, timestamp, Pool, Store};

/// One live subscription's outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxFigures {
    pub subscription: String,
    /// Deliveries not yet acknowledged.
    pub pending: i64,
    /// Age of the oldest of them; 0 when there is none.
    pub oldest_pending_age_secs: f64,
    /// Since when its consumer fails: the oldest delivery it has not
    /// acknowledged (pending after a failed attempt, or dead) that came
    /// after its last acknowledged one; 0 while it acknowledges.
    pub failing_secs: f64,
}

/// One data store's deletion obligations.
#[derive(Debug, Clone, PartialEq)]
pub struct ObligationFigures {
    pub store: String,
    pub open: i64,
    pub overdue: i64,
    pub done: i64,
    /// Until the earliest due date of its open obligations, if it has any.
    pub next_due_secs: Option<f64>,
}

type OutboxRow = (String, i64, Option<String>, Option<String>);
type ObligationRow = (String, i64, i64, i64, Option<String>);

impl Store {
    /// Every live subscription's outbox at `now`.
    pub async fn outbox_figures(&self, now: Timestamp) -> Result<Vec<OutboxFigures>, sqlx::Error> {
        // Stored times are RFC 3339 text of one width, so they compare as text.
        let rows: Vec<OutboxRow> = on_pool!(&self.pool, |pool| sqlx::query_as(
            "SELECT s.id, \
               (SELECT COUNT(*) FROM deliveries d \
                 WHERE d.subscription_id = s.id AND d.status = 'pending'), \
               (SELECT MIN(d.created_at) FROM deliveries d \
                 WHERE d.subscription_id = s.id AND d.status = 'pending'), \
               (SELECT MIN(d.created_at) FROM deliveries d \
                 WHERE d.subscription_id = s.id \
                   AND ((d.status = 'pending' AND d.attempts > 0) OR d.status = 'dead') \
                   AND d.created_at > COALESCE((SELECT MAX(o.delivered_at) FROM deliveries o \
                       WHERE o.subscription_id = s.id AND o.status = 'delivered'), '')) \
             FROM subscriptions s WHERE s.deleted_at IS NULL ORDER BY s.id"
        )
        .fetch_all(pool)
        .await?);
        let age = |since: Option<String>| -> Result<f64, sqlx::Error> {
            Ok(match since {
                Some(text) => seconds_between(parse_timestamp(&text)?, now).max(0.0),
                None => 0.0,
            })
        };
        rows.into_iter()
            .map(|(subscription, pending, oldest, failing_since)| {
                Ok(OutboxFigures {
                    subscription,
                    pending,
                    oldest_pending_age_secs: age(oldest)?,
                    failing_secs: age(failing_since)?,
                })
            })
            .collect()
    }

    /// Every data store's obligations at `now` (only stores that have any),
    /// counted by the database: open and overdue split where consent-core's
    /// rule splits them (`ObligationStatus::of`: overdue from the due date on).
    pub async fn obligation_figures(
        &self,
        now: Timestamp,
    ) -> Result<Vec<ObligationFigures>, sqlx::Error> {
        let rows: Vec<ObligationRow> = on_pool!(&self.pool, |pool| sqlx::query_as(
            "SELECT store_id, \
               SUM(CASE WHEN attestation IS NULL AND due_by > $1 THEN 1 ELSE 0 END), \
               SUM(CASE WHEN attestation IS NULL AND due_by <= $1 THEN 1 ELSE 0 END), \
               SUM(CASE WHEN attestation IS NOT NULL THEN 1 ELSE 0 END), \
               MIN(CASE WHEN attestation IS NULL AND due_by > $1 THEN due_by END) \
             FROM deletion_obligations GROUP BY store_id ORDER BY store_id"
        )
        .bind(timestamp(now))
        .fetch_all(pool)
        .await?);
        rows.into_iter()
            .map(|(store, open, overdue, done, next_due)| {
                Ok(ObligationFigures {
                    store,
                    open,
                    overdue,
                    done,
                    next_due_secs: next_due
                        .map(|due| parse_timestamp(&due).map(|due| seconds_between(now, due)))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// Connections in use, by pool: `main` (every read, and PostgreSQL's
    /// writes) and, on SQLite, `writer` (the one connection writes share).
    pub fn connections_in_use(&self) -> Vec<(&'static str, i64)> {
        let in_use = |size: u32, idle: usize| i64::from(size) - idle as i64;
        let mut pools = vec![(
            "main",
            match &self.pool {
                Pool::Sqlite(pool) => in_use(pool.size(), pool.num_idle()),
                Pool::Postgres(pool) => in_use(pool.size(), pool.num_idle()),
            },
        )];
        if let Some(writer) = &self.write_pool {
            pools.push(("writer", in_use(writer.size(), writer.num_idle())));
        }
        pools
    }
}

fn seconds_between(from: Timestamp, to: Timestamp) -> f64 {
    (to - from).num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;
    use consent_core::deletion::ObligationStatus;

    // Guards that text comparison in the outbox query orders times as time:
    // every stored time has the same width.
    #[test]
    fn stored_times_sort_as_text() {
        let earlier: Timestamp = "2026-12-06T09:59:59.999999Z".parse().unwrap();
        let later: Timestamp = "2026-12-06T10:00:00Z".parse().unwrap();
        assert!(timestamp(earlier) < timestamp(later));
        assert_eq!(timestamp(earlier).len(), timestamp(later).len());
    }

    // Guards that the SQL's split of open and overdue is consent-core's
    // rule: due exactly now is overdue, a microsecond later is open.
    #[test]
    fn the_split_is_the_rule() {
        let now: Timestamp = "2026-12-06T10:00:00Z".parse().unwrap();
        let later = now + chrono::Duration::microseconds(1);
        assert_eq!(
            ObligationStatus::of(now, false, now),
            ObligationStatus::Overdue
        );
        assert!(
            timestamp(now) <= timestamp(now),
            "SQL: due_by <= now is overdue"
        );
        assert_eq!(
            ObligationStatus::of(later, false, now),
            ObligationStatus::Open
        );
        assert!(
            timestamp(later) > timestamp(now),
            "SQL: due_by > now is open"
        );
    }
}

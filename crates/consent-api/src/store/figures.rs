//! What the operator's metrics read from the database at each scrape: the
//! webhook outbox per subscription, the deletion obligations per data store,
//! and the connections in use.

use consent_core::deletion::ObligationStatus;
use consent_core::Timestamp;

use super::{parse_timestamp, Pool, Store};

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

    /// Every data store's obligations at `now` (only stores that have any).
    /// Open and overdue are told apart by consent-core's rule.
    pub async fn obligation_figures(
        &self,
        now: Timestamp,
    ) -> Result<Vec<ObligationFigures>, sqlx::Error> {
        let done: Vec<(String, i64)> = on_pool!(&self.pool, |pool| sqlx::query_as(
            "SELECT store_id, COUNT(*) FROM deletion_obligations \
             WHERE attestation IS NOT NULL GROUP BY store_id"
        )
        .fetch_all(pool)
        .await?);
        // Unattested ones are few: each is deleted and attested within weeks.
        let unattested: Vec<(String, String)> = on_pool!(&self.pool, |pool| sqlx::query_as(
            "SELECT store_id, due_by FROM deletion_obligations WHERE attestation IS NULL"
        )
        .fetch_all(pool)
        .await?);
        let mut figures: Vec<ObligationFigures> = Vec::new();
        let mut entry = |store: &str| -> usize {
            match figures.iter().position(|f| f.store == store) {
                Some(i) => i,
                None => {
                    figures.push(ObligationFigures {
                        store: store.to_owned(),
                        open: 0,
                        overdue: 0,
                        done: 0,
                        next_due_secs: None,
                    });
                    figures.len() - 1
                }
            }
        };
        let mut indexed = Vec::new();
        for (store, count) in done {
            indexed.push((entry(&store), None, count));
        }
        for (store, due_by) in unattested {
            indexed.push((entry(&store), Some(parse_timestamp(&due_by)?), 1));
        }
        for (i, due_by, count) in indexed {
            let store = &mut figures[i];
            match due_by.map(|due| (due, ObligationStatus::of(due, false, now))) {
                None => store.done += count,
                Some((_, ObligationStatus::Overdue)) => store.overdue += count,
                Some((due, _)) => {
                    store.open += count;
                    let secs = seconds_between(now, due);
                    store.next_due_secs =
                        Some(store.next_due_secs.map_or(secs, |next| next.min(secs)));
                }
            }
        }
        figures.sort_by(|a, b| a.store.cmp(&b.store));
        Ok(figures)
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
    use crate::store::timestamp;

    // Guards that text comparison in the outbox query orders times as time:
    // every stored time has the same width.
    #[test]
    fn stored_times_sort_as_text() {
        let earlier: Timestamp = "2026-12-06T09:59:59.999999Z".parse().unwrap();
        let later: Timestamp = "2026-12-06T10:00:00Z".parse().unwrap();
        assert!(timestamp(earlier) < timestamp(later));
        assert_eq!(timestamp(earlier).len(), timestamp(later).len());
    }
}

//! Webhook subscriptions and the outbox of their deliveries: written with
//! the event they announce (by the change feed's append), claimed by any
//! process's delivery worker, and their outcomes recorded.

use consent_core::{ProgramId, ProgramPropagation, Timestamp};

use super::{parse_timestamp, timestamp, Store, Tx};

/// A delivery is `pending` until it is `delivered`, `dead` (refused for
/// good, or still failing after the retry window) or `cancelled` (its
/// subscription was deleted).
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const DEAD: &str = "dead";
pub const CANCELLED: &str = "cancelled";

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    /// Program ids.
    pub programs: Vec<String>,
    pub description: String,
    /// `whsec_<base64>`.
    pub secret: String,
    pub created_at: Timestamp,
}

/// What a subscription asks for.
#[derive(Debug, Clone)]
pub struct SubscriptionRequest<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub programs: &'a [String],
    pub description: &'a str,
    /// Used only when the subscription is created.
    pub new_secret: &'a str,
    pub by: &'a str,
}

/// One delivery, as the deliveries route shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: String,
    pub feed_position: i64,
    pub tenant_id: String,
    pub program: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: String,
    pub next_attempt_at: String,
    pub delivered_at: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub latency_ms: Option<i64>,
}

/// A delivery to send now.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: String,
    pub subscription_id: String,
    pub url: String,
    pub secret: String,
    pub body: String,
    pub attempts: i64,
    pub created_at: String,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The new status: pending (retry at `next_attempt_at`), delivered or dead.
    pub status: &'static str,
    pub next_attempt_at: Timestamp,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub latency_ms: i64,
}

/// Writes a delivery of `body` (the entry at `position`) for each live
/// subscription that wants `program`; inside the event's transaction.
pub(crate) async fn enqueue(
    tx: &mut Tx,
    position: i64,
    tenant_id: &str,
    program: &str,
    body: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    let wanted = format!("%\"{program}\"%");
    on_tx!(&mut *tx, |conn| sqlx::query(
        "INSERT INTO deliveries (id, subscription_id, feed_position, tenant_id, program, body, \
         status, attempts, created_at, next_attempt_at) \
         SELECT $7 || id, id, $1, $2, $3, $4, 'pending', 0, $5, $5 \
         FROM subscriptions WHERE deleted_at IS NULL AND programs LIKE $6"
    )
    .bind(position)
    .bind(tenant_id)
    .bind(program)
    .bind(body)
    .bind(at)
    .bind(&wanted)
    .bind(format!("msg_{position}_"))
    .execute(&mut *conn)
    .await?
    .rows_affected());
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SubscriptionRow {
    id: String,
    url: String,
    programs: String,
    description: String,
    secret: String,
    created_at: String,
}

impl SubscriptionRow {
    fn subscription(self) -> Result<Subscription, sqlx::Error> {
        Ok(Subscription {
            id: self.id,
            url: self.url,
            programs: serde_json::from_str(&self.programs)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            description: self.description,
            secret: self.secret,
            created_at: parse_timestamp(&self.created_at)?,
        })
    }
}

impl Store {
    /// Creates the subscription (`true`) or changes its URL, programs and
    /// description (`false`; the secret stays). A deleted one is created anew.
    pub async fn put_subscription(
        &self,
        request: &SubscriptionRequest<'_>,
        at: Timestamp,
    ) -> Result<(bool, Subscription), sqlx::Error> {
        let programs = serde_json::to_string(request.programs)
            .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let mut tx = self.begin().await?;
        let updated = on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE subscriptions SET url = $2, programs = $3, description = $4 \
             WHERE id = $1 AND deleted_at IS NULL"
        )
        .bind(request.id)
        .bind(request.url)
        .bind(&programs)
        .bind(request.description)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        let created = updated == 0;
        if created {
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                "INSERT INTO subscriptions (id, url, programs, description, secret, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (id) DO UPDATE SET url = excluded.url, programs = excluded.programs, \
                 description = excluded.description, secret = excluded.secret, \
                 created_at = excluded.created_at, created_by = excluded.created_by, deleted_at = NULL"
            )
            .bind(request.id)
            .bind(request.url)
            .bind(&programs)
            .bind(request.description)
            .bind(request.new_secret)
            .bind(timestamp(at))
            .bind(request.by)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            });
        }
        tx.commit().await?;
        let subscription = self
            .subscription(request.id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        Ok((created, subscription))
    }

    /// The live subscription `id`, if any.
    pub async fn subscription(&self, id: &str) -> Result<Option<Subscription>, sqlx::Error> {
        let row: Option<SubscriptionRow> = on_pool!(&self.pool, |pool| sqlx::query_as(
            "SELECT id, url, programs, description, secret, created_at FROM subscriptions \
             WHERE id = $1 AND deleted_at IS NULL"
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        row.map(SubscriptionRow::subscription).transpose()
    }

    /// Deletes subscription `id` and cancels its pending deliveries; `false` if there was none.
    pub async fn delete_subscription(&self, id: &str, at: Timestamp) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin().await?;
        let deleted = on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE subscriptions SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL"
        )
        .bind(id)
        .bind(timestamp(at))
        .execute(&mut *conn)
        .await?
        .rows_affected());
        on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE deliveries SET status = 'cancelled', locked_until = NULL \
             WHERE subscription_id = $1 AND status = 'pending'"
        )
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        tx.commit().await?;
        Ok(deleted == 1)
    }

    /// The newest `limit` deliveries of subscription `id`, newest first.
    pub async fn deliveries(&self, id: &str, limit: u32) -> Result<Vec<DeliveryRow>, sqlx::Error> {
        on_pool!(&self.pool, |pool| sqlx::query_as(
            "SELECT id, feed_position, tenant_id, program, status, attempts, created_at, \
             next_attempt_at, delivered_at, last_status, last_error, latency_ms \
             FROM deliveries WHERE subscription_id = $1 ORDER BY feed_position DESC LIMIT $2"
        )
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await)
    }

    /// Pending deliveries due at `now` and not being sent elsewhere, each
    /// the oldest pending one of its subscription and tenant (so a tenant's
    /// changes reach a subscriber in order).
    pub async fn due_deliveries(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, sqlx::Error> {
        let now = timestamp(now);
        on_pool!(&self.pool, |pool| {
            sqlx::query_as(
            "SELECT d.id, d.subscription_id, s.url, s.secret, d.body, d.attempts, d.created_at \
             FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 \
             AND (d.locked_until IS NULL OR d.locked_until < $1) \
             AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.subscription_id = d.subscription_id \
                 AND e.tenant_id = d.tenant_id AND e.status = 'pending' AND e.feed_position < d.feed_position) \
             ORDER BY d.feed_position LIMIT $2"
        )
        .bind(&now)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        })
    }

    /// Takes delivery `id` for sending until `until`, unless another
    /// worker (of any process) holds it: a compare-and-set on its lock.
    pub async fn claim_delivery(
        &self,
        id: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin().await?;
        let claimed = on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE deliveries SET locked_until = $3 WHERE id = $1 AND status = 'pending' \
             AND (locked_until IS NULL OR locked_until < $2)"
        )
        .bind(id)
        .bind(timestamp(now))
        .bind(timestamp(until))
        .execute(&mut *conn)
        .await?
        .rows_affected());
        tx.commit().await?;
        Ok(claimed == 1)
    }

    /// Records how an attempt at delivery `id` ended, at `at`.
    pub async fn record_attempt(
        &self,
        id: &str,
        attempt: &Attempt,
        at: Timestamp,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE deliveries SET status = $2, attempts = attempts + 1, next_attempt_at = $3, \
             locked_until = NULL, last_status = $4, last_error = $5, latency_ms = $6, \
             delivered_at = CASE WHEN $2 = 'delivered' THEN $7 ELSE delivered_at END \
             WHERE id = $1 AND status = 'pending'"
        )
        .bind(id)
        .bind(attempt.status)
        .bind(timestamp(attempt.next_attempt_at))
        .bind(attempt.last_status.map(i64::from))
        .bind(&attempt.last_error)
        .bind(attempt.latency_ms)
        .bind(timestamp(at))
        .execute(&mut *conn)
        .await?
        .rows_affected());
        tx.commit().await?;
        Ok(())
    }

    /// For each program of `tenant_id`, the deliveries of its latest change
    /// (cancelled ones, of deleted subscriptions, left out).
    pub async fn propagation(
        &self,
        tenant_id: &str,
    ) -> Result<Vec<ProgramPropagation>, sqlx::Error> {
        let rows: Vec<PropagationRow> = on_pool!(&self.pool, |pool| sqlx::query_as(
            "SELECT f.program, f.event_id, f.at, COUNT(*) AS connected, \
             COUNT(*) FILTER (WHERE d.status = 'delivered') AS applied, \
             COUNT(*) FILTER (WHERE d.status = 'dead') AS failed \
             FROM change_feed f JOIN deliveries d ON d.feed_position = f.position \
             WHERE f.tenant_id = $1 AND d.status <> 'cancelled' AND f.position IN \
             (SELECT MAX(position) FROM change_feed WHERE tenant_id = $1 GROUP BY program) \
             GROUP BY f.program, f.event_id, f.at ORDER BY f.program"
        )
        .bind(tenant_id)
        .fetch_all(pool)
        .await)?;
        // A program this build does not know is left out.
        rows.into_iter()
            .filter_map(|row| row.propagation().transpose())
            .collect()
    }
}

#[derive(sqlx::FromRow)]
struct PropagationRow {
    program: String,
    event_id: String,
    at: String,
    connected: i64,
    applied: i64,
    failed: i64,
}

impl PropagationRow {
    fn propagation(self) -> Result<Option<ProgramPropagation>, sqlx::Error> {
        let count = |n: i64| u32::try_from(n).map_err(|e| sqlx::Error::Decode(Box::new(e)));
        let Some(program) = ProgramId::parse(&self.program) else {
            return Ok(None);
        };
        Ok(Some(ProgramPropagation {
            program,
            event_id: self.event_id,
            at: parse_timestamp(&self.at)?,
            connected: count(self.connected)?,
            applied: count(self.applied)?,
            failed: count(self.failed)?,
        }))
    }
}

//! The ledger's hash chain as stored (`ledger_chain`, one row per event;
//! see consent-core's `chain`): linking each event as it is recorded,
//! chaining the events recorded before the chain existed, and checking a
//! whole database.
//!
//! What is hashed is the event exactly as stored: its columns, the JSON
//! ones read as JSON, so an export can show the same object an auditor
//! re-hashes, and a change to any column of a stored event shows.

use std::collections::HashMap;

use consent_core::chain::{
    verify_chain, verify_chain_since, BreakKind, CanonicalEvent, ChainBreak, ChainHead, ChainLink,
    Checkpoint,
};
use serde_json::{json, Value};

use super::events::PreparedEvent;
use super::{json as to_json, Store, Tx};

/// A stored event's columns, as text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct EventColumns {
    pub seq: i64,
    pub id: String,
    pub tenant_id: String,
    pub at: String,
    pub actor: String,
    pub program: String,
    pub action: String,
    pub before_state: String,
    pub after_state: String,
    pub notices: String,
    pub receipt_id: String,
    pub idempotency_key: Option<String>,
    pub detail: Option<String>,
}

/// A stored event's columns, borrowed: what the chain hashes.
pub(crate) struct EventText<'a> {
    pub id: &'a str,
    pub at: &'a str,
    pub actor: &'a str,
    pub program: &'a str,
    pub action: &'a str,
    pub before: &'a str,
    pub after: &'a str,
    pub notices: &'a str,
    pub receipt_id: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub detail: Option<&'a str>,
}

impl EventText<'_> {
    /// The event as the chain hashes it.
    pub(crate) fn value(&self) -> Value {
        // A column that is not JSON (written by hand) is hashed as its text.
        let parsed = |text: &str| {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
        };
        json!({
            "id": self.id,
            "at": self.at,
            "actor": parsed(self.actor),
            "program": self.program,
            "action": self.action,
            "before": parsed(self.before),
            "after": parsed(self.after),
            "notices": parsed(self.notices),
            "receipt_id": self.receipt_id,
            "idempotency_key": self.idempotency_key,
            "detail": self.detail.map(parsed),
        })
    }
}

impl EventColumns {
    fn value(&self) -> Value {
        EventText {
            id: &self.id,
            at: &self.at,
            actor: &self.actor,
            program: &self.program,
            action: &self.action,
            before: &self.before_state,
            after: &self.after_state,
            notices: &self.notices,
            receipt_id: &self.receipt_id,
            idempotency_key: self.idempotency_key.as_deref(),
            detail: self.detail.as_deref(),
        }
        .value()
    }
}

/// An event about to be stored, with its link, its receipt (which names
/// the link's hash) serialised, and the tenant's checkpoint after it when
/// the store signs them.
pub(crate) struct Linked {
    pub link: ChainLink,
    pub receipt: String,
    pub checkpoint: Option<SignedCheckpoint>,
    /// What hashing the link and signing the checkpoint took.
    pub hash_and_sign: std::time::Duration,
}

/// A checkpoint and its JWS.
pub(crate) struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    pub jws: String,
}

/// The JWS `typ` of a checkpoint.
pub const CHECKPOINT_TYP: &str = "checkpoint+jws";

/// Where `tenant_id`'s chain stands, inside the caller's transaction (which
/// holds the tenant's write lock).
async fn head(tx: &mut Tx, tenant_id: &str) -> Result<ChainHead, sqlx::Error> {
    let row: Option<(i64, String)> = on_tx!(&mut *tx, |conn| sqlx::query_as(
        "SELECT n, hash FROM ledger_chain WHERE tenant_id = $1 ORDER BY n DESC LIMIT 1"
    )
    .bind(tenant_id)
    .fetch_optional(&mut *conn)
    .await?);
    Ok(row.map_or_else(ChainHead::default, |(n, hash)| ChainHead {
        count: u64::try_from(n).unwrap_or_default(),
        hash: Some(hash),
    }))
}

/// `event` as its link hashes it: the stored row as JSON.
pub(crate) fn event_value(event: &PreparedEvent) -> Value {
    EventText {
        id: &event.id,
        at: &event.at,
        actor: &event.actor,
        program: event.program,
        action: event.action,
        before: &event.before,
        after: &event.after,
        notices: &event.notices,
        receipt_id: &event.receipt_id,
        idempotency_key: event.idempotency_key.as_deref(),
        detail: event.detail.as_deref(),
    }
    .value()
}

/// Links `event` after its tenant's chain; its receipt names the hash.
pub(crate) async fn link(tx: &mut Tx, event: &PreparedEvent) -> Result<Linked, sqlx::Error> {
    let head = head(tx, &event.tenant_id).await?;
    let started = std::time::Instant::now();
    let link = ChainLink::after(&head, &event.tenant_id, event.chained.clone());
    let mut receipt = event.receipt.clone();
    receipt.event_hash = Some(link.hash.clone());
    let checkpoint = event.signer.as_deref().map(|keys| {
        let checkpoint = Checkpoint {
            tenant: link.tenant.clone(),
            count: link.n,
            head_hash: Some(link.hash.clone()),
            at: event.at.clone(),
        };
        let payload = serde_json::to_vec(&checkpoint).expect("a checkpoint serialises");
        SignedCheckpoint {
            jws: keys.sign(&payload, CHECKPOINT_TYP),
            checkpoint,
        }
    });
    let hash_and_sign = started.elapsed();
    Ok(Linked {
        receipt: to_json(&receipt)?,
        link,
        checkpoint,
        hash_and_sign,
    })
}

/// Stores the checkpoint of `linked`, if it has one.
pub(crate) async fn insert_checkpoint(tx: &mut Tx, linked: &Linked) -> Result<(), sqlx::Error> {
    let Some(signed) = &linked.checkpoint else {
        return Ok(());
    };
    let point = &signed.checkpoint;
    on_tx!(&mut *tx, |conn| {
        sqlx::query(
        "INSERT INTO ledger_checkpoints (tenant_id, count, head_hash, at, jws) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(&point.tenant)
    .bind(i64::try_from(point.count).unwrap_or(i64::MAX))
    .bind(&point.head_hash)
    .bind(&point.at)
    .bind(&signed.jws)
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })
}

/// Stores `link` of event `event_id`.
pub(crate) async fn insert(
    tx: &mut Tx,
    event_id: &str,
    link: &ChainLink,
) -> Result<(), sqlx::Error> {
    on_tx!(&mut *tx, |conn| {
        sqlx::query(
        "INSERT INTO ledger_chain (event_id, tenant_id, n, prev_hash, hash) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(event_id)
    .bind(&link.tenant)
    .bind(i64::try_from(link.n).unwrap_or(i64::MAX))
    .bind(&link.prev_hash)
    .bind(&link.hash)
    .execute(&mut *conn)
    .await
    .map(|_| ())
    })
}

const EVENT_COLUMNS: &str = "e.seq, e.id, e.tenant_id, e.at, e.actor, e.program, e.action, \
     e.before_state, e.after_state, e.notices, e.receipt_id, e.idempotency_key, e.detail";

/// One tenant's chain as a check of the whole database found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantChain {
    pub tenant: String,
    pub outcome: Result<ChainHead, ChainBreak>,
}

/// Chains, inside `tx`, the events recorded before the chain existed (up
/// to `ledger_chain_origin`) that have no place in it yet, tenant by tenant
/// in the order they were recorded; answers how many. An unlinked event
/// recorded later was added behind the service's back: it stays unlinked,
/// for the verifier to name.
pub(crate) async fn chain_unlinked(tx: &mut Tx) -> Result<u64, sqlx::Error> {
    let rows: Vec<EventColumns> = on_tx!(&mut *tx, |conn| sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM consent_events e \
         WHERE e.seq <= (SELECT unchained_through FROM ledger_chain_origin WHERE id = 1) \
         AND NOT EXISTS (SELECT 1 FROM ledger_chain c WHERE c.event_id = e.id) ORDER BY e.seq"
    ))
    .fetch_all(&mut *conn)
    .await?);
    let mut heads: HashMap<String, ChainHead> = HashMap::new();
    for row in &rows {
        let head = match heads.get(&row.tenant_id) {
            Some(head) => head.clone(),
            None => head(tx, &row.tenant_id).await?,
        };
        let link = ChainLink::after(&head, &row.tenant_id, CanonicalEvent::new(row.value()));
        insert(tx, &row.id, &link).await?;
        heads.insert(
            row.tenant_id.clone(),
            ChainHead {
                count: link.n,
                hash: Some(link.hash),
            },
        );
    }
    Ok(rows.len() as u64)
}

/// `tenant_id`'s events in the order they were recorded, each with its
/// place in the chain; `None` for an event that has none.
pub(crate) async fn chain_of(
    tx: &mut Tx,
    tenant_id: &str,
) -> Result<Vec<(EventColumns, Option<ChainLink>)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        event: EventColumns,
        n: Option<i64>,
        prev_hash: Option<String>,
        hash: Option<String>,
    }
    let rows: Vec<Row> = on_tx!(&mut *tx, |conn| sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS}, c.n, c.prev_hash, c.hash FROM consent_events e \
         LEFT JOIN ledger_chain c ON c.event_id = e.id WHERE e.tenant_id = $1 ORDER BY e.seq"
    ))
    .bind(tenant_id)
    .fetch_all(&mut *conn)
    .await?);
    Ok(rows
        .into_iter()
        .map(|row| {
            let link = match (row.n, row.hash) {
                (Some(n), Some(hash)) => Some(ChainLink {
                    tenant: row.event.tenant_id.clone(),
                    n: u64::try_from(n).unwrap_or_default(),
                    prev_hash: row.prev_hash,
                    hash,
                    event: row.event.value(),
                }),
                _ => None,
            };
            (row.event, link)
        })
        .collect())
}

/// Checks every tenant's chain in `tx`, as an auditor checks an export.
pub(crate) async fn verify_all(tx: &mut Tx) -> Result<Vec<TenantChain>, sqlx::Error> {
    let tenants: Vec<String> = on_tx!(&mut *tx, |conn| sqlx::query_scalar(
        "SELECT DISTINCT tenant_id FROM consent_events ORDER BY tenant_id"
    )
    .fetch_all(&mut *conn)
    .await?);
    let origin: i64 = on_tx!(&mut *tx, |conn| sqlx::query_scalar(
        "SELECT unchained_through FROM ledger_chain_origin WHERE id = 1"
    )
    .fetch_one(&mut *conn)
    .await?);
    let mut checked = Vec::with_capacity(tenants.len());
    for tenant in tenants {
        let events = chain_of(tx, &tenant).await?;
        let outcome = match events.iter().position(|(_, link)| link.is_none()) {
            Some(index) => Err(ChainBreak {
                line: index + 1,
                kind: BreakKind::Inserted,
                why: if events[index].0.seq <= origin {
                    format!(
                        "event {} was recorded before the chain existed and is not chained \
                         yet (a server chains it when it starts)",
                        events[index].0.id
                    )
                } else {
                    format!(
                        "event {} has no place in the chain: it was added after the fact",
                        events[index].0.id
                    )
                },
            }),
            None => {
                let links: Vec<ChainLink> =
                    events.into_iter().filter_map(|(_, link)| link).collect();
                match newest_checkpoint(tx, &tenant).await? {
                    Some(signed) => verify_chain_since(&tenant, &links, &signed),
                    None => verify_chain(&tenant, &links, None),
                }
            }
        };
        checked.push(TenantChain { tenant, outcome });
    }
    Ok(checked)
}

/// The chain's end as the newest stored checkpoint of `tenant` signed it.
async fn newest_checkpoint(tx: &mut Tx, tenant: &str) -> Result<Option<ChainHead>, sqlx::Error> {
    let row: Option<(i64, String)> = on_tx!(&mut *tx, |conn| sqlx::query_as(
        "SELECT count, head_hash FROM ledger_checkpoints WHERE tenant_id = $1 \
         ORDER BY count DESC LIMIT 1"
    )
    .bind(tenant)
    .fetch_optional(&mut *conn)
    .await?);
    Ok(row.map(|(count, hash)| ChainHead {
        count: u64::try_from(count).unwrap_or_default(),
        hash: Some(hash),
    }))
}

impl Store {
    /// Chains the events recorded before the chain existed, in one
    /// transaction (at start, after migrating); answers how many.
    pub async fn chain_unlinked(&self) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin().await?;
        if let Tx::Postgres(conn) = &mut tx {
            // Processes starting together chain once: the others wait, then find nothing to do.
            sqlx::query("LOCK TABLE ledger_chain IN EXCLUSIVE MODE")
                .execute(&mut **conn)
                .await?;
        }
        let chained = chain_unlinked(&mut tx).await?;
        tx.commit().await?;
        Ok(chained)
    }

    /// `tenant_id`'s events in the order they were recorded, each as its
    /// link (`n` 0 for an event that has no place in the chain) with its
    /// receipt as issued; from one consistent snapshot.
    pub async fn ledger_of(
        &self,
        tenant_id: &str,
    ) -> Result<Vec<(ChainLink, String)>, sqlx::Error> {
        let mut tx = self.begin_read().await?;
        let events = chain_of(&mut tx, tenant_id).await?;
        let receipts: Vec<(String, String)> = on_tx!(&mut tx, |conn| sqlx::query_as(
            "SELECT event_id, body FROM consent_receipts WHERE tenant_id = $1"
        )
        .bind(tenant_id)
        .fetch_all(&mut *conn)
        .await?);
        let mut receipts: HashMap<String, String> = receipts.into_iter().collect();
        Ok(events
            .into_iter()
            .map(|(event, link)| {
                let receipt = receipts.remove(&event.id).unwrap_or_default();
                let link = link.unwrap_or_else(|| ChainLink {
                    tenant: event.tenant_id.clone(),
                    n: 0,
                    prev_hash: None,
                    hash: String::new(),
                    event: event.value(),
                });
                (link, receipt)
            })
            .collect())
    }

    /// Where `tenant_id`'s chain stands now.
    pub async fn chain_head(&self, tenant_id: &str) -> Result<ChainHead, sqlx::Error> {
        let mut tx = self.begin_read().await?;
        head(&mut tx, tenant_id).await
    }

    /// Checks every tenant's chain, from one consistent snapshot.
    pub async fn verify_ledger(&self) -> Result<Vec<TenantChain>, sqlx::Error> {
        let mut tx = self.begin_read().await?;
        verify_all(&mut tx).await
    }
}

//! The change of one program: the use case behind
//! `PUT /api/v1/tenants/{tenant_id}/data-sharing/{program_id}`.
//!
//! Decides with consent-core's rules, makes the event's ids and receipt,
//! stores the change in one transaction and builds the answer. The HTTP
//! handler only reads the request and writes the answer.

use std::sync::Arc;

use consent_core::canonical::{canonical_json, sha256_hex};
use consent_core::deletion::StoreCatalog;
use consent_core::rules::ChangeContext;
use consent_core::tenant::can_edit;
use consent_core::{
    decide_change, Actor, ChangeRequest, DataSharingDocument, ProgramId, Refusal, Timestamp,
};

use super::deletion::obligations_opened;
use super::document::data_sharing_document;
use super::event::new_event;
use crate::limits::{retry_after_secs, CHANGE_WINDOW};
use crate::metrics::{Limit, SharedMetrics};
use crate::notices::{SharedNotices, UnavailableLanguage};
use crate::state::Clock;
use crate::store::{
    AcceptedChange, ChangeOutcome, IdempotentResponse, Store, StoredResponse, TenantSnapshot,
};

/// What the change service needs from the server.
#[derive(Clone)]
pub struct ChangeService {
    store: Store,
    notices: SharedNotices,
    /// The data stores an opt-out opens obligations for.
    stores: Arc<StoreCatalog>,
    clock: Clock,
    /// Changes per tenant per minute; 0: no limit.
    changes_per_minute: u32,
    /// Counts changes recorded and refused by the limit, when the server runs.
    metrics: Option<SharedMetrics>,
}

impl ChangeService {
    /// The service over `store`, deciding against `notices` at `clock`'s time.
    pub fn new(
        store: Store,
        notices: SharedNotices,
        stores: Arc<StoreCatalog>,
        clock: Clock,
    ) -> ChangeService {
        ChangeService {
            store,
            notices,
            stores,
            clock,
            changes_per_minute: 0,
            metrics: None,
        }
    }

    /// The same service, counting in `metrics`.
    pub fn counting_in(self, metrics: SharedMetrics) -> ChangeService {
        ChangeService {
            metrics: Some(metrics),
            ..self
        }
    }

    /// The same service, refusing a tenant's change once it recorded
    /// `per_minute` in the last minute (0: no limit).
    pub fn with_change_limit(self, per_minute: u32) -> ChangeService {
        ChangeService {
            changes_per_minute: per_minute,
            ..self
        }
    }
}

/// A change as the request asked for it.
#[derive(Debug)]
pub struct ProgramChange<'a> {
    /// Who asks.
    pub actor: &'a Actor,
    /// The tenant's state the caller may see (read before anything else).
    pub snapshot: TenantSnapshot,
    pub program: ProgramId,
    pub request: ChangeRequest,
    /// The version `If-Match` names: `None` without the header, `Some(None)`
    /// when it names none.
    pub expected_version: Option<Option<i64>>,
    /// The request's `Idempotency-Key`, if any.
    pub idempotency_key: Option<&'a str>,
}

/// The answer to a change.
#[derive(Debug)]
pub enum ChangeAnswer {
    /// The change is stored: the document as it now is, and its JSON.
    Stored {
        document: DataSharingDocument,
        body: String,
    },
    /// The request changes nothing: no event, the same version.
    Unchanged(DataSharingDocument),
    /// A retry under the same key: the first answer, as stored.
    Replayed { status: u16, body: String },
}

/// Why a change was not made; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// The rules (or the caller's role) refuse it.
    #[error("{0:?}")]
    Refused(Refusal),
    /// No `If-Match` was sent.
    #[error("If-Match is missing")]
    PreconditionRequired,
    /// The change was made on another version; the current document.
    #[error("stale version")]
    Stale(Box<DataSharingDocument>),
    /// An acceptance names a language its notice version is not published in.
    #[error(transparent)]
    LanguageUnavailable(#[from] UnavailableLanguage),
    /// The idempotency key was first used for another change.
    #[error("the idempotency key was used for another change")]
    KeyReused,
    /// The tenant made too many changes in the last minute; try again in so many seconds.
    #[error("too many changes; try again in {0} s")]
    RateLimited(u64),
    /// The tenant is gone (it was there when the request began).
    #[error("there is no tenant {0:?}")]
    NoSuchTenant(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Encoding(#[from] serde_json::Error),
}

impl ChangeService {
    /// Refuses anyone who may not change settings. Readers are refused
    /// before any version talk: a stale page is not their problem.
    pub fn authorize(actor: &Actor) -> Result<(), ChangeError> {
        if can_edit(&actor.roles) {
            Ok(())
        } else {
            Err(ChangeError::Refused(Refusal::NotAnAdmin))
        }
    }

    /// Decides `change`, stores it with its event and receipt when it
    /// changes something, and answers with the resulting document.
    pub async fn change(&self, change: ProgramChange<'_>) -> Result<ChangeAnswer, ChangeError> {
        let ProgramChange {
            actor,
            snapshot,
            program,
            request,
            expected_version,
            idempotency_key,
        } = change;
        let tenant_id = snapshot.tenant.id.as_str();
        ChangeService::authorize(actor)?;

        // A retry of a change already made gets the first answer, even though
        // its If-Match is now stale.
        let request_hash = fingerprint(program, &request);
        if let Some(key) = idempotency_key {
            if let Some(stored) = self.store.idempotent_response(tenant_id, key).await? {
                return replay(stored, &request_hash);
            }
        }

        let expected_version = expected_version.ok_or(ChangeError::PreconditionRequired)?;
        let now = (self.clock)();
        if let Err(refused) = self.within_change_limit(tenant_id, now).await {
            if let (ChangeError::RateLimited(_), Some(metrics)) = (&refused, &self.metrics) {
                metrics.rate_limited(Limit::Changes);
            }
            return Err(refused);
        }
        // One view of the notices for the whole decision, even if one is published meanwhile.
        let notices = self.notices.get();
        if expected_version != Some(snapshot.version) {
            let current = data_sharing_document(&snapshot, &notices, actor, now);
            return Err(ChangeError::Stale(Box::new(current)));
        }

        // The rules decide on the reference wording; each acceptance must name a
        // language its version is published in, and is recorded in that language.
        let shown = notices.resolve_acceptances(&request.accept_notices)?;
        let request = ChangeRequest {
            accept_notices: shown,
            ..request
        };

        let before = snapshot.program(program);
        let context = ChangeContext {
            region: &snapshot.tenant.region,
            notices: notices.for_program(program),
            actor,
            now,
        };
        let decision = decide_change(&before, &request, context).map_err(ChangeError::Refused)?;
        let Some(action) = decision.action else {
            let document = data_sharing_document(&snapshot, &notices, actor, now);
            return Ok(ChangeAnswer::Unchanged(document));
        };

        // The document as it will be once stored: the change decides the only
        // difference, since the conditional version bump fails if anything else changed.
        let mut after_snapshot = snapshot.clone();
        after_snapshot.version += 1;
        for record in after_snapshot
            .programs
            .iter_mut()
            .filter(|r| r.program == program)
        {
            *record = decision.after.clone();
        }
        let document = data_sharing_document(&after_snapshot, &notices, actor, now);
        let body = serde_json::to_string(&document)?;

        let described = notices.describe(&decision.after.accepted_notices, &request.accept_notices);
        let mut event = new_event(
            &snapshot.tenant,
            actor,
            now,
            action,
            &before,
            &decision.after,
            described,
            notices.for_program(program),
        );
        event.obligations = obligations_opened(&self.stores, action, program, now);
        let outcome = self
            .store
            .apply_change(AcceptedChange {
                expected_version: snapshot.version,
                event,
                idempotency: idempotency_key.map(|key| IdempotentResponse {
                    key,
                    request_hash: &request_hash,
                    status: 200,
                    body: &body,
                }),
            })
            .await?;
        match outcome {
            ChangeOutcome::Applied {
                event_id, ledger, ..
            } => {
                if let Some(metrics) = &self.metrics {
                    metrics.change_recorded(program, action);
                }
                tracing::info!(
                    tenant = %tenant_id,
                    %program,
                    action = action.as_str(),
                    event = %event_id,
                    ledger_us = ledger.total.as_micros() as u64,
                    hash_and_sign_us = ledger.hash_and_sign.as_micros() as u64,
                    "consent change stored"
                );
                Ok(ChangeAnswer::Stored { document, body })
            }
            ChangeOutcome::Stale | ChangeOutcome::IdempotencyKeyTaken => {
                // A concurrent request was stored first. If it was this same
                // request under the same key, answer as it was answered.
                if let Some(key) = idempotency_key {
                    if let Some(stored) = self.store.idempotent_response(tenant_id, key).await? {
                        return replay(stored, &request_hash);
                    }
                }
                let current = self
                    .store
                    .snapshot(tenant_id)
                    .await?
                    .ok_or_else(|| ChangeError::NoSuchTenant(tenant_id.to_owned()))?;
                let current = data_sharing_document(&current, &notices, actor, (self.clock)());
                Err(ChangeError::Stale(Box::new(current)))
            }
        }
    }
}

impl ChangeService {
    /// Refuses a change once the tenant recorded its limit of changes in
    /// the last minute. Counted in the ledger, so the limit holds across
    /// every process on the database.
    async fn within_change_limit(
        &self,
        tenant_id: &str,
        now: Timestamp,
    ) -> Result<(), ChangeError> {
        if self.changes_per_minute == 0 {
            return Ok(());
        }
        let window = chrono::Duration::from_std(CHANGE_WINDOW).unwrap_or_default();
        let recent = self.store.events_since(tenant_id, now - window).await?;
        if recent.len() < self.changes_per_minute as usize {
            return Ok(());
        }
        // Free again once the oldest change counted leaves the window.
        let oldest_counted = recent[recent.len() - self.changes_per_minute as usize];
        let wait = (oldest_counted + window - now).to_std().unwrap_or_default();
        Err(ChangeError::RateLimited(retry_after_secs(wait)))
    }
}

/// What makes two requests under one idempotency key "the same request".
fn fingerprint(program: ProgramId, request: &ChangeRequest) -> String {
    sha256_hex(&canonical_json(
        &serde_json::json!({"program": program, "request": request}),
    ))
}

/// The stored first answer to a key, or a refusal if the key is reused for another request.
fn replay(stored: StoredResponse, request_hash: &str) -> Result<ChangeAnswer, ChangeError> {
    if stored.request_hash != request_hash {
        return Err(ChangeError::KeyReused);
    }
    Ok(ChangeAnswer::Replayed {
        status: stored.status,
        body: stored.body,
    })
}

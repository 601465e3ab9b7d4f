//! Deletion obligations: opened by every opt-out (one per data store of the
//! program), attested by their store's client, marked overdue by the sweep
//! when their date passes without an attestation, and certified once every
//! store of an opt-out has attested.

use consent_core::deletion::{
    Attestation, AttestationRequest, CertifiedDeletion, DeletionCertificate, OptOutDeletions,
    StoreCatalog, TenantDeletions, KEPT_ON_PURPOSE,
};
use consent_core::rules::ConsentAction;
use consent_core::{Actor, ErrorCode, ProgramId, Timestamp};

use super::event::{new_event, time_ordered_id};
use crate::http::problem::ApiError;
use crate::state::AppState;
use crate::store::{
    deletion_detail, DeletionEvent, Marked, NewObligation, ObligationRow, TenantSnapshot,
};

/// The obligations an event opens: one per store of `program` for an
/// opt-out at `at`, none for any other event.
pub fn obligations_opened(
    stores: &StoreCatalog,
    action: ConsentAction,
    program: ProgramId,
    at: Timestamp,
) -> Vec<NewObligation> {
    if action != ConsentAction::OptedOut {
        return Vec::new();
    }
    stores
        .for_program(program)
        .map(|store| NewObligation {
            id: time_ordered_id(at),
            store: store.id.clone(),
            due_by: store.deadline.due_by(at),
        })
        .collect()
}

/// What an attestation came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttestOutcome {
    /// Recorded now (201).
    Recorded(ObligationRow),
    /// The same attestation was recorded before (a retry: 200).
    Repeated(ObligationRow),
}

impl AppState {
    /// The event about `row` recorded now by `actor`, carrying the store's
    /// `attestation` (its `event_id` set to the event's) when there is one.
    fn deletion_event(
        &self,
        snapshot: &TenantSnapshot,
        row: &ObligationRow,
        actor: &Actor,
        action: ConsentAction,
        attestation: Option<Attestation>,
        at: Timestamp,
    ) -> DeletionEvent {
        let notices = self.notices.get();
        let state = snapshot.program(row.program);
        let made = new_event(
            &snapshot.tenant,
            actor,
            at,
            action,
            &state,
            &state,
            notices.describe(&state.accepted_notices, &[]),
            notices.for_program(row.program),
        );
        let name = self
            .stores
            .get(&row.store)
            .map_or(row.store.as_str(), |s| s.name.as_str());
        let attestation = attestation.map(|attested| Attestation {
            event_id: made.id.clone(),
            ..attested
        });
        DeletionEvent {
            id: made.id,
            actor: actor.clone(),
            at,
            action,
            receipt: made.receipt,
            detail: deletion_detail(row, name, attestation),
            verdict: made.verdict,
        }
    }

    /// Records `request` as the attestation of obligation `id` by `client`:
    /// only for a store `client` is registered for, once; a retry with the
    /// same values is answered as the first was.
    pub async fn attest_deletion(
        &self,
        client: &Actor,
        id: &str,
        request: AttestationRequest,
    ) -> Result<AttestOutcome, ApiError> {
        let unknown = || ApiError::not_found(format!("there is no deletion obligation {id:?}"));
        if id.len() > 64 {
            return Err(unknown());
        }
        let row = self.store.obligation(id).await?.ok_or_else(unknown)?;
        let store = self.stores.get(&row.store);
        if store.is_none_or(|store| store.client_id != client.id) {
            return Err(ApiError::new(
                ErrorCode::NotYourStore,
                format!(
                    "client {:?} may not attest for data store {:?}",
                    client.id, row.store
                ),
            ));
        }
        let now = self.now();
        if let Some(recorded) = &row.attestation {
            return repeated(row.clone(), recorded, &request);
        }
        request
            .check(row.opted_out_at, now)
            .map_err(|(field, why)| ApiError::invalid_body(why).with_field(field))?;
        let attestation = Attestation {
            completed_at: request.completed_at,
            items_deleted: request.items_deleted,
            method: request.method.clone(),
            evidence_ref: request.evidence_ref.clone(),
            attested_by: client.id.clone(),
            attested_at: now,
            event_id: String::new(),
        };
        let marked = self
            .store
            .attest(&row, |snapshot| {
                self.deletion_event(
                    snapshot,
                    &row,
                    client,
                    ConsentAction::DeletionAttested,
                    Some(attestation),
                    now,
                )
            })
            .await?;
        match marked {
            Marked::Recorded(row) => {
                self.metrics
                    .change_recorded(row.program, ConsentAction::DeletionAttested);
                tracing::info!(tenant = %row.tenant_id, store = %row.store, obligation = %row.id, by = %client.id, "deletion attested");
                Ok(AttestOutcome::Recorded(row))
            }
            Marked::Already(row) => match &row.attestation {
                Some(recorded) => repeated(row.clone(), recorded, &request),
                None => Err(ApiError::internal("the obligation was marked meanwhile")),
            },
        }
    }

    /// Marks every obligation past its date without an attestation as
    /// overdue, each once however many processes sweep; answers how many
    /// this call marked.
    pub async fn sweep_deletions(&self) -> Result<usize, sqlx::Error> {
        let now = self.now();
        let service = Actor::consent_service();
        let mut marked = 0;
        for row in self.store.newly_overdue(now).await? {
            let outcome = self
                .store
                .mark_overdue(&row, |snapshot| {
                    self.deletion_event(
                        snapshot,
                        &row,
                        &service,
                        ConsentAction::DeletionOverdue,
                        None,
                        now,
                    )
                })
                .await?;
            if let Marked::Recorded(row) = outcome {
                self.metrics
                    .change_recorded(row.program, ConsentAction::DeletionOverdue);
                tracing::warn!(tenant = %row.tenant_id, store = %row.store, obligation = %row.id, due_by = %row.due_by, "deletion overdue: no attestation by its due date");
                marked += 1;
            }
        }
        Ok(marked)
    }

    /// A tenant's opt-outs with their obligations, newest first.
    pub async fn tenant_deletions(&self, tenant_id: &str) -> Result<TenantDeletions, sqlx::Error> {
        let now = self.now();
        let mut opt_outs: Vec<OptOutDeletions> = Vec::new();
        for row in self.store.tenant_obligations(tenant_id).await? {
            let view = row.view(now, &self.stores);
            match opt_outs.last_mut() {
                Some(last) if last.event_id == row.opt_out_event_id => last.obligations.push(view),
                _ => opt_outs.push(OptOutDeletions {
                    event_id: row.opt_out_event_id.clone(),
                    program: row.program,
                    at: row.opted_out_at,
                    obligations: vec![view],
                }),
            }
        }
        // Each opt-out's stores in the order the stores file lists them.
        let place = |store: &str| self.stores.all().iter().position(|s| s.id == store);
        for opt_out in &mut opt_outs {
            opt_out.obligations.sort_by_key(|o| place(&o.store));
        }
        Ok(TenantDeletions { opt_outs })
    }

    /// The certificate of opt-out `event_id` of `tenant_id`, once every store attested.
    pub async fn deletion_certificate(
        &self,
        tenant_id: &str,
        event_id: &str,
    ) -> Result<DeletionCertificate, ApiError> {
        let deletions = self.tenant_deletions(tenant_id).await?;
        let opt_out = deletions
            .opt_outs
            .into_iter()
            .find(|o| o.event_id == event_id)
            .ok_or_else(|| {
                ApiError::not_found(format!("there is no opt-out {event_id:?} with deletions"))
            })?;
        let (done, total) = opt_out.confirmed();
        if !opt_out.complete() {
            return Err(ApiError::new(
                ErrorCode::DeletionIncomplete,
                format!("{done} of {total} data stores have attested their deletion so far"),
            ));
        }
        let deletions = opt_out
            .obligations
            .into_iter()
            .filter_map(|obligation| {
                let store = self.stores.get(&obligation.store);
                Some(CertifiedDeletion {
                    name: store.map_or(obligation.store.clone(), |s| s.name.clone()),
                    categories: store.map(|s| s.categories.clone()).unwrap_or_default(),
                    store: obligation.store,
                    due_by: obligation.due_by,
                    attestation: obligation.attestation?,
                })
            })
            .collect();
        Ok(DeletionCertificate {
            tenant: tenant_id.to_owned(),
            program: opt_out.program,
            opt_out_event_id: opt_out.event_id,
            opted_out_at: opt_out.at,
            deletions,
            kept: vec![KEPT_ON_PURPOSE.to_owned()],
            issued_at: self.now(),
        })
    }
}

/// The answer to an attestation of an obligation attested before: the
/// same values are a retry; others are refused, the first one standing.
fn repeated(
    row: ObligationRow,
    recorded: &Attestation,
    request: &AttestationRequest,
) -> Result<AttestOutcome, ApiError> {
    let same = recorded.completed_at == request.completed_at
        && recorded.items_deleted == request.items_deleted
        && recorded.method == request.method
        && recorded.evidence_ref == request.evidence_ref;
    if same {
        Ok(AttestOutcome::Repeated(row))
    } else {
        Err(ApiError::new(
            ErrorCode::AlreadyAttested,
            format!(
                "the obligation was attested on {} by {}; an attestation is never changed",
                recorded.attested_at, recorded.attested_by
            ),
        ))
    }
}

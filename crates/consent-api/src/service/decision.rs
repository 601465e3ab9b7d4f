//! Decisions for the systems that use the data: may tenant X's data be used
//! under program P now (or at an instant, replayed from the ledger)? Decided
//! by consent-core's [`verdict`], whose `allowed` is the page's "On" rule.
//! A decision about now is made from the tenant's inputs as the store
//! keeps them in memory while they are current (`store::decision_cache`),
//! decided afresh at the time of asking.

use std::collections::HashMap;
use std::sync::Arc;

use consent_core::decision::{unknown_tenant, verdict, DataUseDecision, Verdict};
use consent_core::tenant::is_valid_tenant_id;
use consent_core::{ProgramId, Timestamp};

use crate::notices::SharedNotices;
use crate::state::{AppState, Clock};
use crate::store::{DecisionInputs, LatestEvent, Store};

/// What deciding needs from the server.
#[derive(Clone)]
pub struct DecisionService {
    store: Store,
    notices: SharedNotices,
    clock: Clock,
}

impl DecisionService {
    pub fn new(store: Store, notices: SharedNotices, clock: Clock) -> DecisionService {
        DecisionService {
            store,
            notices,
            clock,
        }
    }

    /// The decision for `tenant_id` and `program` now.
    pub async fn decide(
        &self,
        tenant_id: &str,
        program: ProgramId,
    ) -> Result<DataUseDecision, sqlx::Error> {
        let mut decided = self.decide_many(&[(tenant_id.to_owned(), program)]).await?;
        Ok(decided.remove(0))
    }

    /// The decisions for each (tenant, program) now, in order; each tenant read once.
    pub async fn decide_many(
        &self,
        items: &[(String, ProgramId)],
    ) -> Result<Vec<DataUseDecision>, sqlx::Error> {
        let now = (self.clock)();
        let notices = self.notices.get();
        let mut tenants: HashMap<&str, Option<Arc<DecisionInputs>>> = HashMap::new();
        for (tenant_id, _) in items {
            if tenants.contains_key(tenant_id.as_str()) {
                continue;
            }
            let known = self.store.decision_inputs(tenant_id).await?;
            tenants.insert(tenant_id, known);
        }
        Ok(items
            .iter()
            .map(
                |(tenant_id, program)| match tenants.get(tenant_id.as_str()) {
                    Some(Some(inputs)) => {
                        let DecisionInputs { snapshot, latest } = inputs.as_ref();
                        let record = snapshot.program(*program);
                        let set = notices.for_program(*program);
                        let decided = verdict(&record, &snapshot.tenant.region, set, now);
                        let event = latest.iter().find(|event| event.program == *program);
                        answer(
                            tenant_id,
                            *program,
                            decided,
                            snapshot.version,
                            &record.accepted_notices,
                            event,
                            now,
                        )
                    }
                    _ => answer(
                        tenant_id,
                        *program,
                        unknown_tenant(*program),
                        0,
                        &[],
                        None,
                        now,
                    ),
                },
            )
            .collect())
    }

    /// The decision for `tenant_id` and `program` as it stood at `at`:
    /// the program's state, the tenant's region and the notices in effect
    /// then, replayed from the ledger. A tenant not registered by then is unknown.
    pub async fn decide_at(
        &self,
        tenant_id: &str,
        program: ProgramId,
        at: Timestamp,
    ) -> Result<DataUseDecision, sqlx::Error> {
        let unknown = || {
            answer(
                tenant_id,
                program,
                unknown_tenant(program),
                0,
                &[],
                None,
                at,
            )
        };
        if !is_valid_tenant_id(tenant_id) {
            return Ok(unknown());
        }
        let (Some(snapshot), Some(registered)) = (
            self.store.snapshot(tenant_id).await?,
            self.store.tenant(tenant_id).await?,
        ) else {
            return Ok(unknown());
        };
        if registered.created_at > at {
            return Ok(unknown());
        }
        let state = self.store.state_at(tenant_id, program, at).await?;
        let region = self
            .store
            .region_at(tenant_id, &snapshot.tenant.region, at)
            .await?;
        let notices = self.notices.get().for_program_as_of(program, at);
        let decided = verdict(&state.record, &region, notices.set(), at);
        Ok(answer(
            tenant_id,
            program,
            decided,
            snapshot.version,
            &state.record.accepted_notices,
            state.event.as_ref(),
            at,
        ))
    }
}

fn answer(
    tenant_id: &str,
    program: ProgramId,
    decided: Verdict,
    version: i64,
    notices: &[consent_core::NoticeRef],
    event: Option<&LatestEvent>,
    evaluated_at: Timestamp,
) -> DataUseDecision {
    DataUseDecision {
        tenant: tenant_id.to_owned(),
        program,
        allowed: decided.allowed,
        reason: decided.reason,
        deletion_due_by: decided.deletion_due_by,
        contact_allowed: decided.contact_allowed,
        version,
        since: event.map(|event| event.at),
        receipt_id: event.map(|event| event.receipt_id.clone()),
        notices: if decided.allowed
            || decided.reason == consent_core::decision::DecisionReason::ReacceptancePending
        {
            notices.to_vec()
        } else {
            Vec::new()
        },
        evaluated_at,
    }
}

/// Decision handlers take the decision service, made of the shared parts.
impl axum::extract::FromRef<AppState> for DecisionService {
    fn from_ref(state: &AppState) -> DecisionService {
        DecisionService::new(
            state.store.clone(),
            state.notices.clone(),
            state.clock.clone(),
        )
    }
}

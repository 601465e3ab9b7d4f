//! Registering tenants (the provisioning route and `consent-api tenants
//! import`): created, renamed or moved, in one transaction. A move to
//! another region is recorded as `region_changed`, and a program the new
//! region does not offer is turned off in the same transaction, by the
//! rule in consent-core ([`on_region_change`]).

use std::sync::Arc;

use consent_core::deletion::StoreCatalog;
use consent_core::ledger::{ChangeReason, EventDetail, RegionMove};
use consent_core::rules::{on_region_change, ConsentAction, ProgramRecord};
use consent_core::{Actor, ProgramId, Tenant, Timestamp};

use super::deletion::obligations_opened;
use super::event::new_event;
use crate::metrics::SharedMetrics;
use crate::notices::SharedNotices;
use crate::state::{AppState, Clock};
use crate::store::{MoveEvent, Registered, Store, TenantSnapshot};

/// What registering tenants needs from the server.
#[derive(Clone)]
pub struct TenantService {
    store: Store,
    notices: SharedNotices,
    /// The data stores an opt-out by the region rule opens obligations for.
    stores: Arc<StoreCatalog>,
    clock: Clock,
    /// Counts the events a move records, when the server runs.
    metrics: Option<SharedMetrics>,
}

impl TenantService {
    pub fn new(
        store: Store,
        notices: SharedNotices,
        stores: Arc<StoreCatalog>,
        clock: Clock,
    ) -> TenantService {
        TenantService {
            store,
            notices,
            stores,
            clock,
            metrics: None,
        }
    }

    /// The same service, counting what it records in `metrics`.
    pub fn counting_in(self, metrics: SharedMetrics) -> TenantService {
        TenantService {
            metrics: Some(metrics),
            ..self
        }
    }

    /// Registers `tenants` for `actor` (the service or operator doing it),
    /// all or nothing.
    pub async fn register(
        &self,
        actor: &Actor,
        tenants: &[Tenant],
    ) -> Result<Vec<Registered>, sqlx::Error> {
        let now = (self.clock)();
        let notices = self.notices.get();
        let outcomes = self
            .store
            .register_tenants(tenants, now, |before, after| {
                region_move_events(before, after, actor, now, &notices, &self.stores)
            })
            .await?;
        for outcome in &outcomes {
            match outcome {
                Registered::Created(r) => {
                    tracing::info!(tenant = %r.tenant.id, region = %r.tenant.region.code(), by = %actor.id, "tenant registered")
                }
                Registered::Updated(r, events) => {
                    if let Some(metrics) = &self.metrics {
                        for event in events {
                            metrics.change_recorded(event.program, event.action);
                        }
                    }
                    tracing::info!(tenant = %r.tenant.id, region = %r.tenant.region.code(), events = events.len(), by = %actor.id, "tenant updated")
                }
                Registered::Unchanged(_) => {}
            }
        }
        Ok(outcomes)
    }
}

/// The events a move of `before`'s tenant to `after`'s region records:
/// `region_changed` (under Copilot, whose eligibility the region decides),
/// then each program the move turns off.
fn region_move_events(
    before: &TenantSnapshot,
    after: &Tenant,
    actor: &Actor,
    now: Timestamp,
    notices: &consent_core::catalog::NoticeCatalog,
    stores: &StoreCatalog,
) -> Vec<MoveEvent> {
    let event = |action, from: &ProgramRecord, to: &ProgramRecord, detail| {
        let made = new_event(
            after,
            actor,
            now,
            action,
            from,
            to,
            notices.describe(&to.accepted_notices, &[]),
            notices.for_program(to.program),
        );
        MoveEvent {
            verdict: made.verdict,
            id: made.id,
            actor: actor.clone(),
            action,
            before: from.clone(),
            after: to.clone(),
            receipt: made.receipt,
            detail,
            obligations: obligations_opened(stores, action, to.program, now),
        }
    };
    let copilot = before.program(ProgramId::Copilot);
    let mut events = vec![event(
        ConsentAction::RegionChanged,
        &copilot,
        &copilot,
        EventDetail {
            region: Some(RegionMove {
                before: before.tenant.region.code().to_owned(),
                after: after.region.code().to_owned(),
            }),
            ..EventDetail::default()
        },
    )];
    for program in ProgramId::ALL {
        let record = before.program(program);
        let set = notices.for_program(program);
        if let Some(decided) = on_region_change(&record, &after.region, set, actor, now) {
            if let Some(action) = decided.action {
                events.push(event(
                    action,
                    &record,
                    &decided.after,
                    EventDetail {
                        reason: Some(ChangeReason::RegionIneligible),
                        ..EventDetail::default()
                    },
                ));
            }
        }
    }
    events
}

/// Provisioning handlers take the tenant service, made of the shared parts.
impl axum::extract::FromRef<AppState> for TenantService {
    fn from_ref(state: &AppState) -> TenantService {
        TenantService::new(
            state.store.clone(),
            state.notices.clone(),
            state.stores.clone(),
            state.clock.clone(),
        )
        .counting_in(state.metrics.clone())
    }
}

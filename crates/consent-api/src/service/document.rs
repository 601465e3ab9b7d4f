//! The data-sharing document a caller sees, assembled with consent-core's rules.

use consent_core::rules::view;
use consent_core::{tenant::can_edit, Actor, DataSharingDocument, ProgramId, Tenant, Timestamp};

use crate::notices::NoticeCatalog;
use crate::store::{Store, TenantSnapshot};

/// The document for `snapshot` as `caller` sees it at `now`.
pub fn data_sharing_document(
    snapshot: &TenantSnapshot,
    notices: &NoticeCatalog,
    caller: &Actor,
    now: Timestamp,
) -> DataSharingDocument {
    DataSharingDocument {
        tenant: snapshot.tenant.clone(),
        version: snapshot.version,
        can_edit: can_edit(&caller.roles),
        programs: snapshot
            .programs
            .iter()
            .map(|record| {
                view(
                    record,
                    &snapshot.tenant.region,
                    notices.for_program(record.program),
                    now,
                )
            })
            .collect(),
    }
}

/// The document of `tenant_id` as it was at `at`, replayed from the
/// ledger: each program's state after its last event by then, the region
/// then, and the notice versions then in force; read-only, and its
/// `version` the number of events recorded by then. `None` when the tenant
/// was registered after `at`.
pub async fn data_sharing_document_at(
    store: &Store,
    notices: &NoticeCatalog,
    snapshot: &TenantSnapshot,
    at: Timestamp,
) -> Result<Option<DataSharingDocument>, sqlx::Error> {
    let tenant_id = snapshot.tenant.id.as_str();
    match store.tenant(tenant_id).await? {
        Some(registered) if registered.created_at <= at => {}
        _ => return Ok(None),
    }
    let region = store
        .region_at(tenant_id, &snapshot.tenant.region, at)
        .await?;
    let mut programs = Vec::with_capacity(ProgramId::ALL.len());
    for program in ProgramId::ALL {
        let record = store.state_at(tenant_id, program, at).await?.record;
        let then = notices.for_program_as_of(program, at);
        programs.push(view(&record, &region, then.set(), at));
    }
    Ok(Some(DataSharingDocument {
        tenant: Tenant {
            region,
            ..snapshot.tenant.clone()
        },
        version: store.events_until(tenant_id, at).await?,
        can_edit: false,
        programs,
    }))
}

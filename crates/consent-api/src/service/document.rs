//! The data-sharing document a caller sees, assembled with consent-core's rules.

use consent_core::rules::view;
use consent_core::{tenant::can_edit, Actor, DataSharingDocument, Timestamp};

use crate::notices::NoticeCatalog;
use crate::store::TenantSnapshot;

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

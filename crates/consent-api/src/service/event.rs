//! A consent event's ids and receipt, made before it is stored.

use consent_core::decision::verdict;
use consent_core::receipt::{consent_receipt, ReceiptInput, ReceiptNotice};
use consent_core::rules::{ConsentAction, NoticeSet, ProgramRecord};
use consent_core::{Actor, Tenant, Timestamp};
use uuid::Uuid;

use crate::store::NewEvent;

/// The event recording `action` on `tenant`'s program (`before` to `after`)
/// by `actor` at `at`, with a new event id, a new receipt id and its
/// receipt, which describes `notices` (those in force after the event), and
/// the decision after it, decided against the program's notice set `set`.
#[allow(clippy::too_many_arguments)] // every part of an event, named
pub fn new_event<'a>(
    tenant: &'a Tenant,
    actor: &'a Actor,
    at: Timestamp,
    action: ConsentAction,
    before: &'a ProgramRecord,
    after: &'a ProgramRecord,
    notices: Vec<ReceiptNotice>,
    set: NoticeSet<'_>,
) -> NewEvent<'a> {
    let id = time_ordered_id(at);
    let receipt_id = time_ordered_id(at);
    let receipt = consent_receipt(ReceiptInput {
        receipt_id: &receipt_id,
        event_id: &id,
        tenant,
        actor,
        action,
        at,
        after,
        notices,
    });
    NewEvent {
        obligations: Vec::new(),
        id,
        tenant,
        actor,
        at,
        action,
        before,
        after,
        receipt,
        detail: Default::default(),
        verdict: verdict(after, &tenant.region, set, at),
    }
}

/// A UUIDv7 from the server's clock: unique, and ordered like the events.
pub(crate) fn time_ordered_id(at: Timestamp) -> String {
    let seconds = u64::try_from(at.timestamp()).unwrap_or(0);
    let stamp = uuid::Timestamp::from_unix(uuid::NoContext, seconds, at.timestamp_subsec_nanos());
    Uuid::new_v7(stamp).to_string()
}

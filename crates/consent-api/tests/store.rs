//! The storage guarantees the routes rely on.

mod common;

use common::{at, TestServer, START};
use consent_api::store::{AcceptedChange, ChangeOutcome};
use consent_core::rules::{ConsentAction, ProgramRecord};
use consent_core::{Actor, ProgramId, Region, Role, Tenant};

// Guards the conditional version bump: two changes decided against the same
// version cannot both be stored, whatever the routes checked before.
#[tokio::test]
async fn a_change_against_a_superseded_version_stores_nothing() {
    let server = TestServer::start().await;
    let actor = Actor {
        id: "contoso-admin".into(),
        name: "Ada Admin".into(),
        roles: vec![Role::Admin],
    };
    let before = ProgramRecord::initial(ProgramId::Marketing);
    let mut after = before.clone();
    after.enabled = true;
    after.updated_at = Some(at(START));
    let tenant = Tenant {
        id: "contoso".into(),
        name: "Contoso".into(),
        region: Region::new("US"),
    };
    let change = || AcceptedChange {
        tenant: &tenant,
        expected_version: 0,
        actor: &actor,
        at: at(START),
        action: ConsentAction::OptedIn,
        before: &before,
        after: &after,
        notices: Vec::new(),
        idempotency: None,
    };
    assert!(matches!(
        server.store.apply_change(change()).await.unwrap(),
        ChangeOutcome::Applied { .. }
    ));
    assert_eq!(
        server.store.apply_change(change()).await.unwrap(),
        ChangeOutcome::Stale
    );

    let snapshot = server.store.snapshot("contoso").await.unwrap().unwrap();
    assert_eq!(snapshot.version, 1);
    assert_eq!(snapshot.program(ProgramId::Marketing), after);
    assert_eq!(
        snapshot.program(ProgramId::Copilot),
        ProgramRecord::initial(ProgramId::Copilot)
    );
    assert_eq!(server.event_count("contoso").await, 1);
    assert!(server.store.snapshot("initech").await.unwrap().is_none());
}

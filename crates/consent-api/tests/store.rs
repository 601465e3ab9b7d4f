//! The storage guarantees the routes rely on.

mod common;

use common::{at, TestDatabase, TestServer, START};
use consent_api::service::event::new_event;
use consent_api::store::{AcceptedChange, Backend, ChangeOutcome, Store};
use consent_core::rules::{ConsentAction, ProgramRecord};
use consent_core::{Actor, ProgramId, Region, Role, Tenant};
use reqwest::{Method, StatusCode};
use serde_json::json;

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
        expected_version: 0,
        event: new_event(
            &tenant,
            &actor,
            at(START),
            ConsentAction::OptedIn,
            &before,
            &after,
            Vec::new(),
            consent_core::rules::NoticeSet {
                current: &[],
                history: &[],
            },
        ),
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

/// A database's tables and columns (with whether they may be null), its
/// own indexes and triggers, and the migrations applied, as comparable text.
async fn schema_of(database: &TestDatabase) -> Vec<String> {
    let queries: [&str; 4] = match database.backend {
        Backend::Sqlite => [
            "SELECT m.name || '.' || p.name || CASE WHEN p.\"notnull\" OR p.pk > 0 THEN ' not null' ELSE '' END \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
            "SELECT 'index ' || name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
            "SELECT 'trigger ' || name FROM sqlite_master WHERE type = 'trigger'",
            "SELECT 'migration ' || version || ' ' || description FROM _sqlx_migrations",
        ],
        Backend::Postgres => [
            "SELECT table_name || '.' || column_name || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
            "SELECT 'index ' || indexname FROM pg_indexes \
             WHERE schemaname = current_schema() AND indexname NOT LIKE '%pkey'",
            // TRUNCATE triggers (PostgreSQL has TRUNCATE; SQLite has not) are not listed here.
            "SELECT DISTINCT 'trigger ' || trigger_name FROM information_schema.triggers \
             WHERE trigger_schema = current_schema()",
            "SELECT 'migration ' || version || ' ' || description FROM _sqlx_migrations",
        ],
    };
    let db = database.sql().await;
    let mut schema = Vec::new();
    for query in queries {
        let rows: Vec<String> = sqlx::query_scalar(query).fetch_all(&db).await.unwrap();
        schema.extend(rows);
    }
    db.close().await;
    schema.sort();
    schema
}

// Guards that the two sets of migrations stay equivalent: the same tables,
// columns, nullability, indexes, append-only triggers and migration steps.
#[tokio::test]
async fn both_databases_get_the_same_schema() {
    let Some(postgres_server) = TestDatabase::postgres_server() else {
        eprintln!("needs PostgreSQL: runs in the PostgreSQL run of the suite");
        return;
    };
    let sqlite = TestDatabase::sqlite();
    let postgres = TestDatabase::postgres(&postgres_server).await;
    for database in [&sqlite, &postgres] {
        Store::open(&database.url).await.unwrap().close().await;
    }
    let sqlite_schema = schema_of(&sqlite).await;
    assert!(sqlite_schema.contains(&"trigger consent_events_no_update".to_owned()));
    assert!(sqlite_schema.contains(&"consent_events.seq".to_owned()));
    assert_eq!(schema_of(&postgres).await, sqlite_schema);
}

// Guards the same answers on both databases for text PostgreSQL cannot
// store (NUL): a name with a control character is refused, an id with NUL
// names nothing, and neither is a server error.
#[tokio::test]
async fn text_with_nul_is_refused_or_unknown_alike_on_both_databases() {
    let server = TestServer::start().await;
    let created = server
        .call(
            Method::POST,
            "/api/v1/dev/tenants",
            &[],
            Some(json!({"region": "US", "name": "North\u{0}wind"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(created.problem_code(), "invalid_body");
    assert_eq!(created.body["field"], "name");

    let token = server
        .call(
            Method::POST,
            "/api/v1/dev/token",
            &[],
            Some(json!({"tenant": "conto\u{0}so", "role": "admin"})),
        )
        .await;
    assert_eq!(token.status, StatusCode::NOT_FOUND, "{}", token.body);

    let admin = server.token("contoso", "admin").await;
    let receipt = server
        .get("/api/v1/tenants/contoso/receipts/0%00", &admin)
        .await;
    assert_eq!(receipt.status, StatusCode::NOT_FOUND);
}

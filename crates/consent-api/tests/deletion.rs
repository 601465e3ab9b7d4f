//! Completed deletions: recorded by the service once an opt-out's deadline passes.

mod common;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use common::{program_view, TestServer};
use consent_api::App;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Opts `program` of contoso in and then out; returns the version after.
async fn opt_in_then_out(server: &TestServer, admin: &str, program: &str) -> i64 {
    server.opt_in("contoso", program, admin).await;
    let off = server.opt_out("contoso", program, admin).await;
    off.body["version"].as_i64().unwrap()
}

async fn newest_event(server: &TestServer, admin: &str) -> Value {
    let page = server
        .get(
            "/api/v1/tenants/contoso/data-sharing/history?limit=1",
            admin,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body["events"][0].clone()
}

// Guards the deletion record: nothing before the deadline; at it, one
// `deletion_completed` event by the service, the pending deletion gone and
// a new version; a second sweep records nothing more.
#[tokio::test]
async fn a_passed_deadline_is_recorded_once() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let version = opt_in_then_out(&server, &admin, "copilot").await;
    assert_eq!(server.event_count("contoso").await, 2);

    server
        .clock
        .advance(Duration::days(30) - Duration::seconds(1));
    assert_eq!(
        server.state.sweep_deletions().await.unwrap(),
        0,
        "a second early"
    );
    assert_eq!(server.event_count("contoso").await, 2);

    server.clock.advance(Duration::seconds(1));
    assert_eq!(server.state.sweep_deletions().await.unwrap(), 1);
    assert_eq!(server.event_count("contoso").await, 3);
    let (document, etag) = server.document("contoso", &admin).await;
    assert_eq!(document["version"], version + 1);
    assert_eq!(etag, format!("\"{}-2.1.1\"", version + 1));
    let copilot = program_view(&document, "copilot");
    assert!(copilot.get("pending_deletion").is_none());
    assert_eq!(copilot["enabled"], false);
    assert_eq!(
        copilot["updated_by"]["id"], "contoso-admin",
        "the tenant's choice keeps its author"
    );

    let event = newest_event(&server, &admin).await;
    assert_eq!(event["action"], "deletion_completed");
    assert_eq!(event["program"], "copilot");
    assert_eq!(
        event["actor"],
        json!({"id": "system", "name": "Consent service", "roles": []})
    );
    assert_eq!(
        common::at(event["at"].as_str().unwrap()),
        server.clock.now()
    );
    assert!(event["before"]["pending_deletion"]["due_by"].is_string());
    assert!(event["after"].get("pending_deletion").is_none());
    let receipt = server
        .get(
            &format!(
                "/api/v1/tenants/contoso/receipts/{}",
                event["receipt_id"].as_str().unwrap()
            ),
            &admin,
        )
        .await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.body);
    assert_eq!(receipt.body["event"]["type"], "expired");
    assert_eq!(receipt.body["state_after"]["status"], "expired");

    for _ in 0..3 {
        assert_eq!(server.state.sweep_deletions().await.unwrap(), 0);
    }
    server.clock.advance(Duration::days(400));
    assert_eq!(server.state.sweep_deletions().await.unwrap(), 0);
    assert_eq!(server.event_count("contoso").await, 3);
}

// Guards idempotence across processes: two servers over one database,
// sweeping at the same moment, record each due deletion exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sweeps_of_two_servers_record_each_deletion_once() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    opt_in_then_out(&server, &admin, "copilot").await;
    let version = opt_in_then_out(&server, &admin, "marketing").await;
    let other = App::start(&server.config, server.clock.clock())
        .await
        .expect("a second server over the same database starts")
        .state();
    server.clock.advance(Duration::days(31));

    let (a, b) = tokio::join!(server.state.sweep_deletions(), other.sweep_deletions());
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    let (c, d) = tokio::join!(server.state.sweep_deletions(), other.sweep_deletions());
    assert_eq!(c.unwrap() + d.unwrap(), 0);
    assert_eq!(server.event_count("contoso").await, 6);
    let (document, _) = server.document("contoso", &admin).await;
    assert_eq!(document["version"], version + 2);
}

// Guards the background task: with a short period, a passed deadline is
// recorded without anyone calling the sweep.
#[tokio::test]
async fn the_background_sweep_records_due_deletions() {
    let server = Arc::new(
        TestServer::start_with(|c| c.sweep_interval_secs = 1)
            .await
            .unwrap(),
    );
    let admin = server.token("contoso", "admin").await;
    opt_in_then_out(&server, &admin, "copilot").await;
    server.clock.advance(Duration::days(30));
    let deadline = Instant::now() + StdDuration::from_secs(15);
    while server.event_count("contoso").await < 3 {
        assert!(
            Instant::now() < deadline,
            "no deletion recorded within 15 s"
        );
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    assert_eq!(
        newest_event(&server, &admin).await["action"],
        "deletion_completed"
    );
}

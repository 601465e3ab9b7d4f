//! The change feed: every change of a decision in commit order, cursors
//! that never skip one (also with three processes writing to one database
//! at once), and long polls that wake when a change commits.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use common::oidc::OidcProvider;
use common::{answer, dev_tenant, report_figures, ServerProcess, TestDatabase, TestServer};
use futures_util::future::join_all;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// Every change after `after`, following cursors `limit` at a time.
async fn read_all(
    server: &TestServer,
    token: &str,
    after: &str,
    limit: u32,
) -> (Vec<Value>, String) {
    let mut cursor = after.to_owned();
    let mut changes = Vec::new();
    loop {
        let page = server
            .get(
                &format!("/api/v1/changes?after={cursor}&limit={limit}"),
                token,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let got = page.body["changes"].as_array().unwrap().clone();
        cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
        if got.is_empty() {
            return (changes, cursor);
        }
        changes.extend(got);
    }
}

// Guards the feed's content and order, paging by cursor, and its refusals.
#[tokio::test]
async fn the_feed_lists_every_change_in_commit_order() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;
    let ada = server.token("contoso", "admin").await;
    let felix = server.token("fabrikam", "admin").await;
    server.opt_in("contoso", "copilot", &ada).await;
    server.opt_in("fabrikam", "marketing", &felix).await;
    server.opt_out("contoso", "copilot", &ada).await;

    let (changes, end) = read_all(&server, &pipeline, "0", 100).await;
    let seen: Vec<(&str, &str, bool, &str)> = changes
        .iter()
        .map(|c| {
            (
                c["tenant"].as_str().unwrap(),
                c["program"].as_str().unwrap(),
                c["allowed"].as_bool().unwrap(),
                c["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("contoso", "copilot", true, "opted_in"),
            ("fabrikam", "marketing", true, "opted_in"),
            ("contoso", "copilot", false, "opted_out"),
        ]
    );
    assert!(changes[2]["deletion_due_by"].is_string());
    assert_eq!(changes[1]["contact_allowed"], true);
    let history = server
        .get("/api/v1/tenants/contoso/data-sharing/history", &ada)
        .await;
    assert_eq!(changes[2]["event_id"], history.body["events"][0]["id"]);
    assert_eq!(end, changes[2]["cursor"].as_str().unwrap());

    // Smaller pages, and starting from a cursor, give the same changes.
    assert_eq!(read_all(&server, &pipeline, "0", 1).await.0, changes);
    let after_first = changes[0]["cursor"].as_str().unwrap();
    assert_eq!(
        read_all(&server, &pipeline, after_first, 2).await.0,
        changes[1..]
    );
    let past_the_end = server.get("/api/v1/changes?after=999999", &pipeline).await;
    assert_eq!(
        past_the_end.body,
        json!({"changes": [], "next_cursor": "999999"})
    );

    for query in [
        "after=-1",
        "after=x",
        "after=",
        "limit=0",
        "limit=1001",
        "wait=31",
        "wait=x",
        "since=0",
        "after=1&after=2",
    ] {
        let answer = server
            .get(&format!("/api/v1/changes?{query}"), &pipeline)
            .await;
        assert_eq!(answer.problem_code(), "invalid_query", "{query}");
    }
    let provisioner = provider
        .client_token("provisioner", "consent.tenants.write")
        .await;
    for token in [&ada, &provisioner] {
        assert_eq!(
            server.get("/api/v1/changes", token).await.problem_code(),
            "insufficient_scope"
        );
    }
}

// Guards the long poll: it answers as soon as a change commits, and an
// empty answer after `wait` otherwise.
#[tokio::test]
async fn a_waiting_reader_wakes_when_a_change_commits() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;
    let ada = server.token("contoso", "admin").await;

    let started = Instant::now();
    let quiet = server
        .get("/api/v1/changes?after=0&wait=1", &pipeline)
        .await;
    assert_eq!(quiet.body, json!({"changes": [], "next_cursor": "0"}));
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );

    let url = server.url("/api/v1/changes?after=0&wait=20");
    let waiting = tokio::spawn({
        let pipeline = pipeline.clone();
        async move {
            let response = Client::new()
                .get(url)
                .bearer_auth(pipeline)
                .send()
                .await
                .unwrap();
            (Instant::now(), answer(response).await)
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.opt_in("contoso", "copilot", &ada).await;
    let committed = Instant::now();
    let (woke, page) = waiting.await.unwrap();
    assert_eq!(page.body["changes"][0]["reason"], "opted_in");
    let lag = woke.saturating_duration_since(committed);
    assert!(
        lag < Duration::from_secs(2),
        "woke {lag:?} after the commit"
    );
    report_figures(
        "feed wake-up",
        &format!("long poll answered {lag:?} after the change was acknowledged"),
    );
}

// Guards that a reader following cursors sees every change exactly once
// while three processes commit changes to one database at once.
#[tokio::test]
async fn no_change_is_skipped_with_three_processes_writing() {
    let provider = OidcProvider::start();
    let database = TestDatabase::fresh().await;
    let trust = ["--oidc-issuer", provider.issuer.as_str()];
    let servers: Vec<ServerProcess> = (0..3)
        .map(|_| ServerProcess::start(&database.url, &trust))
        .collect();
    let client = Client::new();
    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;

    // Six tenants, two per process, each turned on and off by its admin.
    let mut writers = Vec::new();
    for i in 0..6 {
        let base = servers[i % 3].base.clone();
        let (tenant, token) = dev_tenant(&client, &base).await;
        writers.push((i, tenant, token));
    }
    const ROUNDS: usize = 8;
    let write = writers.iter().map(|(i, tenant, token)| {
        let client = client.clone();
        let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
        async move {
            for round in 0..ROUNDS {
                let base = &bases[(i + round) % 3];
                let doc_url = format!("{base}/api/v1/tenants/{tenant}/data-sharing");
                let current = answer(client.get(&doc_url).bearer_auth(token).send().await.unwrap()).await;
                let etag = current.header("etag").unwrap().to_owned();
                let on = round % 2 == 0;
                let body = if on {
                    json!({"enabled": true, "accept_notices": common::program_view(&current.body, "copilot")["notices"]})
                } else {
                    json!({"enabled": false})
                };
                let changed = answer(client.put(format!("{doc_url}/copilot")).bearer_auth(token).header("if-match", etag).json(&body).send().await.unwrap()).await;
                assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
            }
        }
    });
    // A reader follows the feed on the first process while the writers run.
    let reader = {
        let client = client.clone();
        let base = servers[0].base.clone();
        let pipeline = pipeline.clone();
        async move {
            let mut cursor = "0".to_owned();
            let mut seen: Vec<String> = Vec::new();
            let expected = 6 * ROUNDS;
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                let page = answer(
                    client
                        .get(format!(
                            "{base}/api/v1/changes?after={cursor}&limit=5&wait=1"
                        ))
                        .bearer_auth(&pipeline)
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                assert_eq!(page.status, StatusCode::OK, "{}", page.body);
                for change in page.body["changes"].as_array().unwrap() {
                    seen.push(change["event_id"].as_str().unwrap().to_owned());
                }
                cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
                if seen.len() >= expected {
                    break;
                }
            }
            seen
        }
    };
    let (_, seen) = tokio::join!(join_all(write), reader);

    let pool = common::sql_pool(&database.url).await;
    let recorded: Vec<String> = sqlx::query_scalar("SELECT id FROM consent_events")
        .fetch_all(&pool)
        .await
        .unwrap();
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a change was read twice");
    assert_eq!(
        seen.iter().cloned().collect::<BTreeSet<_>>(),
        recorded.iter().cloned().collect::<BTreeSet<_>>(),
        "the reader saw exactly the recorded changes"
    );
    report_figures(
        &format!("feed {:?}", database.backend),
        &format!("feed ({:?}): 3 processes, {} changes committed concurrently, {} read by one cursor reader, none twice, none missed", database.backend, recorded.len(), seen.len()),
    );
}

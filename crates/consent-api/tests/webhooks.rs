//! Webhooks: each change of a decision POSTed to a real HTTP receiver on
//! loopback, signed as Standard Webhooks asks, in order per tenant, retried
//! while the receiver fails, dead-lettered when it refuses, never sent into
//! an internal network outside development mode.

mod common;

use std::time::Duration;

use common::oidc::OidcProvider;
use common::webhooks::{verify, Received, Receiver};
use common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn subscribe(server: &TestServer, token: &str, id: &str, body: Value) -> common::Answer {
    let auth = format!("Bearer {token}");
    server
        .call(
            Method::PUT,
            &format!("/api/v1/subscriptions/{id}"),
            &[("authorization", auth.as_str())],
            Some(body),
        )
        .await
}

fn data(received: &Received) -> Value {
    let body: Value = serde_json::from_str(&received.body).unwrap();
    assert_eq!(body["type"], "decision.changed");
    body["data"].clone()
}

// Guards delivery: signed, once per change, in order, only the programs
// subscribed to; the secret shown once; the deliveries listed.
#[tokio::test]
async fn each_change_is_delivered_signed_and_in_order() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let hooks = provider
        .client_token("webhooks", "consent.subscriptions.write")
        .await;
    let receiver = Receiver::start(vec![]).await;
    let created = subscribe(&server, &hooks, "copilot-store", json!({"url": receiver.url, "programs": ["copilot"], "description": "Copilot training store"})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let again = subscribe(
        &server,
        &hooks,
        "copilot-store",
        json!({"url": receiver.url, "programs": ["copilot"], "description": "renamed"}),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(
        again.body.get("secret").is_none(),
        "the secret is shown once"
    );
    let read = server
        .get("/api/v1/subscriptions/copilot-store", &hooks)
        .await;
    assert_eq!(
        (read.body["description"].as_str(), read.body.get("secret")),
        (Some("renamed"), None)
    );

    let ada = server.token("contoso", "admin").await;
    server.opt_in("contoso", "copilot", &ada).await;
    server.opt_in("contoso", "marketing", &ada).await;
    server.opt_out("contoso", "copilot", &ada).await;
    let got = receiver.wait_for_acknowledged(2, None).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receiver.got().len(),
        2,
        "Marketing is not subscribed to: {:?}",
        receiver.got()
    );
    let reasons: Vec<Value> = got.iter().map(|r| data(r)["reason"].clone()).collect();
    assert_eq!(reasons, [json!("opted_in"), json!("opted_out")]);
    for received in &got {
        assert!(verify(&secret, received), "signature of {received:?}");
        assert!(received.id.starts_with("msg_"));
        assert_eq!(data(received)["tenant"], "contoso");
    }
    let tampered = Received {
        body: got[0].body.replace("opted_in", "opted_out"),
        ..got[0].clone()
    };
    assert!(!verify(&secret, &tampered));

    let listed = server
        .get("/api/v1/subscriptions/copilot-store/deliveries", &hooks)
        .await;
    let deliveries = listed.body["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries.iter().all(|d| d["status"] == "delivered"
        && d["attempts"] == 1
        && d["last_status"] == 204
        && d["latency_ms"].is_number()));
    assert_eq!(deliveries[0]["id"], got[1].id, "newest first");
}

// Guards retries: a receiver that fails for a while (503) gets every change
// once it is back, in order, with the same webhook-id on each retry; one
// that refuses (410) has the delivery dead-lettered, visibly.
#[tokio::test]
async fn failures_are_retried_and_refusals_dead_lettered() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let hooks = provider
        .client_token("webhooks", "consent.subscriptions.write")
        .await;
    let flaky = Receiver::start(vec![503, 503, 500]).await;
    let refusing = Receiver::start(vec![410]).await;
    let flaky_sub = subscribe(
        &server,
        &hooks,
        "flaky",
        json!({"url": flaky.url, "programs": ["copilot", "marketing"]}),
    )
    .await;
    assert_eq!(flaky_sub.status, StatusCode::CREATED, "{}", flaky_sub.body);
    subscribe(
        &server,
        &hooks,
        "refusing",
        json!({"url": refusing.url, "programs": ["marketing"]}),
    )
    .await;

    let ada = server.token("contoso", "admin").await;
    server.opt_in("contoso", "copilot", &ada).await;
    server.opt_in("contoso", "marketing", &ada).await;
    let acknowledged = flaky.wait_for_acknowledged(2, Some(&server)).await;
    let programs: Vec<Value> = acknowledged
        .iter()
        .map(|r| data(r)["program"].clone())
        .collect();
    assert_eq!(
        programs,
        [json!("copilot"), json!("marketing")],
        "in order, after the failures"
    );
    let all = flaky.got();
    assert_eq!(
        all.len(),
        5,
        "three failed attempts, then two deliveries: {all:?}"
    );
    assert!(
        all[..4].iter().all(|r| r.id == all[0].id),
        "retries carry the same webhook-id"
    );

    let refused = refusing.wait_for_refusal().await;
    assert_eq!(refused.answered, 410);
    let listed = server
        .get("/api/v1/subscriptions/refusing/deliveries", &hooks)
        .await;
    let dead = &listed.body["deliveries"][0];
    assert_eq!(
        (
            dead["status"].as_str(),
            dead["last_status"].as_i64(),
            dead["attempts"].as_i64()
        ),
        (Some("dead"), Some(410), Some(1))
    );
    server.clock.advance(chrono::Duration::hours(1));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(refusing.got().len(), 1, "a refused delivery is not retried");

    // Deleted: later changes are not announced, the subscription is gone.
    let auth = format!("Bearer {hooks}");
    let deleted = server
        .call(
            Method::DELETE,
            "/api/v1/subscriptions/flaky",
            &[("authorization", auth.as_str())],
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    server.opt_out("contoso", "copilot", &ada).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(flaky.got().len(), 5);
    assert_eq!(
        server
            .get("/api/v1/subscriptions/flaky", &hooks)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

// Guards the destinations and the callers: no internal addresses (and
// https only) outside development mode, no credentials in URLs, bad bodies
// named, and only services with the scope.
#[tokio::test]
async fn destinations_and_callers_are_checked() {
    let provider = OidcProvider::start();
    let production = provider.server(|c| common::production(c, None)).await;
    let hooks = provider
        .client_token("webhooks", "consent.subscriptions.write")
        .await;
    let refused = [
        json!({"url": "http://127.0.0.1:9/hook", "programs": ["copilot"]}),
        json!({"url": "https://127.0.0.1:9/hook", "programs": ["copilot"]}),
        json!({"url": "https://169.254.169.254/latest/meta-data", "programs": ["copilot"]}),
        json!({"url": "https://10.0.0.7/hook", "programs": ["copilot"]}),
        json!({"url": "https://[::1]/hook", "programs": ["copilot"]}),
        json!({"url": "https://user:secret@example.com/hook", "programs": ["copilot"]}),
        json!({"url": "hook", "programs": ["copilot"]}),
        json!({"url": "https://example.invalid/hook", "programs": ["copilot"]}),
    ];
    for body in refused {
        let answer = subscribe(&production, &hooks, "s1", body.clone()).await;
        assert_eq!(
            (
                answer.status,
                answer.problem_code(),
                answer.body["field"].as_str()
            ),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                Some("url")
            ),
            "{body}"
        );
    }
    let bodies = [
        (
            json!({"url": "https://example.com/hook", "programs": []}),
            "programs",
        ),
        (
            json!({"url": "https://example.com/hook", "programs": ["telemetry"]}),
            "programs",
        ),
        (
            json!({"url": "https://example.com/hook", "programs": ["copilot"], "owner": "x"}),
            "owner",
        ),
    ];
    for (body, field) in bodies {
        let answer = subscribe(&production, &hooks, "s1", body.clone()).await;
        assert_eq!(answer.problem_code(), "invalid_body", "{body}");
        assert!(
            answer.body["field"]
                .as_str()
                .is_some_and(|f| f.starts_with(field)),
            "{body}: {}",
            answer.body
        );
    }
    assert_eq!(
        production
            .get("/api/v1/subscriptions/s1", &hooks)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;
    let person = provider
        .user_token(
            "RS256",
            json!({"sub": "u", "tenant": "contoso", "roles": ["admin"]}),
        )
        .await;
    for token in [&pipeline, &person] {
        let answer = subscribe(
            &production,
            token,
            "s1",
            json!({"url": "https://example.com/hook", "programs": ["copilot"]}),
        )
        .await;
        assert_eq!(
            (answer.status, answer.problem_code()),
            (StatusCode::FORBIDDEN, "insufficient_scope")
        );
    }
}

// Guards delivery with three processes on one database: every change is
// delivered exactly once (no two processes send the same delivery), each
// tenant's changes in order.
#[tokio::test]
async fn three_processes_deliver_each_change_once_in_order() {
    let provider = OidcProvider::start();
    let database = common::TestDatabase::fresh().await;
    let trust = ["--oidc-issuer", provider.issuer.as_str()];
    let servers: Vec<common::ServerProcess> = (0..3)
        .map(|_| common::ServerProcess::start(&database.url, &trust))
        .collect();
    let client = reqwest::Client::new();
    let hooks = provider
        .client_token("webhooks", "consent.subscriptions.write")
        .await;
    let receiver = Receiver::start(vec![]).await;
    let created = common::answer(
        client
            .put(servers[0].url("/api/v1/subscriptions/all"))
            .bearer_auth(&hooks)
            .json(&json!({"url": receiver.url, "programs": ["copilot"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    const TENANTS: usize = 4;
    const ROUNDS: usize = 4;
    let mut tenants = Vec::new();
    for i in 0..TENANTS {
        let (tenant, token) = common::dev_tenant(&client, &servers[i % 3].base).await;
        tenants.push((i, tenant, token));
    }
    let writes = tenants.iter().map(|(i, tenant, token)| {
        let client = client.clone();
        let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
        async move {
            for round in 0..ROUNDS {
                let base = &bases[(i + round) % 3];
                let url = format!("{base}/api/v1/tenants/{tenant}/data-sharing");
                let current = common::answer(client.get(&url).bearer_auth(token).send().await.unwrap()).await;
                let etag = current.header("etag").unwrap().to_owned();
                let body = if round % 2 == 0 {
                    json!({"enabled": true, "accept_notices": common::program_view(&current.body, "copilot")["notices"]})
                } else {
                    json!({"enabled": false})
                };
                let changed = common::answer(client.put(format!("{url}/copilot")).bearer_auth(token).header("if-match", etag).json(&body).send().await.unwrap()).await;
                assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
            }
        }
    });
    futures_util::future::join_all(writes).await;
    let got = receiver.wait_for_acknowledged(TENANTS * ROUNDS, None).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got_all = receiver.got();
    let ids: std::collections::HashSet<&str> = got_all.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids.len(),
        got_all.len(),
        "no delivery was sent twice: {got_all:?}"
    );
    assert_eq!(got.len(), TENANTS * ROUNDS);
    for (_, tenant, _) in &tenants {
        let reasons: Vec<Value> = got
            .iter()
            .map(data)
            .filter(|d| d["tenant"] == tenant.as_str())
            .map(|d| d["reason"].clone())
            .collect();
        let expected: Vec<Value> = (0..ROUNDS)
            .map(|r| json!(if r % 2 == 0 { "opted_in" } else { "opted_out" }))
            .collect();
        assert_eq!(reasons, expected, "{tenant}: in order");
    }
}

/// The tenant's propagation entry of `program`, once `until` holds for it (at most 20 s).
async fn propagation_until(
    server: &TestServer,
    token: &str,
    program: &str,
    until: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let answer = server
            .get("/api/v1/tenants/contoso/data-sharing/propagation", token)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let entry = answer.body["programs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["program"] == program)
            .cloned()
            .unwrap_or(Value::Null);
        if until(&entry) {
            return entry;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "propagation of {program} stayed at {entry}"
        );
        // Retries are due by the server's clock: move it past any backoff.
        server.clock.advance(chrono::Duration::seconds(5));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn counts(entry: &Value) -> (u64, u64, u64) {
    let n = |field: &str| entry[field].as_u64().unwrap_or(u64::MAX);
    (n("connected"), n("applied"), n("failed"))
}

// Guards the page's "Applied by N of N connected systems": the deliveries of
// the tenant's latest change of each program, counted as the systems answer
// (acknowledged, refused for good, still retrying), for the tenant's own
// people only; a deleted subscription no longer counts.
#[tokio::test]
async fn propagation_counts_the_latest_change_s_deliveries() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let hooks = provider
        .client_token("webhooks", "consent.subscriptions.write")
        .await;
    let ada = server.token("contoso", "admin").await;
    let reader = server.token("contoso", "reader").await;

    let none = server
        .get("/api/v1/tenants/contoso/data-sharing/propagation", &reader)
        .await;
    assert_eq!(
        (none.status, &none.body),
        (StatusCode::OK, &json!({"programs": []})),
        "no connected systems, nothing to report"
    );

    let ok = Receiver::start(vec![]).await;
    let down = Receiver::answering(vec![], 503).await;
    let refusing = Receiver::answering(vec![], 410).await;
    for (id, receiver) in [("ok", &ok), ("down", &down), ("refusing", &refusing)] {
        let made = subscribe(
            &server,
            &hooks,
            id,
            json!({"url": receiver.url, "programs": ["copilot"]}),
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    }

    server.opt_in("contoso", "copilot", &ada).await;
    let first = propagation_until(&server, &reader, "copilot", |e| counts(e) == (3, 1, 1)).await;
    assert!(
        first["event_id"].is_string() && first["at"].is_string(),
        "{first}"
    );
    // Still (3, 1, 1) while the system that is down is retried.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let still = propagation_until(&server, &ada, "copilot", |_| true).await;
    assert_eq!(counts(&still), (3, 1, 1));
    assert!(
        propagation_until(&server, &ada, "marketing", |_| true)
            .await
            .is_null(),
        "no system follows marketing"
    );

    down.answer_from_now(204);
    propagation_until(&server, &reader, "copilot", |e| counts(e) == (3, 2, 1)).await;

    // A new change starts a new count; a deleted subscription stops counting.
    down.answer_from_now(503);
    server.opt_out("contoso", "copilot", &ada).await;
    let second = propagation_until(&server, &reader, "copilot", |e| counts(e) == (3, 1, 1)).await;
    assert_ne!(second["event_id"], first["event_id"], "the latest change");
    let auth = format!("Bearer {hooks}");
    let deleted = server
        .call(
            Method::DELETE,
            "/api/v1/subscriptions/down",
            &[("authorization", auth.as_str())],
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    propagation_until(&server, &reader, "copilot", |e| counts(e) == (2, 1, 1)).await;

    // Only the tenant's own people: another tenant's id answers as unknown,
    // a service token is refused.
    let other = server
        .get("/api/v1/tenants/fabrikam/data-sharing/propagation", &ada)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let service = server
        .get("/api/v1/tenants/contoso/data-sharing/propagation", &hooks)
        .await;
    assert_eq!(
        (service.status, service.problem_code()),
        (StatusCode::FORBIDDEN, "insufficient_scope")
    );
    let anonymous = server
        .get("/api/v1/tenants/contoso/data-sharing/propagation", "")
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

//! Decisions for the systems that use the data: every reason, the contact
//! preference, answers as of an instant replayed from the ledger, batches,
//! caching headers, and who may ask.

mod common;

use std::path::Path;

use chrono::Duration;
use common::oidc::OidcProvider;
use common::{TestServer, START};
use consent_core::NoticeDocument;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn decision(server: &TestServer, token: &str, tenant: &str, program: &str) -> Value {
    let answer = server
        .get(&format!("/api/v1/decisions/{tenant}/{program}"), token)
        .await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{tenant} {program}: {}",
        answer.body
    );
    answer.body
}

fn reason(decision: &Value) -> (bool, &str) {
    (
        decision["allowed"].as_bool().unwrap(),
        decision["reason"].as_str().unwrap(),
    )
}

// Guards each reason a pipeline may be told, with what comes with it.
#[tokio::test]
async fn every_state_has_its_decision() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;
    let ada = server.token("contoso", "admin").await;

    let never = decision(&server, &pipeline, "contoso", "copilot").await;
    assert_eq!(reason(&never), (false, "not_opted_in"));
    assert_eq!(
        (never["since"].clone(), never["receipt_id"].clone()),
        (Value::Null, Value::Null)
    );

    let on = server.opt_in("contoso", "copilot", &ada).await;
    let allowed = decision(&server, &pipeline, "contoso", "copilot").await;
    assert_eq!(reason(&allowed), (true, "opted_in"));
    assert_eq!(allowed["version"], on.body["version"]);
    assert_eq!(allowed["since"], START);
    assert_eq!(
        allowed["notices"],
        on.body["programs"][0]["accepted_notices"]
    );
    assert!(allowed["receipt_id"].is_string());
    assert!(
        allowed.get("contact_allowed").is_none(),
        "Copilot has no contact preference"
    );

    server.clock.advance(Duration::hours(1));
    server.opt_out("contoso", "copilot", &ada).await;
    let out = decision(&server, &pipeline, "contoso", "copilot").await;
    assert_eq!(reason(&out), (false, "opted_out"));
    assert_eq!(out["deletion_due_by"], "2026-12-21T10:30:00Z");
    assert_ne!(out["receipt_id"], allowed["receipt_id"]);

    let eu = decision(&server, &pipeline, "fabrikam", "copilot").await;
    assert_eq!(reason(&eu), (false, "region_ineligible"));
    for unknown in ["initech", "con%2Ftoso", "con%20toso"] {
        let answer = decision(&server, &pipeline, unknown, "copilot").await;
        assert_eq!(reason(&answer), (false, "unknown_tenant"), "{unknown}");
    }
    let missing = server
        .get("/api/v1/decisions/contoso/telemetry", &pipeline)
        .await;
    assert_eq!(
        (missing.status, missing.problem_code()),
        (StatusCode::NOT_FOUND, "not_found")
    );

    // Marketing's contact preference follows the program and the admin's choice.
    let felix = server.token("fabrikam", "admin").await;
    server.opt_in("fabrikam", "marketing", &felix).await;
    let marketing = decision(&server, &pipeline, "fabrikam", "marketing").await;
    assert_eq!(
        (reason(&marketing), marketing["contact_allowed"].as_bool()),
        ((true, "opted_in"), Some(true))
    );
    let (_, etag) = server.document("fabrikam", &felix).await;
    server
        .change(
            "fabrikam",
            "marketing",
            &felix,
            Some(&etag),
            json!({"enabled": true, "contact_allowed": false}),
        )
        .await;
    let contact = decision(&server, &pipeline, "fabrikam", "marketing").await;
    assert_eq!(
        (reason(&contact), contact["contact_allowed"].as_bool()),
        ((true, "opted_in"), Some(false)),
        "contact stopped, the program still allowed"
    );
    assert_eq!(
        decision(&server, &pipeline, "initech", "marketing").await["contact_allowed"],
        false
    );

    // Pipelines may cache briefly; the tag moves with the tenant's version.
    let answer = server
        .get("/api/v1/decisions/fabrikam/marketing", &pipeline)
        .await;
    assert_eq!(answer.header("cache-control"), Some("private, max-age=5"));
    assert!(answer
        .header("etag")
        .is_some_and(|tag| tag.starts_with(&format!("\"{}-", contact["version"]))));
}

// Guards the pause while a changed notice waits to be accepted again.
#[tokio::test]
async fn a_pending_reacceptance_stops_data_use() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;
    let ada = server.token("contoso", "admin").await;
    server.opt_in("contoso", "marketing", &ada).await;
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reconsent/material/marketing-human-review/2.en.json");
    let mut document: NoticeDocument =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    document.sha256.clear();
    let published = server
        .call(
            Method::POST,
            "/api/v1/dev/notices",
            &[],
            Some(serde_json::to_value(&document).unwrap()),
        )
        .await;
    assert_eq!(published.status, StatusCode::CREATED, "{}", published.body);
    let paused = decision(&server, &pipeline, "contoso", "marketing").await;
    assert_eq!(reason(&paused), (false, "reacceptance_pending"));
    assert_eq!(paused["contact_allowed"], false);
}

// Guards answers as of an instant: the state, the region and the wording of then.
#[tokio::test]
async fn answers_as_of_an_instant_come_from_the_ledger() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;
    let provisioner = provider
        .client_token("provisioner", "consent.tenants.write")
        .await;
    let register = |region: &'static str| {
        let server = &server;
        let provisioner = provisioner.clone();
        async move {
            let auth = format!("Bearer {provisioner}");
            let answer = server
                .call(
                    Method::PUT,
                    "/api/v1/tenants/litware",
                    &[("authorization", auth.as_str())],
                    Some(json!({"name": "Litware", "region": region})),
                )
                .await;
            assert!(answer.status.is_success(), "{}", answer.body);
        }
    };
    register("US").await;
    let ada = provider
        .user_token(
            "RS256",
            json!({"sub": "u-ada", "name": "Ada", "tenant": "litware", "roles": ["admin"]}),
        )
        .await;
    server.clock.advance(Duration::hours(1));
    server.opt_in("litware", "copilot", &ada).await; // 10:30
    server.clock.advance(Duration::hours(1));
    register("EU").await; // 11:30: moved, and Copilot turned off
    server.clock.advance(Duration::hours(1));

    let cases = [
        ("2026-11-21T09:00:00Z", (false, "unknown_tenant")),
        ("2026-11-21T10:00:00Z", (false, "not_opted_in")),
        ("2026-11-21T10:30:00Z", (true, "opted_in")),
        ("2026-11-21T11:29:59Z", (true, "opted_in")),
        ("2026-11-21T11:30:00Z", (false, "region_ineligible")),
        ("2026-11-21T12:00:00Z", (false, "region_ineligible")),
    ];
    for (at, expected) in cases {
        let answer = server
            .get(
                &format!("/api/v1/decisions/litware/copilot?at={at}"),
                &pipeline,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{at}: {}", answer.body);
        assert_eq!(reason(&answer.body), expected, "{at}");
        assert_eq!(answer.body["evaluated_at"], at, "{at}");
    }
    for query in [
        "at=yesterday",
        "at=",
        "when=2026-11-21T10:00:00Z",
        "at=2026-11-21T10:00:00Z&at=2026-11-21T11:00:00Z",
    ] {
        let answer = server
            .get(
                &format!("/api/v1/decisions/litware/copilot?{query}"),
                &pipeline,
            )
            .await;
        assert_eq!(answer.problem_code(), "invalid_query", "{query}");
    }
}

// Guards batches: answers in order, the limit, bad pairs, and who may ask.
#[tokio::test]
async fn batches_answer_in_order_and_only_services_may_ask() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;
    let ada = server.token("contoso", "admin").await;
    server.opt_in("contoso", "copilot", &ada).await;
    let batch = |token: &str, body: Value| {
        let auth = format!("Bearer {token}");
        let server = &server;
        async move {
            server
                .call(
                    Method::POST,
                    "/api/v1/decisions:batch",
                    &[("authorization", auth.as_str())],
                    Some(body),
                )
                .await
        }
    };
    let items = json!({"items": [
        {"tenant": "contoso", "program": "copilot"},
        {"tenant": "fabrikam", "program": "copilot"},
        {"tenant": "initech", "program": "marketing"},
        {"tenant": "contoso", "program": "marketing"},
    ]});
    let answer = batch(&pipeline, items).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let reasons: Vec<(bool, &str)> = answer.body["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(reason)
        .collect();
    assert_eq!(
        reasons,
        [
            (true, "opted_in"),
            (false, "region_ineligible"),
            (false, "unknown_tenant"),
            (false, "not_opted_in")
        ]
    );

    let thousand: Vec<Value> = (0..1000)
        .map(|i| json!({"tenant": format!("t{i}"), "program": "copilot"}))
        .collect();
    assert_eq!(
        batch(&pipeline, json!({"items": thousand})).await.body["decisions"]
            .as_array()
            .unwrap()
            .len(),
        1000
    );
    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({"tenant": format!("t{i}"), "program": "copilot"}))
        .collect();
    let over = batch(&pipeline, json!({"items": too_many})).await;
    assert_eq!(
        (
            over.status,
            over.problem_code(),
            over.body["field"].as_str()
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            Some("items")
        )
    );
    let bad = batch(
        &pipeline,
        json!({"items": [{"tenant": "contoso", "program": "telemetry"}]}),
    )
    .await;
    assert_eq!(bad.problem_code(), "invalid_body");
    assert_eq!(
        batch(&pipeline, json!({"pairs": []})).await.problem_code(),
        "invalid_body"
    );

    let provisioner = provider
        .client_token("provisioner", "consent.tenants.write")
        .await;
    for token in [&ada, &provisioner] {
        let refused = batch(token, json!({"items": []})).await;
        assert_eq!(
            (refused.status, refused.problem_code()),
            (StatusCode::FORBIDDEN, "insufficient_scope")
        );
        let single = server.get("/api/v1/decisions/contoso/copilot", token).await;
        assert_eq!(single.problem_code(), "insufficient_scope");
    }
}

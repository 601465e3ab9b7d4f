//! Decisions for the systems that use the data: every reason, the contact
//! preference, answers as of an instant replayed from the ledger, batches,
//! caching headers, who may ask, and how soon a change shows in the
//! decisions of another process on the same database.

mod common;

use std::path::Path;
use std::time::Instant;

use chrono::Duration;
use common::oidc::OidcProvider;
use common::{
    dev_token, program_view, report_figures, ServerProcess, TestDatabase, TestServer, START,
};
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

// Guards the decisions each process keeps in memory: a change committed by
// one process shows in another process's decisions within a fraction of a
// second (it follows the change feed), and at once in the committing
// process's own, although both answer from memory in between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_in_one_process_shows_promptly_in_another_s_decisions() {
    let provider = OidcProvider::start();
    let database = TestDatabase::fresh().await;
    let trust = ["--oidc-issuer", provider.issuer.as_str()];
    let committer = ServerProcess::start(&database.url, &trust);
    let other = ServerProcess::start(&database.url, &trust);
    let client = reqwest::Client::new();
    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;
    let admin = dev_token(&client, &committer.base, "contoso", "admin").await;
    let allowed = |base: String| {
        let (client, pipeline) = (client.clone(), pipeline.clone());
        async move {
            let answer = common::answer(
                client
                    .get(format!("{base}/api/v1/decisions/contoso/copilot"))
                    .bearer_auth(&pipeline)
                    .send()
                    .await
                    .expect("the server answers"),
            )
            .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
            answer.body["allowed"].as_bool().unwrap()
        }
    };

    let mut slowest = std::time::Duration::ZERO;
    for round in 0..6 {
        let enable = round % 2 == 0;
        // Both processes have answered (and so keep) the state before the change.
        for base in [&committer.base, &other.base] {
            for _ in 0..3 {
                assert_eq!(allowed(base.clone()).await, !enable, "round {round}");
            }
        }
        let url = committer.url("/api/v1/tenants/contoso/data-sharing");
        let document =
            common::answer(client.get(&url).bearer_auth(&admin).send().await.unwrap()).await;
        let body = if enable {
            json!({"enabled": true, "accept_notices": program_view(&document.body, "copilot")["notices"]})
        } else {
            json!({"enabled": false})
        };
        let changed = common::answer(
            client
                .put(format!("{url}/copilot"))
                .bearer_auth(&admin)
                .header("if-match", document.header("etag").unwrap())
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        let committed = Instant::now();
        assert_eq!(
            allowed(committer.base.clone()).await,
            enable,
            "round {round}: the committing process answers with its own change at once"
        );
        // Well under the five seconds an entry is kept at most, so a
        // process that did not follow the feed would fail here.
        let deadline = committed + std::time::Duration::from_secs(1);
        while allowed(other.base.clone()).await != enable {
            assert!(
                Instant::now() < deadline,
                "round {round}: the other process still answers the state before the change"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        slowest = slowest.max(committed.elapsed());
    }
    report_figures(
        &format!("decisions-across-processes-{:?}", database.backend),
        &format!(
            "decisions across processes ({:?}): a change showed in the other process's decisions within {} ms at worst of 6",
            database.backend,
            slowest.as_millis()
        ),
    );
}

//! Deletion obligations: each opt-out opens one per data store of its
//! program, each store attests its own, the sweep marks the late ones
//! overdue (never done), and a completed opt-out gets a signed certificate.

mod common;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Months};
use common::oidc::OidcProvider;
use common::{Answer, TestServer};
use consent_api::ledger::jws;
use consent_api::service::deletion::AttestOutcome;
use consent_api::App;
use consent_core::deletion::AttestationRequest;
use consent_core::{Actor, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Opts `program` of contoso in and then out, a second after anything
/// before; answers the opt-out's time.
async fn opt_in_then_out(server: &TestServer, admin: &str, program: &str) -> Timestamp {
    server.clock.advance(Duration::seconds(1));
    server.opt_in("contoso", program, admin).await;
    let off = server.opt_out("contoso", program, admin).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    server.clock.now()
}

async fn deletions(server: &TestServer, token: &str) -> Value {
    let answer = server.get("/api/v1/tenants/contoso/deletions", token).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

async fn newest_event(server: &TestServer, admin: &str) -> Value {
    let page = server
        .get(
            "/api/v1/tenants/contoso/data-sharing/history?limit=1",
            admin,
        )
        .await;
    page.body["events"][0].clone()
}

/// `(store, due_by, status)` of each obligation of the newest opt-out.
fn obligations(listed: &Value) -> Vec<(String, String, String)> {
    listed["opt_outs"][0]["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["store"].as_str().unwrap().to_owned(),
                o["due_by"].as_str().unwrap().to_owned(),
                o["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn instant(at: Timestamp) -> String {
    // As the API writes instants: RFC 3339 UTC.
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

async fn attest(server: &TestServer, token: &str, id: &str, body: Value) -> Answer {
    let auth = format!("Bearer {token}");
    server
        .call(
            Method::POST,
            &format!("/api/v1/deletions/{id}/attestations"),
            &[("authorization", auth.as_str())],
            Some(body),
        )
        .await
}

/// An attestation that must be refused: the token, the obligation, the
/// body, and the status, code and field of the answer.
type Refusal<'a> = (
    &'a str,
    &'a str,
    Value,
    StatusCode,
    &'a str,
    Option<&'a str>,
);

fn attestation(completed_at: Timestamp) -> Value {
    json!({
        "completed_at": instant(completed_at),
        "items_deleted": 1200,
        "method": "crypto-shredding of the tenant's key",
        "evidence_ref": "JOB-42"
    })
}

// Guards what an opt-out opens: one obligation per store of the program,
// each with its own date (30 days, or 12 calendar months for schema
// copies), all open; opting back in keeps them, since data shared before
// is still deleted as promised. Readers see them; other tenants do not.
#[tokio::test]
async fn an_opt_out_opens_one_obligation_per_store_with_its_date() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let out = opt_in_then_out(&server, &admin, "marketing").await;
    let listed = deletions(&server, &admin).await;
    assert_eq!(listed["opt_outs"].as_array().unwrap().len(), 1);
    assert_eq!(listed["opt_outs"][0]["program"], "marketing");
    let month_30 = instant(out + Duration::days(30));
    let year = instant(out.checked_add_months(Months::new(12)).unwrap());
    assert_eq!(
        obligations(&listed),
        [
            (
                "marketing-data-copies".to_owned(),
                month_30.clone(),
                "open".to_owned()
            ),
            ("query-data-copies".to_owned(), month_30, "open".to_owned()),
            ("schema-copies".to_owned(), year, "open".to_owned()),
        ]
    );
    let opt_out = newest_event(&server, &admin).await;
    assert_eq!(listed["opt_outs"][0]["event_id"], opt_out["id"]);

    server.opt_in("contoso", "marketing", &admin).await;
    let reader = server.token("contoso", "reader").await;
    let again = deletions(&server, &reader).await;
    assert_eq!(
        obligations(&again).len(),
        3,
        "opting back in cancels nothing"
    );

    opt_in_then_out(&server, &admin, "copilot").await;
    let both = deletions(&server, &admin).await;
    assert_eq!(both["opt_outs"][0]["program"], "copilot", "newest first");
    assert_eq!(
        both["opt_outs"][0]["obligations"].as_array().unwrap().len(),
        1
    );

    let other = server
        .get("/api/v1/tenants/fabrikam/deletions", &admin)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

// Guards the overdue mark: nothing before the date; at it, one
// `deletion_overdue` event by the service naming the store, on the change
// feed too; the obligation shows overdue, never done; sweeping again marks
// nothing, and no clock-made "deletion completed" appears.
#[tokio::test]
async fn an_obligation_past_its_date_is_marked_overdue_once() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let admin = server.token("contoso", "admin").await;
    opt_in_then_out(&server, &admin, "copilot").await;
    let events = server.event_count("contoso").await;

    server
        .clock
        .advance(Duration::days(30) - Duration::seconds(1));
    assert_eq!(
        server.state.sweep_deletions().await.unwrap(),
        0,
        "a second early"
    );
    server.clock.advance(Duration::seconds(1));
    assert_eq!(server.state.sweep_deletions().await.unwrap(), 1);
    for _ in 0..3 {
        assert_eq!(server.state.sweep_deletions().await.unwrap(), 0);
    }
    assert_eq!(server.event_count("contoso").await, events + 1);
    let event = newest_event(&server, &admin).await;
    assert_eq!(event["action"], "deletion_overdue");
    assert_eq!(event["actor"]["id"], "system");
    assert_eq!(event["deletion"]["store"], "copilot-interactions");
    assert_eq!(
        obligations(&deletions(&server, &admin).await)[0].2,
        "overdue"
    );

    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;
    let feed = server.get("/api/v1/changes?after=0", &pipeline).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    let fed: Vec<&str> = feed.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["event_id"].as_str())
        .collect();
    assert!(
        fed.contains(&event["id"].as_str().unwrap()),
        "{}",
        feed.body
    );

    server.clock.advance(Duration::days(400));
    assert_eq!(server.state.sweep_deletions().await.unwrap(), 0);
    let history = server
        .get("/api/v1/tenants/contoso/data-sharing/history", &admin)
        .await;
    assert!(!history.body.to_string().contains("deletion_completed"));
}

// Guards attestation: only the store's own client, once; a retry with the
// same values is answered alike and records nothing; other values, unknown
// obligations, the wrong kind of token and impossible claims are refused
// with their code and field; the store's queue lists its own work.
#[tokio::test]
async fn each_store_attests_its_own_obligation_once() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let admin = server.token("contoso", "admin").await;
    let out = opt_in_then_out(&server, &admin, "marketing").await;
    let listed = deletions(&server, &admin).await;
    let ids: Vec<String> = listed["opt_outs"][0]["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    let marketing = provider
        .client_token("marketing-eraser", "consent.deletions.attest")
        .await;
    let schema = provider
        .client_token("schema-eraser", "consent.deletions.attest")
        .await;
    let pipeline = provider
        .client_token("pipeline", "consent.decisions.read")
        .await;

    // The queue: the marketing client sees its two stores' work only.
    let queue = server
        .get("/api/v1/deletions?status=open", &marketing)
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    let mut stores: Vec<&str> = queue.body["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["store"].as_str().unwrap())
        .collect();
    stores.sort_unstable();
    assert_eq!(stores, ["marketing-data-copies", "query-data-copies"]);
    let paged = server.get("/api/v1/deletions?limit=1", &marketing).await;
    assert_eq!(paged.body["obligations"].as_array().unwrap().len(), 1);
    let cursor = paged.body["next_cursor"].as_str().unwrap();
    let rest = server
        .get(
            &format!("/api/v1/deletions?limit=1&cursor={cursor}"),
            &marketing,
        )
        .await;
    // A page at a time, each obligation once.
    assert_ne!(
        rest.body["obligations"][0]["id"],
        paged.body["obligations"][0]["id"]
    );
    assert!(rest.body.get("next_cursor").is_none(), "{}", rest.body);
    for (query, code, field) in [
        ("store=schema-copies", "not_your_store", None),
        ("status=pending", "invalid_query", Some("status")),
        ("limit=0", "invalid_query", Some("limit")),
        ("cursor=nonsense", "invalid_query", Some("cursor")),
        ("owner=me", "invalid_query", Some("owner")),
        ("status=open&status=done", "invalid_query", Some("status")),
    ] {
        let refused = server
            .get(&format!("/api/v1/deletions?{query}"), &marketing)
            .await;
        assert_eq!(refused.problem_code(), code, "{query}");
        if let Some(field) = field {
            assert_eq!(refused.body["field"], field, "{query}");
        }
    }
    let wrong_kind = server.get("/api/v1/deletions", &pipeline).await;
    assert_eq!(wrong_kind.problem_code(), "insufficient_scope");

    // Refusals first: nothing they try is recorded.
    let events = server.event_count("contoso").await;
    let now = server.clock.now();
    let cases: Vec<Refusal> = vec![
        (
            &schema,
            &ids[0],
            attestation(now),
            StatusCode::FORBIDDEN,
            "not_your_store",
            None,
        ),
        (
            &pipeline,
            &ids[0],
            attestation(now),
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            None,
        ),
        (
            &marketing,
            "no-such-obligation",
            attestation(now),
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        ),
        (
            &marketing,
            &ids[0],
            attestation(now + Duration::minutes(5)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            Some("completed_at"),
        ),
        (
            &marketing,
            &ids[0],
            attestation(out - Duration::seconds(1)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            Some("completed_at"),
        ),
        (
            &marketing,
            &ids[0],
            json!({"completed_at": instant(now), "items_deleted": 3, "method": " ", "evidence_ref": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            Some("method"),
        ),
        (
            &marketing,
            &ids[0],
            json!({"completed_at": instant(now), "items_deleted": -1, "method": "m", "evidence_ref": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            Some("items_deleted"),
        ),
        (
            &marketing,
            &ids[0],
            json!({"completed_at": instant(now), "method": "m", "evidence_ref": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            None,
        ),
    ];
    for (token, id, body, status, code, field) in cases {
        let refused = attest(&server, token, id, body.clone()).await;
        assert_eq!(refused.status, status, "{body}: {}", refused.body);
        assert_eq!(refused.problem_code(), code, "{body}");
        if let Some(field) = field {
            assert_eq!(refused.body["field"], field, "{body}");
        }
    }
    assert_eq!(server.event_count("contoso").await, events);

    let body = attestation(now);
    let first = attest(&server, &marketing, &ids[0], body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["status"], "done");
    assert_eq!(first.body["attestation"]["attested_by"], "marketing-eraser");
    assert_eq!(first.body["attestation"]["items_deleted"], 1200);
    let event = newest_event(&server, &admin).await;
    assert_eq!(event["action"], "deletion_attested");
    assert_eq!(event["actor"]["id"], "marketing-eraser");
    assert_eq!(first.body["attestation"]["event_id"], event["id"]);
    assert_eq!(event["deletion"]["attestation"]["evidence_ref"], "JOB-42");
    let receipt = server
        .get(
            &format!(
                "/api/v1/tenants/contoso/receipts/{}",
                event["receipt_id"].as_str().unwrap()
            ),
            &admin,
        )
        .await;
    assert_eq!(receipt.status, StatusCode::OK);

    let retry = attest(&server, &marketing, &ids[0], body).await;
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.body);
    assert_eq!(
        retry.body, first.body,
        "a retry is answered as the first was"
    );
    let mut other_values = attestation(now);
    other_values["items_deleted"] = json!(1201);
    let changed = attest(&server, &marketing, &ids[0], other_values).await;
    assert_eq!(changed.status, StatusCode::CONFLICT);
    assert_eq!(changed.problem_code(), "already_attested");
    assert_eq!(server.event_count("contoso").await, events + 1);

    let done = server
        .get("/api/v1/deletions?status=done", &marketing)
        .await;
    assert_eq!(done.body["obligations"].as_array().unwrap().len(), 1);
}

// Guards the certificate: refused while a store has not attested (saying
// how many have), then signed with the ledger key, listing every store's
// deletion and what is kept on purpose; the offline verifier accepts it.
#[tokio::test]
async fn a_completed_opt_out_gets_a_certificate_the_verifier_accepts() {
    let provider = OidcProvider::start();
    let server = provider.server(|_| {}).await;
    let admin = server.token("contoso", "admin").await;
    opt_in_then_out(&server, &admin, "marketing").await;
    let listed = deletions(&server, &admin).await;
    let opt_out = listed["opt_outs"][0]["event_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/tenants/contoso/deletions/{opt_out}/certificate");
    let obligations: Vec<(String, String)> = listed["opt_outs"][0]["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_owned(),
                o["store"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let marketing = provider
        .client_token("marketing-eraser", "consent.deletions.attest")
        .await;
    let schema = provider
        .client_token("schema-eraser", "consent.deletions.attest")
        .await;
    server.clock.advance(Duration::days(2));
    let at = server.clock.now();
    for (id, store) in &obligations {
        let early = server.get(&path, &admin).await;
        assert_eq!(early.status, StatusCode::CONFLICT);
        assert_eq!(early.problem_code(), "deletion_incomplete");
        let token = if store == "schema-copies" {
            &schema
        } else {
            &marketing
        };
        let answer = attest(&server, token, id, attestation(at)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    let certificate = server.get(&path, &admin).await;
    assert_eq!(certificate.status, StatusCode::OK, "{}", certificate.body);
    let stores: Vec<&str> = certificate.body["deletions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["store"].as_str().unwrap())
        .collect();
    assert_eq!(
        stores,
        [
            "marketing-data-copies",
            "query-data-copies",
            "schema-copies"
        ]
    );
    assert_eq!(
        certificate.body["deletions"][2]["attestation"]["attested_by"],
        "schema-eraser"
    );
    assert_eq!(certificate.body["tenant"], "contoso");
    assert!(certificate.body["kept"][0]
        .as_str()
        .unwrap()
        .contains("consent history"));

    let token = server
        .client
        .get(server.url(&path))
        .bearer_auth(&admin)
        .header("accept", "application/jose")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let keys = server.get("/.well-known/jwks.json", "").await.body;
    let (_, payload) = jws::verify(&token, &keys).expect("signed with a published key");
    let signed: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(signed["opt_out_event_id"], opt_out.as_str());
    let files = tempfile::tempdir().unwrap();
    let (file, jwks) = (
        files.path().join("certificate.jws"),
        files.path().join("jwks.json"),
    );
    std::fs::write(&file, &token).unwrap();
    std::fs::write(&jwks, keys.to_string()).unwrap();
    let checked = consent_api::verify_export_file(&file, &jwks)
        .unwrap()
        .to_string();
    assert!(
        checked.contains("deletion certificate for tenant contoso, marketing opt-out")
            && checked.contains("3 data stores attested"),
        "{checked}"
    );
    let mut forged = token.into_bytes();
    let at = forged.len() / 2;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&file, forged).unwrap();
    assert!(consent_api::verify_export_file(&file, &jwks).is_err());

    let unknown = server
        .get(
            "/api/v1/tenants/contoso/deletions/no-such-event/certificate",
            &admin,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

// Guards exactly-once across processes: three servers over one database
// attest the same obligation and sweep at the same moment; one attestation
// and one overdue mark are recorded, the others find them made.
#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn three_processes_record_each_attestation_and_overdue_mark_once() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    opt_in_then_out(&server, &admin, "copilot").await;
    opt_in_then_out(&server, &admin, "marketing").await;
    let mut states = vec![server.state.clone()];
    for _ in 0..2 {
        let other = App::start(&server.config, server.clock.clock())
            .await
            .expect("another server over the same database starts")
            .state();
        states.push(other);
    }
    let listed = deletions(&server, &admin).await;
    let copilot = listed["opt_outs"][1]["obligations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let events = server.event_count("contoso").await;

    let client = Actor {
        id: "copilot-eraser".to_owned(),
        name: "copilot-eraser".to_owned(),
        roles: Vec::new(),
    };
    let request = AttestationRequest {
        completed_at: server.clock.now(),
        items_deleted: 7,
        method: "purge".to_owned(),
        evidence_ref: "RUN-1".to_owned(),
    };
    let attempts = states.iter().map(|state| {
        let (state, client, request, id) = (
            state.clone(),
            client.clone(),
            request.clone(),
            copilot.clone(),
        );
        tokio::spawn(async move { state.attest_deletion(&client, &id, request).await })
    });
    let mut recorded = 0;
    for attempt in attempts {
        match attempt.await.unwrap().expect("every process answers") {
            AttestOutcome::Recorded(_) => recorded += 1,
            AttestOutcome::Repeated(_) => {}
        }
    }
    assert_eq!(recorded, 1, "one process records it; the others find it");
    assert_eq!(server.event_count("contoso").await, events + 1);

    server.clock.advance(Duration::days(31));
    let sweeps = states.iter().map(|state| {
        let state = state.clone();
        tokio::spawn(async move { state.sweep_deletions().await.unwrap() })
    });
    let mut marked = 0;
    for sweep in sweeps {
        marked += sweep.await.unwrap();
    }
    // Marketing's two 30-day stores; Copilot's was attested, the schema copies are not due.
    assert_eq!(marked, 2);
    assert_eq!(server.event_count("contoso").await, events + 3);
}

// Guards the background task: with a short period, an obligation past its
// date is marked overdue without anyone calling the sweep.
#[tokio::test]
async fn the_background_sweep_marks_overdue_obligations() {
    let server = Arc::new(
        TestServer::start_with(|c| c.sweep_interval_secs = 1)
            .await
            .unwrap(),
    );
    let admin = server.token("contoso", "admin").await;
    opt_in_then_out(&server, &admin, "copilot").await;
    let events = server.event_count("contoso").await;
    server.clock.advance(Duration::days(30));
    let deadline = Instant::now() + StdDuration::from_secs(15);
    while server.event_count("contoso").await == events {
        assert!(Instant::now() < deadline, "nothing marked within 15 s");
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    assert_eq!(
        newest_event(&server, &admin).await["action"],
        "deletion_overdue"
    );
}

// Guards the development clock the keyboard run passes due dates with: it
// moves forward only, the sweep runs at once, and bad values are refused.
#[tokio::test]
async fn the_development_clock_moves_forward_and_sweeps() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    opt_in_then_out(&server, &admin, "copilot").await;
    let before = server.clock.now();
    let call = |seconds: Value| {
        server.call(
            Method::POST,
            "/api/v1/dev/clock",
            &[],
            Some(json!({"advance_seconds": seconds})),
        )
    };
    for bad in [json!(0), json!(-5), json!(315_576_001), json!("1")] {
        let refused = call(bad.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(refused.body["field"], "advance_seconds", "{bad}");
    }
    let moved = call(json!(31 * 24 * 3600)).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["overdue_marked"], 1);
    let now = common::at(moved.body["now"].as_str().unwrap());
    assert!(now >= before + Duration::days(31), "{now} after {before}");
    assert_eq!(
        obligations(&deletions(&server, &admin).await)[0].2,
        "overdue"
    );
}

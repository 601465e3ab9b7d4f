//! Rate limits: changes per tenant per minute (counted in the ledger, so
//! they hold across processes on one database) and requests per caller per
//! second (per process), each answered 429 `rate_limited` with `Retry-After`.

mod common;

use common::{answer, dev_token, program_view, ServerProcess, TestDatabase, TestServer};
use reqwest::{Client, StatusCode};
use serde_json::json;

const DOC: &str = "/api/v1/tenants/contoso/data-sharing";

// Guards the change limit: the next change over the limit is refused with
// Retry-After and stores nothing; a retry of a stored change is still
// answered; the window moves on with the clock.
#[tokio::test]
async fn a_tenant_over_its_change_limit_waits() {
    let server = TestServer::start_with(|c| c.changes_per_minute = 3)
        .await
        .unwrap();
    let admin = server.token("contoso", "admin").await;
    server.opt_in("contoso", "copilot", &admin).await;
    server.clock.advance(chrono::Duration::seconds(20));
    server.opt_out("contoso", "copilot", &admin).await;
    server.clock.advance(chrono::Duration::seconds(20));
    let (_, etag) = server.document("contoso", &admin).await;
    let keyed = [
        ("authorization", format!("Bearer {admin}")),
        ("if-match", etag.clone()),
        ("idempotency-key", "k-3".to_owned()),
    ];
    let keyed: Vec<(&str, &str)> = keyed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = json!({"enabled": false, "accept_notices": [], "contact_allowed": true});
    let third = server
        .call(
            reqwest::Method::PUT,
            &format!("{DOC}/marketing"),
            &keyed,
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        third.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a refused change is not recorded: {}",
        third.body
    );
    let fourth = server.opt_in("contoso", "marketing", &admin).await;
    assert_eq!(fourth.status, StatusCode::OK);
    assert_eq!(server.event_count("contoso").await, 3);

    let (_, etag) = server.document("contoso", &admin).await;
    let over = server
        .change(
            "contoso",
            "copilot",
            &admin,
            Some(&etag),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS, "{}", over.body);
    assert_eq!(over.problem_code(), "rate_limited");
    // The oldest change counted was 40 s ago: free again in 20 s.
    assert_eq!(over.header("retry-after"), Some("20"));
    assert_eq!(server.event_count("contoso").await, 3, "nothing stored");
    // Another tenant has its own budget.
    let felix = server.token("fabrikam", "admin").await;
    server.opt_in("fabrikam", "marketing", &felix).await;

    server.clock.advance(chrono::Duration::seconds(21));
    let (_, etag) = server.document("contoso", &admin).await;
    let later = server
        .change(
            "contoso",
            "marketing",
            &admin,
            Some(&etag),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.body);
}

// Guards that the change limit holds across processes on one database.
#[tokio::test]
async fn the_change_limit_holds_across_processes() {
    let database = TestDatabase::fresh().await;
    let limited = ["--changes-per-minute", "2"];
    let servers = [
        ServerProcess::start(&database.url, &limited),
        ServerProcess::start(&database.url, &limited),
    ];
    let client = Client::new();
    let admin = dev_token(&client, &servers[0].base, "fabrikam", "admin").await;
    let mut statuses = Vec::new();
    for round in 0..3 {
        let server = &servers[round % 2];
        let current = answer(
            client
                .get(server.url("/api/v1/tenants/fabrikam/data-sharing"))
                .bearer_auth(&admin)
                .send()
                .await
                .unwrap(),
        )
        .await;
        let etag = current.header("etag").unwrap().to_owned();
        let notices = program_view(&current.body, "marketing")["notices"].clone();
        let body = if round % 2 == 0 {
            json!({"enabled": true, "accept_notices": notices})
        } else {
            json!({"enabled": false})
        };
        let changed = answer(
            client
                .put(server.url("/api/v1/tenants/fabrikam/data-sharing/marketing"))
                .bearer_auth(&admin)
                .header("if-match", etag)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        statuses.push(changed.status.as_u16());
        if changed.status == StatusCode::TOO_MANY_REQUESTS {
            let wait: u64 = changed.header("retry-after").unwrap().parse().unwrap();
            assert!((1..=60).contains(&wait), "{wait}");
        }
    }
    assert_eq!(
        statuses,
        [200, 200, 429],
        "the third change, on the first process again, is over the limit"
    );
}

// Guards the request limit per caller: a burst passes, the next request is
// refused with Retry-After, and another caller is not held up.
#[tokio::test]
async fn a_caller_over_its_request_rate_waits() {
    let server = TestServer::start_with(|c| {
        c.requests_per_second = 1;
        c.request_burst = 5;
    })
    .await
    .unwrap();
    let admin = server.token("contoso", "admin").await;
    let reader = server.token("contoso", "reader").await;
    let mut passed = 0;
    let refused = loop {
        let answer = server.get(DOC, &admin).await;
        if answer.status != StatusCode::OK {
            break answer;
        }
        passed += 1;
        assert!(passed <= 6, "the burst is 5 (and 1 more per second)");
    };
    assert!(passed >= 5, "{passed}");
    assert_eq!(
        (refused.status, refused.problem_code()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(
        server.get(DOC, &reader).await.status,
        StatusCode::OK,
        "another caller has its own bucket"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        server.get(DOC, &admin).await.status,
        StatusCode::OK,
        "a second later, a request is free again"
    );
}

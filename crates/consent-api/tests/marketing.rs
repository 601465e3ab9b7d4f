//! The Marketing program's rules as the API enforces them: what is refused
//! is refused with its code and stores nothing; the contact preference
//! changes on its own.

mod common;

use common::{program_view, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// `notices` with one field of the entry at `index` replaced.
fn with(notices: &Value, index: usize, key: &str, value: Value) -> Value {
    let mut n = notices.clone();
    n[index][key] = value;
    n
}

/// (case, token, If-Match, body, status, code) of a change that must be refused.
type RefusedChange<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Value,
    StatusCode,
    &'a str,
);

/// Everything a refusal must leave as it was: the document (and so its
/// version) and the number of events.
async fn state(server: &TestServer, admin: &str) -> (Value, String, i64) {
    let (document, etag) = server.document("contoso", admin).await;
    (document, etag, server.event_count("contoso").await)
}

// Guards every forbidden Marketing change: each is refused with its status
// and code, and the version, the document and the history stay as they were.
#[tokio::test]
async fn forbidden_marketing_changes_store_nothing() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let reader = server.token("contoso", "reader").await;
    let notices = server.current_notices("contoso", "marketing", &admin).await;
    let copilot = server.current_notices("contoso", "copilot", &admin).await;
    let (_, etag, _) = state(&server, &admin).await;

    let cases: Vec<RefusedChange> = vec![
        (
            "opt in accepting nothing",
            &admin,
            Some(&etag),
            json!({"enabled": true}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "notice_not_accepted",
        ),
        (
            "opt in accepting the notice but not the NDA",
            &admin,
            Some(&etag),
            json!({"enabled": true, "accept_notices": [notices[0]]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "notice_not_accepted",
        ),
        (
            "opt in with a wrong hash for the NDA",
            &admin,
            Some(&etag),
            json!({"enabled": true, "accept_notices": with(&notices, 1, "sha256", json!("0".repeat(64)))}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "notice_not_accepted",
        ),
        (
            "opt in accepting a version that does not exist",
            &admin,
            Some(&etag),
            json!({"enabled": true, "accept_notices": with(&notices, 0, "version", json!(9))}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "notice_not_accepted",
        ),
        (
            "opt in accepting the Copilot notice",
            &admin,
            Some(&etag),
            json!({"enabled": true, "accept_notices": copilot}),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "contact preference while staying off",
            &admin,
            Some(&etag),
            json!({"enabled": false, "contact_allowed": true}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "contact_not_applicable",
        ),
        (
            "a reader opting in",
            &reader,
            Some(&etag),
            json!({"enabled": true, "accept_notices": notices}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "no If-Match",
            &admin,
            None,
            json!({"enabled": true, "accept_notices": notices}),
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
        ),
        (
            "a stale If-Match",
            &admin,
            Some("\"41\""),
            json!({"enabled": true, "accept_notices": notices}),
            StatusCode::PRECONDITION_FAILED,
            "stale_version",
        ),
    ];
    for (case, token, if_match, body, status, code) in cases {
        let before = state(&server, &admin).await;
        let answer = server
            .change("contoso", "marketing", token, if_match, body)
            .await;
        assert_eq!(answer.status, status, "{case}: {}", answer.body);
        assert_eq!(answer.problem_code(), code, "{case}");
        assert_eq!(
            state(&server, &admin).await,
            before,
            "{case}: nothing stored"
        );
    }
    assert_eq!(server.event_count("contoso").await, 0);
}

// Guards the contact preference: on by default at opt-in, changeable on its
// own while opted in, and stoppable even while a changed notice waits for
// re-acceptance; allowing it again then needs the new wording.
#[tokio::test]
async fn contact_changes_on_its_own_and_can_always_be_stopped() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let notices = server.current_notices("contoso", "marketing", &admin).await;
    let (_, etag) = server.document("contoso", &admin).await;
    let on = server
        .change(
            "contoso",
            "marketing",
            &admin,
            Some(&etag),
            json!({"enabled": true, "accept_notices": notices}),
        )
        .await;
    assert_eq!(program_view(&on.body, "marketing")["contact_allowed"], true);

    // A material change of the engagement notice is published.
    let mut changed: Value = server
        .call(
            Method::GET,
            "/api/v1/notices/marketing-human-review",
            &[],
            None,
        )
        .await
        .body;
    changed["version"] = json!(2);
    changed["sha256"] = json!("");
    changed["title"] = json!("Changed engagement notice");
    let published = server
        .call(Method::POST, "/api/v1/dev/notices", &[], Some(changed))
        .await;
    assert_eq!(published.status, StatusCode::CREATED, "{}", published.body);

    let (document, etag) = server.document("contoso", &admin).await;
    assert_eq!(
        program_view(&document, "marketing")["reconsent_required"],
        true
    );
    let stop = server
        .change(
            "contoso",
            "marketing",
            &admin,
            Some(&etag),
            json!({"enabled": true, "contact_allowed": false}),
        )
        .await;
    assert_eq!(stop.status, StatusCode::OK, "{}", stop.body);
    let view = program_view(&stop.body, "marketing");
    assert_eq!(view["contact_allowed"], false);
    assert_eq!(view["reconsent_required"], true, "nothing was accepted");
    let history = server
        .get("/api/v1/tenants/contoso/data-sharing/history", &admin)
        .await;
    assert_eq!(history.body["events"][0]["action"], "contact_changed");

    let before = state(&server, &admin).await;
    let again = server
        .change(
            "contoso",
            "marketing",
            &admin,
            Some(&before.1),
            json!({"enabled": true, "contact_allowed": true}),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.problem_code(), "notice_not_accepted");
    let old_version = server
        .change(
            "contoso",
            "marketing",
            &admin,
            Some(&before.1),
            json!({"enabled": true, "accept_notices": notices, "contact_allowed": true}),
        )
        .await;
    assert_eq!(old_version.problem_code(), "notice_not_accepted");
    assert_eq!(state(&server, &admin).await, before, "nothing stored");

    let accept = server
        .change(
            "contoso",
            "marketing",
            &admin,
            Some(&before.1),
            json!({"enabled": true, "accept_notices": [published.body], "contact_allowed": true}),
        )
        .await;
    assert_eq!(accept.status, StatusCode::OK, "{}", accept.body);
    let view = program_view(&accept.body, "marketing");
    assert_eq!(view["contact_allowed"], true);
    assert_eq!(view["reconsent_required"], false);
}

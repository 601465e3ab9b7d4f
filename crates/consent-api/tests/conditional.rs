//! Conditional reads of a tenant's document: `If-None-Match` → 304.

mod common;

use chrono::Duration;
use common::{program_view, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const DOCUMENT: &str = "/api/v1/tenants/contoso/data-sharing";

async fn get_if_none_match(server: &TestServer, token: &str, tag: &str) -> common::Answer {
    let auth = format!("Bearer {token}");
    server
        .call(
            Method::GET,
            DOCUMENT,
            &[("authorization", &auth), ("if-none-match", tag)],
            None,
        )
        .await
}

// Guards the cheap steady state: the tag the page holds answers 304 with
// the tag and no body; any other tag, the whole document.
#[tokio::test]
async fn the_current_tag_answers_not_modified() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let (document, etag) = server.document("contoso", &admin).await;

    for tag in [
        etag.as_str(),
        "W/\"0-2.1.1\"",
        "\"5-2.1.1\", \"0-2.1.1\"",
        "*",
    ] {
        let answer = get_if_none_match(&server, &admin, tag).await;
        assert_eq!(answer.status, StatusCode::NOT_MODIFIED, "{tag}");
        assert_eq!(answer.header("etag"), Some(etag.as_str()), "{tag}");
        assert_eq!(answer.body, Value::Null, "{tag}: no body");
        assert_eq!(answer.header("cache-control"), Some("no-store"), "{tag}");
    }
    // The version alone says nothing of the notices; other notice versions are another document.
    for tag in ["\"0\"", "\"0-1.1.1\"", "\"1-2.1.1\"", "\"zero\"", ""] {
        let answer = get_if_none_match(&server, &admin, tag).await;
        assert_eq!(answer.status, StatusCode::OK, "{tag:?}");
        assert_eq!(answer.body, document, "{tag:?}");
    }
}

// Guards that a change is never hidden: after it, the old tag gets the new document.
#[tokio::test]
async fn a_change_answers_the_new_document() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let (_, old) = server.document("contoso", &admin).await;
    let notices = server.current_notices("contoso", "copilot", &admin).await;
    let changed = server
        .change(
            "contoso",
            "copilot",
            &admin,
            Some(&old),
            json!({"enabled": true, "accept_notices": notices}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);

    let answer = get_if_none_match(&server, &admin, &old).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, changed.body);
    assert_eq!(answer.header("etag"), changed.header("etag"));
}

// Guards the one change without a new version: a deletion deadline that
// has passed but is not yet recorded by the sweep. The page must not keep
// showing a pending deletion that is over.
#[tokio::test]
async fn a_passed_deadline_is_never_answered_not_modified() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let (_, etag) = server.document("contoso", &admin).await;
    let notices = server.current_notices("contoso", "copilot", &admin).await;
    let on = server
        .change(
            "contoso",
            "copilot",
            &admin,
            Some(&etag),
            json!({"enabled": true, "accept_notices": notices}),
        )
        .await;
    let off = server
        .change(
            "contoso",
            "copilot",
            &admin,
            on.header("etag"),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let tag = off.header("etag").unwrap().to_owned();
    assert_eq!(
        get_if_none_match(&server, &admin, &tag).await.status,
        StatusCode::NOT_MODIFIED
    );

    server.clock.advance(Duration::days(31));
    let answer = get_if_none_match(&server, &admin, &tag).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "deadline passed, not yet swept"
    );
    assert!(common::program_view(&answer.body, "copilot")
        .get("pending_deletion")
        .is_none());
}

// Guards that the conditional read answers nothing to a caller who may not read.
#[tokio::test]
async fn not_modified_only_for_those_who_may_read() {
    let server = TestServer::start().await;
    let answer = server
        .call(Method::GET, DOCUMENT, &[("if-none-match", "*")], None)
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let other = server.token("fabrikam", "admin").await;
    let answer = get_if_none_match(&server, &other, "\"0\"").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.problem_code(), "not_found");
}

// Guards that browser tests on another loopback port may send If-None-Match.
#[tokio::test]
async fn loopback_cors_admits_if_none_match() {
    let server = TestServer::start_with(|c| c.cors_loopback = true)
        .await
        .unwrap();
    let answer = server
        .call(
            Method::OPTIONS,
            DOCUMENT,
            &[
                ("origin", "http://127.0.0.1:8000"),
                ("access-control-request-method", "GET"),
                (
                    "access-control-request-headers",
                    "authorization,if-none-match",
                ),
            ],
            None,
        )
        .await;
    assert!(answer.status.is_success(), "{:?}", answer.status);
    let allowed = answer
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(allowed.contains("if-none-match"), "{allowed}");
}

// Guards the validator against a publication: a new notice version changes
// the document (its notices, perhaps a re-acceptance) without a new
// version, so the tag the page holds must stop answering 304, and the new
// tag must answer 304 again.
#[tokio::test]
async fn a_published_notice_version_changes_the_tag() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let (before, old) = server.document("contoso", &admin).await;
    assert_eq!(
        get_if_none_match(&server, &admin, &old).await.status,
        StatusCode::NOT_MODIFIED
    );

    let current = server
        .call(Method::GET, "/api/v1/notices/marketing-nda", &[], None)
        .await;
    let mut nda = current.body.clone();
    nda["version"] = json!(2);
    nda["sha256"] = json!("");
    nda["material_change"] = json!(true);
    nda["title"] = json!("NDA, second edition");
    let published = server
        .call(Method::POST, "/api/v1/dev/notices", &[], Some(nda))
        .await;
    assert_eq!(published.status, StatusCode::CREATED, "{}", published.body);

    let answer = get_if_none_match(&server, &admin, &old).await;
    assert_eq!(answer.status, StatusCode::OK, "the old tag is stale");
    assert_eq!(
        answer.body["version"], before["version"],
        "no change was stored"
    );
    assert_eq!(
        program_view(&answer.body, "marketing")["notices"][1]["version"],
        2
    );
    let new = answer.header("etag").unwrap().to_owned();
    assert_eq!(new, "\"0-2.1.2\"");
    assert_eq!(
        get_if_none_match(&server, &admin, &new).await.status,
        StatusCode::NOT_MODIFIED
    );
}

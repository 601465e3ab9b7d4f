//! Hostile and malformed requests: each gets its documented problem, never a 500.

mod common;

use common::{answer, Answer, TestServer};
use reqwest::{Method, StatusCode};

const CHANGE: &str = "/api/v1/tenants/contoso/data-sharing/copilot";

/// A raw request: `content_type` and `body` exactly as given.
async fn send(
    server: &TestServer,
    method: Method,
    path: &str,
    headers: &[(&str, String)],
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Answer {
    let mut request = server.client.request(method, server.url(path));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    answer(request.body(body).send().await.expect("the server answers")).await
}

// Guards change bodies: too large, not JSON, not an object, unknown or
// missing fields, wrong types, absurd numbers and malformed notice
// references each get their status, code and (where known) field.
#[tokio::test]
async fn malformed_change_requests() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let json = Some("application/json");
    let big = format!(
        r#"{{"enabled": false, "padding": "{}"}}"#,
        "x".repeat(64 * 1024)
    );
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let notice = |fields: &str| format!(r#"{{"enabled": true, "accept_notices": [{fields}]}}"#);
    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        String,
        StatusCode,
        &'a str,
        Option<&'a str>,
    );
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let cases: Vec<Case> = vec![
        (
            "over 64 KiB",
            json,
            big,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            None,
        ),
        (
            "unknown field",
            json,
            r#"{"enabled": false, "admin": true}"#.into(),
            unprocessable,
            "invalid_body",
            Some("admin"),
        ),
        (
            "enabled as text",
            json,
            r#"{"enabled": "false"}"#.into(),
            unprocessable,
            "invalid_body",
            Some("enabled"),
        ),
        (
            "enabled as number",
            json,
            r#"{"enabled": 0}"#.into(),
            unprocessable,
            "invalid_body",
            Some("enabled"),
        ),
        (
            "enabled null",
            json,
            r#"{"enabled": null}"#.into(),
            unprocessable,
            "invalid_body",
            Some("enabled"),
        ),
        (
            "notices not a list",
            json,
            r#"{"enabled": true, "accept_notices": "all"}"#.into(),
            unprocessable,
            "invalid_body",
            Some("accept_notices"),
        ),
        (
            "contact as number",
            json,
            r#"{"enabled": true, "contact_allowed": 1}"#.into(),
            unprocessable,
            "invalid_body",
            Some("contact_allowed"),
        ),
        (
            "missing enabled",
            json,
            r#"{"accept_notices": []}"#.into(),
            unprocessable,
            "invalid_body",
            Some("enabled"),
        ),
        (
            "repeated field",
            json,
            r#"{"enabled": true, "enabled": false}"#.into(),
            unprocessable,
            "invalid_body",
            None,
        ),
        (
            "truncated JSON",
            json,
            r#"{"enabled": tru"#.into(),
            unprocessable,
            "invalid_body",
            Some("enabled"),
        ),
        (
            "empty body",
            json,
            String::new(),
            unprocessable,
            "invalid_body",
            None,
        ),
        (
            "array body",
            json,
            "[true]".into(),
            unprocessable,
            "invalid_body",
            None,
        ),
        (
            "null body",
            json,
            "null".into(),
            unprocessable,
            "invalid_body",
            None,
        ),
        (
            "string body",
            json,
            r#""enabled""#.into(),
            unprocessable,
            "invalid_body",
            None,
        ),
        (
            "byte order mark",
            json,
            "\u{feff}{\"enabled\": false}".into(),
            unprocessable,
            "invalid_body",
            None,
        ),
        (
            "deep nesting",
            json,
            deep,
            unprocessable,
            "invalid_body",
            None,
        ),
        (
            "trailing data",
            json,
            r#"{"enabled": false} x"#.into(),
            unprocessable,
            "invalid_body",
            None,
        ),
        (
            "text/plain",
            Some("text/plain"),
            r#"{"enabled": false}"#.into(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_body",
            None,
        ),
        (
            "form",
            Some("application/x-www-form-urlencoded"),
            "enabled=false".into(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_body",
            None,
        ),
        (
            "no content type",
            None,
            r#"{"enabled": false}"#.into(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_body",
            None,
        ),
        (
            "huge version",
            json,
            notice(
                r#"{"id": "copilot-data-sharing", "version": 99999999999999999999, "sha256": "h"}"#,
            ),
            unprocessable,
            "invalid_body",
            Some("accept_notices[0].version"),
        ),
        (
            "float version",
            json,
            notice(r#"{"id": "copilot-data-sharing", "version": 1e400, "sha256": "h"}"#),
            unprocessable,
            "invalid_body",
            Some("accept_notices[0].version"),
        ),
        (
            "negative version",
            json,
            notice(r#"{"id": "copilot-data-sharing", "version": -1, "sha256": "h"}"#),
            unprocessable,
            "invalid_body",
            Some("accept_notices[0].version"),
        ),
        (
            "notice id a number",
            json,
            notice(r#"{"id": 7, "version": 1, "sha256": "h"}"#),
            unprocessable,
            "invalid_body",
            Some("accept_notices[0].id"),
        ),
        (
            "notice without hash",
            json,
            notice(r#"{"id": "copilot-data-sharing", "version": 2}"#),
            unprocessable,
            "invalid_body",
            Some("accept_notices[0].sha256"),
        ),
        (
            "notice with extra field",
            json,
            notice(
                r#"{"id": "copilot-data-sharing", "version": 2, "sha256": "h", "accepted": true}"#,
            ),
            unprocessable,
            "invalid_body",
            Some("accept_notices[0].accepted"),
        ),
        (
            "notice null",
            json,
            notice("null"),
            unprocessable,
            "invalid_body",
            Some("accept_notices[0]"),
        ),
        (
            "notice a string",
            json,
            notice(r#""copilot-data-sharing@2""#),
            unprocessable,
            "invalid_body",
            Some("accept_notices[0]"),
        ),
        (
            "unknown notice",
            json,
            notice(r#"{"id": "no-such-notice", "version": 1, "sha256": "h"}"#),
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        ),
        (
            "wrong hash",
            json,
            notice(&format!(
                r#"{{"id": "copilot-data-sharing", "version": 2, "sha256": "{}"}}"#,
                "0".repeat(64)
            )),
            unprocessable,
            "notice_not_accepted",
            None,
        ),
    ];
    let auth = format!("Bearer {admin}");
    for (case, content_type, body, status, code, field) in cases {
        let headers = [
            ("authorization", auth.clone()),
            ("if-match", "\"0\"".to_owned()),
        ];
        let answer = send(
            &server,
            Method::PUT,
            CHANGE,
            &headers,
            content_type,
            body.into_bytes(),
        )
        .await;
        assert_eq!(answer.status, status, "{case}: {}", answer.body);
        assert_eq!(answer.problem_code(), code, "{case}");
        assert_eq!(
            answer.body["field"].as_str(),
            field,
            "{case}: {}",
            answer.body
        );
    }
    assert_eq!(server.event_count("contoso").await, 0);

    // A JSON media type with parameters is JSON.
    let headers = [
        ("authorization", auth.clone()),
        ("if-match", "\"0\"".to_owned()),
    ];
    let ok = send(
        &server,
        Method::PUT,
        CHANGE,
        &headers,
        Some("application/json; charset=utf-8"),
        br#"{"enabled": false}"#.to_vec(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}

// Guards change headers: a malformed If-Match is stale, a malformed
// Idempotency-Key is refused naming the header.
#[tokio::test]
async fn malformed_change_headers() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let auth = format!("Bearer {admin}");
    let cases = [
        (
            ("if-match", "\"0\"; DROP TABLE".to_owned()),
            StatusCode::PRECONDITION_FAILED,
            "stale_version",
            None,
        ),
        (
            ("if-match", "\"99999999999999999999999\"".to_owned()),
            StatusCode::PRECONDITION_FAILED,
            "stale_version",
            None,
        ),
        (
            ("idempotency-key", "k".repeat(256)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            Some("Idempotency-Key"),
        ),
        (
            ("idempotency-key", "tab\tkey".to_owned()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            Some("Idempotency-Key"),
        ),
    ];
    for ((name, value), status, code, field) in cases {
        let mut headers = vec![("authorization", auth.clone()), (name, value.clone())];
        if name != "if-match" {
            headers.push(("if-match", "\"0\"".to_owned()));
        }
        let answer = send(
            &server,
            Method::PUT,
            CHANGE,
            &headers,
            Some("application/json"),
            br#"{"enabled": false}"#.to_vec(),
        )
        .await;
        assert_eq!(answer.status, status, "{name}: {value}: {}", answer.body);
        assert_eq!(answer.problem_code(), code, "{name}");
        assert_eq!(answer.body["field"].as_str(), field, "{name}");
    }
    assert_eq!(server.event_count("contoso").await, 0);
}

// Guards path parameters: unknown programs, overlong or strange tenant ids,
// encoded slashes and bad notice versions all answer 404 not_found.
#[tokio::test]
async fn malformed_paths_are_not_found() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let long = "c".repeat(5000);
    let gets = [
        format!("/api/v1/tenants/{long}/data-sharing"),
        "/api/v1/tenants/con%2Ftoso/data-sharing".to_owned(),
        "/api/v1/tenants/contoso%2F..%2Ffabrikam/data-sharing".to_owned(),
        "/api/v1/tenants/contoso%00/data-sharing".to_owned(),
        "/api/v1/tenants/%FF%FE/data-sharing".to_owned(),
        "/api/v1/tenants/caf%C3%A9/data-sharing".to_owned(),
        "/api/v1/tenants/%20contoso/data-sharing/history".to_owned(),
        format!("/api/v1/tenants/{long}/data-sharing/history.csv"),
        format!("/api/v1/tenants/contoso/receipts/{long}"),
        "/api/v1/tenants/contoso/receipts/..%2F..%2Fetc%2Fpasswd".to_owned(),
        "/api/v1/notices/copilot-data-sharing/versions/abc".to_owned(),
        "/api/v1/notices/copilot-data-sharing/versions/-1".to_owned(),
        "/api/v1/notices/copilot-data-sharing/versions/99999999999".to_owned(),
        format!("/api/v1/notices/{long}"),
        "/api/v1/notices/..%2Fcopilot-data-sharing".to_owned(),
        "/api/v1/nothing-here".to_owned(),
    ];
    for path in &gets {
        let answer = server.get(path, &admin).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            answer.body
        );
        assert_eq!(answer.problem_code(), "not_found", "{path}");
    }
    let auth = format!("Bearer {admin}");
    for program in ["crm", "Copilot", "copilot%2F", &"p".repeat(5000)] {
        let path = format!("/api/v1/tenants/contoso/data-sharing/{program}");
        let headers = [
            ("authorization", auth.clone()),
            ("if-match", "\"0\"".to_owned()),
        ];
        let answer = send(
            &server,
            Method::PUT,
            &path,
            &headers,
            Some("application/json"),
            br#"{"enabled": false}"#.to_vec(),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{program}: {}",
            answer.body
        );
        assert_eq!(answer.problem_code(), "not_found", "{program}");
    }
    assert_eq!(server.event_count("contoso").await, 0);
}

// Guards the development routes against malformed bodies.
#[tokio::test]
async fn malformed_dev_requests() {
    let server = TestServer::start().await;
    let cases = [
        (
            "/api/v1/dev/token",
            r#"{"tenant": 5, "role": "admin"}"#,
            Some("tenant"),
        ),
        (
            "/api/v1/dev/token",
            r#"{"tenant": "contoso", "role": "root"}"#,
            Some("role"),
        ),
        (
            "/api/v1/dev/token",
            r#"{"tenant": "contoso"}"#,
            Some("role"),
        ),
        ("/api/v1/dev/token", "[]", None),
        (
            "/api/v1/dev/tenants",
            r#"{"region": ["US"]}"#,
            Some("region"),
        ),
        (
            "/api/v1/dev/tenants",
            r#"{"region": "US", "name": 3}"#,
            Some("name"),
        ),
    ];
    for (path, body, field) in cases {
        let answer = send(
            &server,
            Method::POST,
            path,
            &[],
            Some("application/json"),
            body.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} {body}: {}",
            answer.body
        );
        assert_eq!(answer.problem_code(), "invalid_body", "{path} {body}");
        assert_eq!(answer.body["field"].as_str(), field, "{path} {body}");
    }
}

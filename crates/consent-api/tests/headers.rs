//! Security headers on every answer, successes and errors alike.

mod common;

use common::{Answer, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

const CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// (method, path, signed in?, If-Match, body, status, Cache-Control)
type Case = (
    Method,
    String,
    bool,
    Option<&'static str>,
    Option<serde_json::Value>,
    StatusCode,
    &'static str,
);

fn assert_security_headers(answer: &Answer, csp: &str, cache: &str, case: &str) {
    assert_eq!(
        answer.header("content-security-policy"),
        Some(csp),
        "{case}"
    );
    assert_eq!(
        answer.header("x-content-type-options"),
        Some("nosniff"),
        "{case}"
    );
    assert_eq!(
        answer.header("referrer-policy"),
        Some("no-referrer"),
        "{case}"
    );
    assert_eq!(answer.header("cache-control"), Some(cache), "{case}");
}

// Guards the headers on every route and on the error answers (401, 404,
// 405, 412, 413, 415, 422, 428): only notices that exist may be cached.
#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let auth = format!("Bearer {admin}");
    server.opt_in("contoso", "copilot", &admin).await;
    let page = server
        .get("/api/v1/tenants/contoso/data-sharing/history", &admin)
        .await;
    let receipt = page.body["events"][0]["receipt_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let short = "public, max-age=300";
    let long = "public, max-age=86400, immutable";
    let change = "/api/v1/tenants/contoso/data-sharing/copilot";
    let off = Some(json!({"enabled": false}));
    let cases: Vec<Case> = vec![
        (
            Method::GET,
            "/healthz".into(),
            false,
            None,
            None,
            StatusCode::OK,
            "no-store",
        ),
        (
            Method::GET,
            "/readyz".into(),
            false,
            None,
            None,
            StatusCode::OK,
            "no-store",
        ),
        (
            Method::GET,
            "/api/openapi.json".into(),
            false,
            None,
            None,
            StatusCode::OK,
            "no-store",
        ),
        (
            Method::GET,
            "/api/v1/notices".into(),
            false,
            None,
            None,
            StatusCode::OK,
            short,
        ),
        (
            Method::GET,
            "/api/v1/notices/copilot-data-sharing".into(),
            false,
            None,
            None,
            StatusCode::OK,
            short,
        ),
        (
            Method::GET,
            "/api/v1/notices/copilot-data-sharing/versions".into(),
            false,
            None,
            None,
            StatusCode::OK,
            "no-cache",
        ),
        (
            Method::GET,
            "/api/v1/notices/copilot-data-sharing/versions/1".into(),
            false,
            None,
            None,
            StatusCode::OK,
            long,
        ),
        (
            Method::GET,
            "/api/v1/notices/nothing".into(),
            false,
            None,
            None,
            StatusCode::NOT_FOUND,
            "no-store",
        ),
        (
            Method::GET,
            "/api/v1/notices/copilot-data-sharing/versions/9".into(),
            false,
            None,
            None,
            StatusCode::NOT_FOUND,
            "no-store",
        ),
        (
            Method::POST,
            "/api/v1/dev/token".into(),
            false,
            None,
            Some(json!({"tenant": "contoso", "role": "reader"})),
            StatusCode::OK,
            "no-store",
        ),
        (
            Method::POST,
            "/api/v1/dev/tenants".into(),
            false,
            None,
            Some(json!({"region": "US"})),
            StatusCode::CREATED,
            "no-store",
        ),
        (
            Method::GET,
            "/api/v1/tenants/contoso/data-sharing".into(),
            true,
            None,
            None,
            StatusCode::OK,
            "no-store",
        ),
        (
            Method::GET,
            "/api/v1/tenants/contoso/data-sharing".into(),
            false,
            None,
            None,
            StatusCode::UNAUTHORIZED,
            "no-store",
        ),
        (
            Method::GET,
            "/api/v1/tenants/fabrikam/data-sharing".into(),
            true,
            None,
            None,
            StatusCode::NOT_FOUND,
            "no-store",
        ),
        (
            Method::PUT,
            change.into(),
            true,
            Some("\"1\""),
            off.clone(),
            StatusCode::OK,
            "no-store",
        ),
        (
            Method::PUT,
            change.into(),
            true,
            Some("\"1\""),
            off.clone(),
            StatusCode::PRECONDITION_FAILED,
            "no-store",
        ),
        (
            Method::PUT,
            change.into(),
            true,
            None,
            off.clone(),
            StatusCode::PRECONDITION_REQUIRED,
            "no-store",
        ),
        (
            Method::PUT,
            change.into(),
            true,
            Some("\"2\""),
            Some(json!({"enabled": "no"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "no-store",
        ),
        (
            Method::PUT,
            change.into(),
            true,
            Some("\"2\""),
            Some(json!({"pad": "x".repeat(70_000)})),
            StatusCode::PAYLOAD_TOO_LARGE,
            "no-store",
        ),
        (
            Method::GET,
            "/api/v1/tenants/contoso/data-sharing/history".into(),
            true,
            None,
            None,
            StatusCode::OK,
            "no-store",
        ),
        (
            Method::GET,
            "/api/v1/tenants/contoso/data-sharing/history?limit=0".into(),
            true,
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no-store",
        ),
        (
            Method::GET,
            "/api/v1/tenants/contoso/data-sharing/history.csv".into(),
            true,
            None,
            None,
            StatusCode::OK,
            "no-store",
        ),
        (
            Method::GET,
            format!("/api/v1/tenants/contoso/receipts/{receipt}"),
            true,
            None,
            None,
            StatusCode::OK,
            "no-store",
        ),
        (
            Method::GET,
            "/api/v1/tenants/contoso/receipts/0".into(),
            true,
            None,
            None,
            StatusCode::NOT_FOUND,
            "no-store",
        ),
        (
            Method::GET,
            "/no/such/address".into(),
            false,
            None,
            None,
            StatusCode::NOT_FOUND,
            "no-store",
        ),
        (
            Method::DELETE,
            "/api/v1/notices".into(),
            false,
            None,
            None,
            StatusCode::METHOD_NOT_ALLOWED,
            "no-store",
        ),
    ];
    for (method, path, signed_in, if_match, body, status, cache) in cases {
        let mut headers = Vec::new();
        if signed_in {
            headers.push(("authorization", auth.as_str()));
        }
        if let Some(etag) = if_match {
            headers.push(("if-match", etag));
        }
        let answer = server.call(method.clone(), &path, &headers, body).await;
        let case = format!("{method} {path}");
        assert_eq!(answer.status, status, "{case}: {}", answer.body);
        assert_security_headers(&answer, CSP, cache, &case);
    }
    // The plain-text body of a wrong media type is refused with the headers too.
    let response = server
        .client
        .put(server.url(change))
        .bearer_auth(&admin)
        .header("if-match", "\"2\"")
        .header("content-type", "text/plain")
        .body("enabled")
        .send()
        .await
        .unwrap();
    let answer = common::answer(response).await;
    assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_security_headers(&answer, CSP, "no-store", "415");
}

// Guards the configured frame-ancestors, and the headers on CORS preflights.
#[tokio::test]
async fn frame_ancestors_come_from_the_configuration() {
    let server = TestServer::start_with(|c| {
        c.frame_ancestors = "'self' https://portal.example".into();
        c.cors_loopback = true;
    })
    .await
    .unwrap();
    let csp = "default-src 'none'; frame-ancestors 'self' https://portal.example";
    let answer = server.call(Method::GET, "/healthz", &[], None).await;
    assert_security_headers(&answer, csp, "no-store", "healthz");
    let preflight = server
        .call(
            Method::OPTIONS,
            "/api/v1/tenants/contoso/data-sharing/copilot",
            &[
                ("origin", "http://127.0.0.1:8080"),
                ("access-control-request-method", "PUT"),
            ],
            None,
        )
        .await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    assert_security_headers(&preflight, csp, "no-store", "preflight");
}

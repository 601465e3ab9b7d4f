//! The OpenAPI document: served, well formed, and describing every route.

mod common;

use common::TestServer;
use consent_api::routes::UNKNOWN_ROUTE_DETAIL;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every route the server answers: method, documented path, a concrete
/// path to call, and the error statuses its description must list.
const ROUTES: [(&str, &str, &str, &[u16]); 15] = [
    ("get", "/healthz", "/healthz", &[500]),
    ("get", "/readyz", "/readyz", &[500, 503]),
    (
        "post",
        "/api/v1/dev/token",
        "/api/v1/dev/token",
        &[404, 413, 415, 422, 500],
    ),
    (
        "post",
        "/api/v1/dev/tenants",
        "/api/v1/dev/tenants",
        &[404, 413, 415, 422, 500],
    ),
    (
        "post",
        "/api/v1/dev/notices",
        "/api/v1/dev/notices",
        &[404, 413, 415, 422, 500],
    ),
    (
        "get",
        "/api/v1/tenants/{tenant_id}/data-sharing",
        "/api/v1/tenants/contoso/data-sharing",
        &[401, 404, 500],
    ),
    (
        "put",
        "/api/v1/tenants/{tenant_id}/data-sharing/{program_id}",
        "/api/v1/tenants/contoso/data-sharing/copilot",
        &[401, 403, 404, 412, 413, 415, 422, 428, 500],
    ),
    (
        "get",
        "/api/v1/tenants/{tenant_id}/data-sharing/history",
        "/api/v1/tenants/contoso/data-sharing/history",
        &[401, 404, 422, 500],
    ),
    (
        "get",
        "/api/v1/tenants/{tenant_id}/data-sharing/history.csv",
        "/api/v1/tenants/contoso/data-sharing/history.csv",
        &[401, 404, 422, 500],
    ),
    (
        "get",
        "/api/v1/tenants/{tenant_id}/receipts/{receipt_id}",
        "/api/v1/tenants/contoso/receipts/0190a0b0-0000-7000-8000-000000000000",
        &[401, 404, 500],
    ),
    ("get", "/api/v1/notices", "/api/v1/notices", &[500]),
    (
        "get",
        "/api/v1/notices/{notice_id}",
        "/api/v1/notices/copilot-data-sharing",
        &[404, 500],
    ),
    (
        "get",
        "/api/v1/notices/{notice_id}/versions",
        "/api/v1/notices/copilot-data-sharing/versions",
        &[404, 500],
    ),
    (
        "get",
        "/api/v1/notices/{notice_id}/versions/{version}",
        "/api/v1/notices/copilot-data-sharing/versions/1",
        &[404, 500],
    ),
    ("get", "/api/openapi.json", "/api/openapi.json", &[500]),
];

async fn openapi(server: &TestServer) -> Value {
    let answer = server
        .call(Method::GET, "/api/openapi.json", &[], None)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    answer.body
}

// Guards that the served document parses and says it is OpenAPI 3.1.0.
#[tokio::test]
async fn the_document_is_served_as_openapi_3_1() {
    let server = TestServer::start().await;
    let document = openapi(&server).await;
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["info"]["title"].is_string());
}

// Guards the sync between routes and document: each route answers (it is
// not the unknown-address fallback), is described, and lists its error
// responses as problem+json; the document describes nothing else.
#[tokio::test]
async fn every_route_is_described_with_its_errors() {
    let server = TestServer::start().await;
    let document = openapi(&server).await;
    let admin = server.token("contoso", "admin").await;
    let auth = format!("Bearer {admin}");

    let described: usize = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|operations| operations.as_object().unwrap().len())
        .sum();
    assert_eq!(
        described,
        ROUTES.len(),
        "the document describes exactly these routes"
    );

    for (method, path, concrete, errors) in ROUTES {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not described");
        for status in errors {
            let response = &operation["responses"][status.to_string()];
            let schema = &response["content"]["application/problem+json"]["schema"];
            assert_eq!(
                schema["$ref"], "#/components/schemas/Problem",
                "{method} {path} {status}: {response}"
            );
            assert!(response["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()));
        }
        let success = operation["responses"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|s| s.starts_with('2'))
            .count();
        assert_eq!(success, 1, "{method} {path} has one success answer");

        let http = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let body = matches!(method, "put" | "post").then(|| json!({"enabled": false}));
        let headers = [("authorization", auth.as_str()), ("if-match", "\"0\"")];
        let answer = server.call(http, concrete, &headers, body).await;
        assert_ne!(
            answer.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {concrete}"
        );
        assert_ne!(
            answer.body["detail"], UNKNOWN_ROUTE_DETAIL,
            "{method} {concrete} is not routed"
        );
    }
}

// Guards the documented headers and schemas the app and hosts rely on.
#[tokio::test]
async fn headers_security_and_schemas_are_described() {
    let server = TestServer::start().await;
    let document = openapi(&server).await;
    let change = &document["paths"]["/api/v1/tenants/{tenant_id}/data-sharing/{program_id}"]["put"];
    let parameters: Vec<(&str, &str, bool)> = change["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["in"].as_str().unwrap(),
                p["required"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    for expected in [
        ("tenant_id", "path", true),
        ("program_id", "path", true),
        ("If-Match", "header", true),
        ("Idempotency-Key", "header", false),
    ] {
        assert!(
            parameters.contains(&expected),
            "{expected:?} in {parameters:?}"
        );
    }
    assert_eq!(
        change["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ChangeRequest"
    );
    assert!(change["responses"]["200"]["headers"]["ETag"].is_object());
    let read = &document["paths"]["/api/v1/tenants/{tenant_id}/data-sharing"]["get"];
    assert!(read["responses"]["200"]["headers"]["ETag"].is_object());
    assert_eq!(read["security"], json!([{"bearer": []}]));
    let csv = &document["paths"]["/api/v1/tenants/{tenant_id}/data-sharing/history.csv"]["get"];
    assert!(csv["responses"]["200"]["content"]["text/csv"].is_object());

    let schemas = &document["components"]["schemas"];
    for name in [
        "Problem",
        "ErrorCode",
        "DataSharingDocument",
        "ChangeRequest",
        "HistoryPage",
        "ConsentEvent",
        "ConsentReceipt",
        "NoticeDocument",
        "NoticeVersionSummary",
        "NoticeRef",
    ] {
        assert!(schemas[name].is_object(), "schema {name}");
    }
    let codes = schemas["ErrorCode"]["enum"].as_array().unwrap();
    for code in [
        "invalid_query",
        "stale_version",
        "unauthorized",
        "payload_too_large",
    ] {
        assert!(codes.contains(&json!(code)), "{code} in {codes:?}");
    }
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["bearerFormat"],
        "JWT"
    );
}

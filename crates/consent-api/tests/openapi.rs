//! The OpenAPI document: served, well formed, and describing every route.

mod common;

use common::TestServer;
use consent_api::http::UNKNOWN_ROUTE_DETAIL;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every route the server answers: method, documented path, a concrete
/// path to call, and the error statuses its description must list.
const ROUTES: [(&str, &str, &str, &[u16]); 35] = [
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
        "/api/v1/dev/clock",
        "/api/v1/dev/clock",
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
        &[401, 404, 422, 500],
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
    (
        "get",
        "/api/v1/notices/{notice_id}/diff",
        "/api/v1/notices/copilot-data-sharing/diff?from=1&to=2",
        &[404, 422, 500],
    ),
    ("get", "/api/openapi.json", "/api/openapi.json", &[500]),
    (
        "put",
        "/api/v1/tenants/{tenant_id}",
        "/api/v1/tenants/northwind",
        &[401, 403, 413, 415, 422, 429, 500],
    ),
    (
        "get",
        "/api/v1/tenants/{tenant_id}",
        "/api/v1/tenants/northwind",
        &[401, 403, 404, 429, 500],
    ),
    (
        "get",
        "/api/v1/tenants",
        "/api/v1/tenants",
        &[401, 403, 422, 429, 500],
    ),
    (
        "get",
        "/api/v1/decisions/{tenant_id}/{program_id}",
        "/api/v1/decisions/contoso/copilot",
        &[401, 403, 404, 422, 429, 500],
    ),
    (
        "post",
        "/api/v1/decisions:batch",
        "/api/v1/decisions:batch",
        &[401, 403, 413, 415, 422, 429, 500],
    ),
    (
        "get",
        "/api/v1/changes",
        "/api/v1/changes",
        &[401, 403, 422, 429, 500],
    ),
    (
        "get",
        "/api/v1/tenants/{tenant_id}/deletions",
        "/api/v1/tenants/contoso/deletions",
        &[401, 403, 404, 429, 500],
    ),
    (
        "get",
        "/api/v1/tenants/{tenant_id}/deletions/{opt_out_event_id}/certificate",
        "/api/v1/tenants/contoso/deletions/0190a0b0-0000-7000-8000-000000000000/certificate",
        &[401, 403, 404, 409, 429, 500],
    ),
    (
        "get",
        "/api/v1/deletions",
        "/api/v1/deletions",
        &[401, 403, 422, 429, 500],
    ),
    (
        "post",
        "/api/v1/deletions/{obligation_id}/attestations",
        "/api/v1/deletions/0190a0b0-0000-7000-8000-000000000000/attestations",
        &[401, 403, 404, 409, 413, 415, 422, 429, 500],
    ),
    (
        "put",
        "/api/v1/subscriptions/{id}",
        "/api/v1/subscriptions/store-1",
        &[401, 403, 404, 413, 415, 422, 429, 500],
    ),
    (
        "get",
        "/api/v1/subscriptions/{id}",
        "/api/v1/subscriptions/store-1",
        &[401, 403, 404, 429, 500],
    ),
    (
        "delete",
        "/api/v1/subscriptions/{id}",
        "/api/v1/subscriptions/store-1",
        &[401, 403, 404, 429, 500],
    ),
    (
        "get",
        "/api/v1/subscriptions/{id}/deliveries",
        "/api/v1/subscriptions/store-1/deliveries",
        &[401, 403, 404, 429, 500],
    ),
    (
        "get",
        "/api/v1/tenants/{tenant_id}/data-sharing/propagation",
        "/api/v1/tenants/contoso/data-sharing/propagation",
        &[401, 403, 404, 429, 500],
    ),
    (
        "get",
        "/.well-known/jwks.json",
        "/.well-known/jwks.json",
        &[500],
    ),
    (
        "get",
        "/api/v1/tenants/{tenant_id}/ledger/checkpoint",
        "/api/v1/tenants/contoso/ledger/checkpoint",
        &[401, 403, 404, 429, 500],
    ),
    (
        "get",
        "/api/v1/tenants/{tenant_id}/ledger/export",
        "/api/v1/tenants/contoso/ledger/export",
        &[401, 403, 404, 429, 500],
    ),
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
        // Registering a tenant answers 201 (created) or 200 (already there);
        // an attestation 201 (recorded) or 200 (a retry).
        let expected = if [
            ("put", "/api/v1/tenants/{tenant_id}"),
            ("put", "/api/v1/subscriptions/{id}"),
            ("post", "/api/v1/deletions/{obligation_id}/attestations"),
        ]
        .contains(&(method, path))
        {
            2
        } else {
            1
        };
        assert_eq!(success, expected, "{method} {path}: its success answers");

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

/// The parameter `name` of `method path`.
fn parameter<'a>(document: &'a Value, method: &str, path: &str, name: &str) -> &'a Value {
    document["paths"][path][method]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{method} {path} has parameters"))
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has a parameter {name}"))
}

/// Asserts that every key of `expected` is in `actual` with that value.
fn assert_has(actual: &Value, expected: &Value, what: &str) {
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&actual[key], value, "{what}: {key} in {actual}");
    }
}

// Guards the document's precision: each parameter and body field states the
// limits the server enforces, so that what it admits is what the server
// accepts (the server's side is guarded by the tests of each route).
#[tokio::test]
async fn the_document_states_the_limits_the_server_enforces() {
    let server = TestServer::start().await;
    let document = openapi(&server).await;
    let tenant_id = json!({
        "type": "string", "minLength": 1, "maxLength": 64,
        "pattern": "^(?!\\.\\.?$)[A-Za-z0-9._-]+$"
    });
    let history = "/api/v1/tenants/{tenant_id}/data-sharing/history";
    let change = "/api/v1/tenants/{tenant_id}/data-sharing/{program_id}";
    let cases = [
        (
            "get",
            history,
            "limit",
            json!({"type": "integer", "minimum": 1, "maximum": 200}),
        ),
        (
            "get",
            history,
            "cursor",
            json!({"type": "string", "minLength": 1, "maxLength": 18, "pattern": "^0*[1-9][0-9]*$"}),
        ),
        (
            "get",
            history,
            "program",
            json!({"$ref": "#/components/schemas/ProgramId"}),
        ),
        (
            "get",
            "/api/v1/tenants/{tenant_id}/data-sharing/history.csv",
            "program",
            json!({"$ref": "#/components/schemas/ProgramId"}),
        ),
        (
            "put",
            change,
            "If-Match",
            json!({
                "type": "string",
                "pattern": "^(W/)?(\"[0-9]{1,18}(-([0-9]{1,10}(\\.[0-9]{1,10}){0,31})?)?\"|[0-9]{1,18})$"
            }),
        ),
        (
            "put",
            change,
            "Idempotency-Key",
            json!({"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}),
        ),
        (
            "get",
            "/api/v1/tenants/{tenant_id}/receipts/{receipt_id}",
            "receipt_id",
            json!({"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[0-9A-Fa-f-]+$"}),
        ),
        (
            "get",
            "/api/v1/notices/{notice_id}/versions/{version}",
            "version",
            json!({"type": "integer", "minimum": 1}),
        ),
    ];
    for (method, path, name, expected) in cases {
        let schema = &parameter(&document, method, path, name)["schema"];
        assert_has(schema, &expected, &format!("{method} {path} {name}"));
    }

    // Every tenant route describes the tenant id alike.
    let mut tenant_routes = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, _) in operations.as_object().unwrap() {
            // Decisions take any text as a tenant (an unknown one is answered, not refused).
            if path.contains("{tenant_id}") && !path.starts_with("/api/v1/decisions/") {
                let schema = &parameter(&document, method, path, "tenant_id")["schema"];
                assert_has(schema, &tenant_id, &format!("{method} {path} tenant_id"));
                tenant_routes += 1;
            }
        }
    }
    assert_eq!(tenant_routes, 12);

    // Service routes name the scope they need; the tenant routes a person's token.
    for (method, path, scope) in [
        (
            "put",
            "/api/v1/tenants/{tenant_id}",
            "consent.tenants.write",
        ),
        (
            "get",
            "/api/v1/tenants/{tenant_id}",
            "consent.tenants.write",
        ),
        ("get", "/api/v1/tenants", "consent.tenants.write"),
        (
            "get",
            "/api/v1/decisions/{tenant_id}/{program_id}",
            "consent.decisions.read",
        ),
        ("post", "/api/v1/decisions:batch", "consent.decisions.read"),
        ("get", "/api/v1/changes", "consent.decisions.read"),
        (
            "put",
            "/api/v1/subscriptions/{id}",
            "consent.subscriptions.write",
        ),
        (
            "delete",
            "/api/v1/subscriptions/{id}",
            "consent.subscriptions.write",
        ),
        (
            "get",
            "/api/v1/subscriptions/{id}/deliveries",
            "consent.subscriptions.write",
        ),
        ("get", "/api/v1/deletions", "consent.deletions.attest"),
        (
            "post",
            "/api/v1/deletions/{obligation_id}/attestations",
            "consent.deletions.attest",
        ),
    ] {
        assert_eq!(
            document["paths"][path][method]["security"],
            json!([{"service": [scope]}]),
            "{method} {path}"
        );
    }
    assert_eq!(
        document["paths"]["/api/v1/tenants/{tenant_id}/data-sharing"]["get"]["security"],
        json!([{"bearer": []}])
    );
    assert_eq!(
        document["components"]["securitySchemes"]["service"]["scheme"],
        "bearer"
    );

    let schemas = &document["components"]["schemas"];
    let fields = [
        (
            "NewTenant",
            "region",
            json!({"type": "string", "minLength": 1, "maxLength": 16, "pattern": "^[A-Za-z]+$"}),
        ),
        (
            "NewTenant",
            "name",
            json!({"type": ["string", "null"], "minLength": 1, "maxLength": 200}),
        ),
        (
            "NoticeRef",
            "version",
            json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": 4_294_967_295_u64}),
        ),
    ];
    for (schema, field, expected) in fields {
        let actual = &schemas[schema]["properties"][field];
        assert_has(actual, &expected, &format!("{schema}.{field}"));
    }

    // The ETag headers say their form.
    for (method, path) in [
        ("get", "/api/v1/tenants/{tenant_id}/data-sharing"),
        ("put", change),
    ] {
        let etag = &document["paths"][path][method]["responses"]["200"]["headers"]["ETag"];
        assert_has(
            &etag["schema"],
            &json!({"type": "string", "pattern": "^\"[0-9]+-([0-9]+(\\.[0-9]+)*)?\"$"}),
            &format!("{method} {path} ETag"),
        );
    }
}

// Guards the links a client follows from one answer to the next request
// (the ETag into If-Match, a history event to its receipt), and that each
// names an operation that exists by its unique id.
#[tokio::test]
async fn links_lead_from_answers_to_the_next_request() {
    let server = TestServer::start().await;
    let document = openapi(&server).await;
    let mut operation_ids = Vec::new();
    for operations in document["paths"].as_object().unwrap().values() {
        for operation in operations.as_object().unwrap().values() {
            operation_ids.push(operation["operationId"].as_str().unwrap().to_owned());
        }
    }
    let unique: std::collections::BTreeSet<&String> = operation_ids.iter().collect();
    assert_eq!(unique.len(), operation_ids.len(), "{operation_ids:?}");

    let change = "/api/v1/tenants/{tenant_id}/data-sharing/{program_id}";
    let history = "/api/v1/tenants/{tenant_id}/data-sharing/history";
    // (method, path, status, link, target, parameter, expression)
    let cases = [
        (
            "get",
            "/api/v1/tenants/{tenant_id}/data-sharing",
            "200",
            "change_program",
            "change_program",
            "If-Match",
            "$response.header.ETag",
        ),
        (
            "put",
            change,
            "200",
            "change_again",
            "change_program",
            "If-Match",
            "$response.header.ETag",
        ),
        (
            "put",
            change,
            "412",
            "retry_on_current",
            "change_program",
            "If-Match",
            "\"{$response.body#/current/version}\"",
        ),
        (
            "get",
            history,
            "200",
            "receipt",
            "receipt",
            "receipt_id",
            "$response.body#/events/0/receipt_id",
        ),
        (
            "get",
            history,
            "200",
            "next_page",
            "history",
            "cursor",
            "$response.body#/next_cursor",
        ),
    ];
    for (method, path, status, name, target, parameter, expression) in cases {
        let link = &document["paths"][path][method]["responses"][status]["links"][name];
        assert_eq!(
            link["operationId"], target,
            "{method} {path} {status} {name}"
        );
        assert!(unique.contains(&target.to_owned()), "{target} exists");
        assert_eq!(link["parameters"][parameter], expression, "{name}");
    }
}

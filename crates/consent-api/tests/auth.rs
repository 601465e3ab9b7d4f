//! Who may call: development tokens, bearer token checks, tenant isolation, roles.

mod common;

use common::{admin_claims, admin_claims_json, sign, sign_json, unsigned, TestServer, DEV_KEY};
use jsonwebtoken::Algorithm;
use reqwest::{Method, StatusCode};
use serde_json::json;
use serde_json::Value;

const DOC: &str = "/api/v1/tenants/contoso/data-sharing";

// Guards the seeded development identities: one admin and one reader per demo tenant.
#[tokio::test]
async fn dev_tokens_for_each_seeded_identity() {
    let server = TestServer::start().await;
    let cases = [
        ("contoso", "admin", "Ada Admin", true),
        ("contoso", "reader", "Rita Reader", false),
        ("fabrikam", "admin", "Felix Admin", true),
        ("fabrikam", "reader", "Frieda Reader", false),
    ];
    for (tenant, role, name, can_edit) in cases {
        let answer = server
            .call(
                Method::POST,
                "/api/v1/dev/token",
                &[],
                Some(json!({"tenant": tenant, "role": role})),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{tenant} {role}: {}",
            answer.body
        );
        assert_eq!(answer.body["name"], name);
        assert_eq!(answer.body["tenant"], tenant);
        assert_eq!(answer.body["role"], role);
        let token = answer.body["token"].as_str().unwrap();
        let document = server
            .get(&format!("/api/v1/tenants/{tenant}/data-sharing"), token)
            .await;
        assert_eq!(document.status, StatusCode::OK, "{tenant} {role}");
        assert_eq!(document.body["can_edit"], can_edit, "{tenant} {role}");
    }

    let unknown = server
        .call(
            Method::POST,
            "/api/v1/dev/token",
            &[],
            Some(json!({"tenant": "initech", "role": "admin"})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.problem_code(), "not_found");
    let bad_role = server
        .call(
            Method::POST,
            "/api/v1/dev/token",
            &[],
            Some(json!({"tenant": "contoso", "role": "owner"})),
        )
        .await;
    assert_eq!(bad_role.problem_code(), "invalid_body");
}

// Guards that development identities do not exist outside development mode.
#[tokio::test]
async fn dev_tokens_are_refused_outside_dev_mode() {
    let key = "a-production-signing-key-of-at-least-32-bytes";
    let server = TestServer::start_with(|c| common::production(c, Some(key)))
        .await
        .unwrap();
    let answer = server
        .call(
            Method::POST,
            "/api/v1/dev/token",
            &[],
            Some(json!({"tenant": "contoso", "role": "admin"})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.problem_code(), "dev_mode_only");
    let answer = server
        .call(
            Method::POST,
            "/api/v1/dev/tenants",
            &[],
            Some(json!({"region": "US"})),
        )
        .await;
    assert_eq!(answer.problem_code(), "dev_mode_only");
    // Without --dev there are no demo tenants either.
    let token = sign(key, &admin_claims(3600));
    assert_eq!(server.get(DOC, &token).await.problem_code(), "not_found");
}

// Guards the 401 answers: missing, malformed, forged, expired and foreign tokens.
#[tokio::test]
async fn bad_tokens_are_unauthorized() {
    let server = TestServer::start().await;
    let mut wrong_audience = admin_claims(3600);
    wrong_audience.aud = "someone-else".into();
    let expired = sign(DEV_KEY, &admin_claims(-3600));
    let wrong_key = sign(
        "another-key-that-is-long-enough-for-hs256",
        &admin_claims(3600),
    );
    let wrong_audience = sign(DEV_KEY, &wrong_audience);
    let garbage = "Bearer not.a.token".to_owned();
    let basic = "Basic YWRhOnNlY3JldA==".to_owned();
    let cases: Vec<(&str, Option<String>)> = vec![
        ("missing", None),
        ("garbage", Some(garbage)),
        ("not bearer", Some(basic)),
        ("expired", Some(format!("Bearer {expired}"))),
        ("wrong key", Some(format!("Bearer {wrong_key}"))),
        ("wrong audience", Some(format!("Bearer {wrong_audience}"))),
    ];
    for (case, authorization) in cases {
        let headers: Vec<(&str, &str)> = authorization
            .iter()
            .map(|a| ("authorization", a.as_str()))
            .collect();
        let answer = server.call(Method::GET, DOC, &headers, None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(answer.problem_code(), "unauthorized", "{case}");
        assert!(
            answer
                .header("www-authenticate")
                .is_some_and(|v| v.starts_with("Bearer")),
            "{case}"
        );
    }
    // A well-formed token signed with the right key is accepted.
    assert_eq!(
        server
            .get(DOC, &sign(DEV_KEY, &admin_claims(3600)))
            .await
            .status,
        StatusCode::OK
    );
}

// Guards tenant isolation: another tenant, an unknown tenant and an unknown
// program all answer 404, so existence is not leaked.
#[tokio::test]
async fn other_tenants_and_unknown_programs_are_not_found() {
    let server = TestServer::start().await;
    let contoso = server.token("contoso", "admin").await;
    for path in [
        "/api/v1/tenants/fabrikam/data-sharing",
        "/api/v1/tenants/initech/data-sharing",
    ] {
        let answer = server.get(path, &contoso).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.problem_code(), "not_found", "{path}");
    }
    let (_, etag) = server.document("contoso", &contoso).await;
    let body = json!({"enabled": false});
    for (tenant, program) in [
        ("fabrikam", "copilot"),
        ("initech", "copilot"),
        ("contoso", "crm"),
    ] {
        let answer = server
            .change(tenant, program, &contoso, Some(&etag), body.clone())
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{tenant}/{program}");
        assert_eq!(answer.problem_code(), "not_found", "{tenant}/{program}");
    }
    assert_eq!(server.event_count("fabrikam").await, 0);
}

// Guards that readers may read but never change.
#[tokio::test]
async fn readers_cannot_change() {
    let server = TestServer::start().await;
    let reader = server.token("contoso", "reader").await;
    let (document, etag) = server.document("contoso", &reader).await;
    assert_eq!(document["can_edit"], false);
    let answer = server
        .change(
            "contoso",
            "copilot",
            &reader,
            Some(&etag),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.problem_code(), "forbidden");
    assert_eq!(server.event_count("contoso").await, 0);
}

// Guards the isolation browser tests rely on: each fresh tenant is empty, its own, and signs in.
#[tokio::test]
async fn dev_mode_makes_fresh_isolated_tenants() {
    let server = TestServer::start().await;
    let mut ids = Vec::new();
    for region in ["US", "eu"] {
        let answer = server
            .call(
                Method::POST,
                "/api/v1/dev/tenants",
                &[],
                Some(json!({"region": region})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let id = answer.body["id"].as_str().unwrap().to_owned();
        assert_eq!(answer.body["region"], region.to_uppercase());
        let admin = server.token(&id, "admin").await;
        let (doc, etag) = server.document(&id, &admin).await;
        assert_eq!(etag, "\"0-2.1.1\"");
        assert_eq!(doc["tenant"]["id"], id);
        assert_eq!(doc["can_edit"], true);
        assert!(doc["programs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["enabled"] == false));
        let reader = server.token(&id, "reader").await;
        assert_eq!(server.document(&id, &reader).await.0["can_edit"], false);
        // Its token does not open the demo tenant.
        assert_eq!(server.get(DOC, &admin).await.problem_code(), "not_found");
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1]);
    for (body, field) in [
        (json!({"region": ""}), "region"),
        (json!({"region": "U S"}), "region"),
        (json!({"region": "US", "x": 1}), "x"),
    ] {
        let answer = server
            .call(Method::POST, "/api/v1/dev/tenants", &[], Some(body))
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.problem_code(), "invalid_body");
        assert_eq!(answer.body["field"], field);
    }
    let answer = server
        .call(
            Method::POST,
            "/api/v1/dev/token",
            &[],
            Some(json!({"tenant": "nobody", "role": "admin"})),
        )
        .await;
    assert_eq!(answer.problem_code(), "not_found");
}

// Guards the new tenant's region and name as sent: 1 to 16 ASCII letters
// (stored upper-case, never trimmed into shape) and 1 to 200 characters of
// name, not all blank, or none for a generated one; anything else is 422 naming the field.
#[tokio::test]
async fn new_tenant_region_and_name_are_checked_as_sent() {
    let server = TestServer::start().await;
    let sixteen = "A".repeat(16);
    let seventeen = "A".repeat(17);
    let longest_name = "\u{e9}".repeat(200);
    let too_long_name = "n".repeat(201);
    // (body, the region stored or the field refused)
    let cases: Vec<(Value, Result<&str, &str>)> = vec![
        (json!({"region": "US"}), Ok("US")),
        (json!({"region": "eu"}), Ok("EU")),
        (json!({"region": "Bst"}), Ok("BST")),
        (json!({"region": sixteen}), Ok(sixteen.as_str())),
        (json!({"region": "US", "name": null}), Ok("US")),
        (json!({"region": "US", "name": " Contoso "}), Ok("US")),
        (json!({"region": "US", "name": " "}), Err("name")),
        (json!({"region": "US", "name": longest_name}), Ok("US")),
        (json!({"region": ""}), Err("region")),
        (json!({"region": " us "}), Err("region")),
        (json!({"region": "US\n"}), Err("region")),
        (json!({"region": "U S"}), Err("region")),
        (json!({"region": "U5"}), Err("region")),
        (json!({"region": "\u{c9}U"}), Err("region")),
        (json!({"region": seventeen}), Err("region")),
        (json!({"name": "", "region": ""}), Err("region")),
        (json!({"region": "US", "name": ""}), Err("name")),
        (json!({"region": "US", "name": too_long_name}), Err("name")),
    ];
    for (body, expected) in cases {
        let answer = server
            .call(Method::POST, "/api/v1/dev/tenants", &[], Some(body.clone()))
            .await;
        match expected {
            Ok(region) => {
                assert_eq!(
                    answer.status,
                    StatusCode::CREATED,
                    "{body}: {}",
                    answer.body
                );
                assert_eq!(answer.body["region"], region, "{body}");
                let name = body["name"].as_str().map_or_else(
                    || {
                        answer.body["name"]
                            .as_str()
                            .unwrap()
                            .starts_with("Test tenant ")
                    },
                    |sent| answer.body["name"] == sent,
                );
                assert!(name, "{body}: {}", answer.body);
            }
            Err(field) => {
                assert_eq!(
                    answer.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{body}: {}",
                    answer.body
                );
                assert_eq!(answer.problem_code(), "invalid_body", "{body}");
                assert_eq!(answer.body["field"], field, "{body}");
            }
        }
    }
}

/// `claims` with `key` set to `value`, or removed when `value` is `None`.
fn with(mut claims: Value, key: &str, value: Option<Value>) -> Value {
    match value {
        Some(value) => claims[key] = value,
        None => {
            claims.as_object_mut().unwrap().remove(key);
        }
    }
    claims
}

// Guards identity against forged, expired and misused tokens: each is 401
// unauthorized, whatever route it is sent to. A genuine token that names no
// tenant or no mapped role is 403 forbidden.
#[tokio::test]
async fn forged_expired_and_misused_tokens_are_unauthorized() {
    let server = TestServer::start().await;
    let good = admin_claims_json(3600);
    let hs256 = |claims: &Value| sign_json(Algorithm::HS256, DEV_KEY, claims);
    let tampered = {
        let token = hs256(&good);
        let parts: Vec<&str> = token.split('.').collect();
        let payload = common::base64url(
            with(good.clone(), "tenant", Some(json!("fabrikam")))
                .to_string()
                .as_bytes(),
        );
        format!("{}.{payload}.{}", parts[0], parts[2])
    };
    let cases: Vec<(&str, String)> = vec![
        ("alg none", format!("Bearer {}", unsigned(&good))),
        (
            "HS512",
            format!("Bearer {}", sign_json(Algorithm::HS512, DEV_KEY, &good)),
        ),
        (
            "HS384",
            format!("Bearer {}", sign_json(Algorithm::HS384, DEV_KEY, &good)),
        ),
        (
            "wrong key",
            format!(
                "Bearer {}",
                sign_json(
                    Algorithm::HS256,
                    "another-key-that-is-long-enough-for-hs256",
                    &good
                )
            ),
        ),
        ("tampered payload", format!("Bearer {tampered}")),
        (
            "expired",
            format!("Bearer {}", hs256(&admin_claims_json(-3600))),
        ),
        (
            "missing exp",
            format!("Bearer {}", hs256(&with(good.clone(), "exp", None))),
        ),
        (
            "not yet valid",
            format!(
                "Bearer {}",
                hs256(&with(good.clone(), "nbf", Some(json!(good["exp"]))))
            ),
        ),
        (
            "wrong iss",
            format!(
                "Bearer {}",
                hs256(&with(good.clone(), "iss", Some(json!("someone-else"))))
            ),
        ),
        (
            "missing iss",
            format!("Bearer {}", hs256(&with(good.clone(), "iss", None))),
        ),
        (
            "wrong aud",
            format!(
                "Bearer {}",
                hs256(&with(good.clone(), "aud", Some(json!("another-app"))))
            ),
        ),
        (
            "missing sub",
            format!("Bearer {}", hs256(&with(good.clone(), "sub", None))),
        ),
        (
            "exp not a number",
            format!(
                "Bearer {}",
                hs256(&with(good.clone(), "exp", Some(json!("tomorrow"))))
            ),
        ),
        ("garbage", "Bearer not.a.token".to_owned()),
        ("empty bearer", "Bearer ".to_owned()),
        ("scheme only", "Bearer".to_owned()),
        ("wrong scheme", format!("Basic {}", hs256(&good))),
        ("token without scheme", hs256(&good)),
    ];
    let paths = [
        (Method::GET, DOC),
        (Method::PUT, "/api/v1/tenants/contoso/data-sharing/copilot"),
        (Method::GET, "/api/v1/tenants/contoso/data-sharing/history"),
        (
            Method::GET,
            "/api/v1/tenants/contoso/data-sharing/history.csv",
        ),
        (
            Method::GET,
            "/api/v1/tenants/contoso/receipts/0190a0b0-0000-7000-8000-000000000000",
        ),
    ];
    for (case, authorization) in &cases {
        for (method, path) in &paths {
            let body = (*method == Method::PUT).then(|| json!({"enabled": false}));
            let headers = [
                ("authorization", authorization.as_str()),
                ("if-match", "\"0\""),
            ];
            let answer = server.call(method.clone(), path, &headers, body).await;
            assert_eq!(
                answer.status,
                StatusCode::UNAUTHORIZED,
                "{case} {method} {path}: {}",
                answer.body
            );
            assert_eq!(answer.problem_code(), "unauthorized", "{case} {path}");
        }
    }
    let unmapped: Vec<(&str, String)> = vec![
        (
            "missing tenant",
            format!("Bearer {}", hs256(&with(good.clone(), "tenant", None))),
        ),
        (
            "empty tenant",
            format!(
                "Bearer {}",
                hs256(&with(good.clone(), "tenant", Some(json!(""))))
            ),
        ),
        (
            "malformed tenant",
            format!(
                "Bearer {}",
                hs256(&with(good.clone(), "tenant", Some(json!("con/toso"))))
            ),
        ),
        (
            "unknown role",
            format!(
                "Bearer {}",
                hs256(&with(good.clone(), "roles", Some(json!(["owner"]))))
            ),
        ),
        (
            "no roles",
            format!(
                "Bearer {}",
                hs256(&with(good.clone(), "roles", Some(json!([]))))
            ),
        ),
        (
            "missing roles",
            format!("Bearer {}", hs256(&with(good.clone(), "roles", None))),
        ),
        (
            "roles not a list",
            format!(
                "Bearer {}",
                hs256(&with(good.clone(), "roles", Some(json!(42))))
            ),
        ),
    ];
    for (case, authorization) in &unmapped {
        let headers = [
            ("authorization", authorization.as_str()),
            ("if-match", "\"0\""),
        ];
        for (method, path) in &paths {
            let body = (*method == Method::PUT).then(|| json!({"enabled": false}));
            let answer = server.call(method.clone(), path, &headers, body).await;
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{case} {path}: {}",
                answer.body
            );
            assert_eq!(answer.problem_code(), "forbidden", "{case} {path}");
        }
    }
    assert_eq!(server.event_count("contoso").await, 0);
    // The untouched claims are accepted, with a known role among unknown
    // ones too, and one role given as a plain string.
    let extra_role = with(good.clone(), "roles", Some(json!(["owner", "admin"])));
    let one_role = with(good.clone(), "roles", Some(json!("admin")));
    for claims in [&good, &extra_role, &one_role] {
        assert_eq!(server.get(DOC, &hs256(claims)).await.status, StatusCode::OK);
    }
}

// Guards the configured issuer and audience: tokens must carry exactly those.
#[tokio::test]
async fn issuer_and_audience_come_from_the_configuration() {
    let server = TestServer::start_with(|c| {
        c.token_issuer = "https://idp.example".into();
        c.token_audience = "admin-portal".into();
    })
    .await
    .unwrap();
    let configured = with(
        with(
            admin_claims_json(3600),
            "iss",
            Some(json!("https://idp.example")),
        ),
        "aud",
        Some(json!("admin-portal")),
    );
    let cases = [
        (configured.clone(), StatusCode::OK),
        (admin_claims_json(3600), StatusCode::UNAUTHORIZED),
        (
            with(configured.clone(), "aud", Some(json!("tenant-settings"))),
            StatusCode::UNAUTHORIZED,
        ),
        (
            with(configured, "iss", Some(json!("consent-api"))),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (claims, status) in cases {
        let answer = server
            .get(DOC, &sign_json(Algorithm::HS256, DEV_KEY, &claims))
            .await;
        assert_eq!(answer.status, status, "{claims}");
    }
    // Development tokens are issued for the configured issuer and audience.
    let token = server.token("contoso", "admin").await;
    assert_eq!(server.get(DOC, &token).await.status, StatusCode::OK);
}

// Guards tenant isolation on every tenant route: another tenant's and an
// unknown tenant's resources answer 404 alike, and nothing is changed.
#[tokio::test]
async fn every_tenant_route_hides_other_tenants() {
    let server = TestServer::start().await;
    let felix = server.token("fabrikam", "admin").await;
    let notices = server
        .current_notices("fabrikam", "marketing", &felix)
        .await;
    let answer = server
        .change(
            "fabrikam",
            "marketing",
            &felix,
            Some("\"0\""),
            json!({"enabled": true, "accept_notices": notices}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let history = server
        .get("/api/v1/tenants/fabrikam/data-sharing/history", &felix)
        .await;
    let receipt = history.body["events"][0]["receipt_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        server
            .get(
                &format!("/api/v1/tenants/fabrikam/receipts/{receipt}"),
                &felix
            )
            .await
            .status,
        StatusCode::OK
    );

    let ada = server.token("contoso", "admin").await;
    let auth = format!("Bearer {ada}");
    for tenant in ["fabrikam", "initech"] {
        let routes = [
            (
                Method::GET,
                format!("/api/v1/tenants/{tenant}/data-sharing"),
            ),
            (
                Method::PUT,
                format!("/api/v1/tenants/{tenant}/data-sharing/marketing"),
            ),
            (
                Method::GET,
                format!("/api/v1/tenants/{tenant}/data-sharing/history"),
            ),
            (
                Method::GET,
                format!("/api/v1/tenants/{tenant}/data-sharing/history.csv"),
            ),
            (
                Method::GET,
                format!("/api/v1/tenants/{tenant}/receipts/{receipt}"),
            ),
        ];
        for (method, path) in routes {
            let body = (method == Method::PUT).then(|| json!({"enabled": false}));
            let headers = [("authorization", auth.as_str()), ("if-match", "\"1\"")];
            let answer = server.call(method.clone(), &path, &headers, body).await;
            assert_eq!(
                answer.status,
                StatusCode::NOT_FOUND,
                "{method} {path}: {}",
                answer.body
            );
            assert_eq!(answer.problem_code(), "not_found", "{method} {path}");
        }
    }
    // Another tenant's receipt under one's own tenant is not found either.
    let answer = server
        .get(&format!("/api/v1/tenants/contoso/receipts/{receipt}"), &ada)
        .await;
    assert_eq!(answer.problem_code(), "not_found");
    assert_eq!(server.event_count("fabrikam").await, 1);
}

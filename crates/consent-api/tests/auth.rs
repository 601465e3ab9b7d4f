//! Who may call: development tokens, bearer token checks, tenant isolation, roles.

mod common;

use common::{admin_claims, sign, TestServer, DEV_KEY};
use reqwest::{Method, StatusCode};
use serde_json::json;

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
    let server = TestServer::start_with(|c| {
        c.dev = false;
        c.signing_key = Some(key.into());
    })
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
        assert_eq!(etag, "\"0\"");
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

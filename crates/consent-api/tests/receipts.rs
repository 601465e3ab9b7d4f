//! Consent receipts: one per recorded event, with the ISO/IEC TS 27560 fields.

mod common;

use common::TestServer;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The receipt of the newest event of `tenant`.
async fn newest_receipt(server: &TestServer, tenant: &str, token: &str) -> Value {
    let page = server
        .get(
            &format!("/api/v1/tenants/{tenant}/data-sharing/history?limit=1"),
            token,
        )
        .await;
    let event = &page.body["events"][0];
    let receipt_id = event["receipt_id"].as_str().unwrap();
    let answer = server
        .get(
            &format!("/api/v1/tenants/{tenant}/receipts/{receipt_id}"),
            token,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.body["receipt_id"], receipt_id);
    assert_eq!(answer.body["event_id"], event["id"]);
    assert_eq!(answer.body["event"]["action"], event["action"]);
    answer.body
}

// Guards the receipt of each program and action: event type, state, the
// principal, the actor, the notices with language and title, and the
// program's purposes, categories, storage, retention and jurisdiction.
#[tokio::test]
async fn each_change_issues_a_receipt_with_its_facts() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let reader = server.token("contoso", "reader").await;
    let copilot = server.current_notices("contoso", "copilot", &admin).await;
    let marketing = server.current_notices("contoso", "marketing", &admin).await;
    // (program, body, event type, status after, enabled after)
    let steps = [
        (
            "copilot",
            json!({"enabled": false, "accept_notices": copilot}),
            "modified",
            "not_given",
            false,
        ),
        ("copilot", json!({"enabled": true}), "given", "given", true),
        (
            "copilot",
            json!({"enabled": false}),
            "withdrawn",
            "withdrawn",
            false,
        ),
        (
            "marketing",
            json!({"enabled": true, "accept_notices": marketing, "contact_allowed": true}),
            "given",
            "given",
            true,
        ),
        (
            "marketing",
            json!({"enabled": true, "contact_allowed": false}),
            "modified",
            "given",
            true,
        ),
        (
            "marketing",
            json!({"enabled": false}),
            "withdrawn",
            "withdrawn",
            false,
        ),
    ];
    for (version, (program, body, kind, status, enabled)) in steps.into_iter().enumerate() {
        let answer = server
            .change(
                "contoso",
                program,
                &admin,
                Some(&format!("\"{version}\"")),
                body.clone(),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{program} {body}: {}",
            answer.body
        );
        // Readers may read receipts too.
        let receipt = newest_receipt(&server, "contoso", &reader).await;
        let case = format!("{program} {body}");
        assert_eq!(receipt["schema_version"], "1.0", "{case}");
        assert_eq!(receipt["record_id"], format!("contoso/{program}"), "{case}");
        assert_eq!(
            receipt["principal"],
            json!({"id": "contoso", "name": "Contoso", "region": "US"}),
            "{case}"
        );
        assert_eq!(
            receipt["actor"],
            json!({"id": "contoso-admin", "name": "Ada Admin", "roles": ["admin"]}),
            "{case}"
        );
        assert_eq!(receipt["program"], program, "{case}");
        assert_eq!(receipt["event"]["type"], kind, "{case}");
        assert_eq!(receipt["event"]["time"], common::START, "{case}");
        assert_eq!(receipt["issued_at"], common::START, "{case}");
        assert_eq!(receipt["state_after"]["status"], status, "{case}");
        assert_eq!(receipt["state_after"]["enabled"], enabled, "{case}");
        assert_eq!(
            receipt["state_after"]["pending_deletion"].is_object(),
            status == "withdrawn",
            "{case}"
        );
        assert_eq!(receipt["jurisdiction"], "US", "{case}");
        assert!(
            receipt["withdrawal_method"]
                .as_str()
                .unwrap()
                .contains("30 days"),
            "{case}"
        );
        assert!(
            !receipt["purposes"].as_array().unwrap().is_empty(),
            "{case}"
        );
        assert!(
            !receipt["recipients"].as_array().unwrap().is_empty(),
            "{case}"
        );

        let current = if program == "copilot" {
            &copilot
        } else {
            &marketing
        };
        let notices = receipt["notices"].as_array().unwrap();
        assert_eq!(notices.len(), current.as_array().unwrap().len(), "{case}");
        for (notice, reference) in notices.iter().zip(current.as_array().unwrap()) {
            for key in ["id", "version", "sha256"] {
                assert_eq!(notice[key], reference[key], "{case}");
            }
            assert_eq!(notice["language"], "en", "{case}");
            assert!(!notice["title"].as_str().unwrap().is_empty(), "{case}");
        }

        let (categories, locations, periods): (&[&str], &[&str], &[&str]) = if program == "copilot"
        {
            (
                &["prompts", "outputs", "telemetry"],
                &["The tenant's geography (US)"],
                &["P30D", "P30D", "P30D"],
            )
        } else {
            (
                &["marketing_data", "query_data", "data_schema"],
                &["The tenant's geography (US)", "United States"],
                &["P30D", "P30D", "P12M"],
            )
        };
        let got: Vec<&str> = receipt["data_categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(got, categories, "{case}");
        assert_eq!(receipt["storage_locations"], json!(locations), "{case}");
        let got: Vec<&str> = receipt["retention"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["period"].as_str().unwrap())
            .collect();
        assert_eq!(got, periods, "{case}");
    }
}

// Guards receipt lookups that must find nothing: unknown, malformed, and another tenant's.
#[tokio::test]
async fn unknown_and_foreign_receipts_are_not_found() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let notices = server.current_notices("contoso", "copilot", &admin).await;
    let answer = server
        .change(
            "contoso",
            "copilot",
            &admin,
            Some("\"0\""),
            json!({"enabled": true, "accept_notices": notices}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let receipt = newest_receipt(&server, "contoso", &admin).await;
    let id = receipt["receipt_id"].as_str().unwrap();

    let fabrikam = server.token("fabrikam", "admin").await;
    let long = "a".repeat(65);
    let cases = [
        (
            format!("/api/v1/tenants/contoso/receipts/{}", "0".repeat(36)),
            &admin,
        ),
        (format!("/api/v1/tenants/contoso/receipts/{long}"), &admin),
        (
            "/api/v1/tenants/contoso/receipts/not%20a%20receipt".to_owned(),
            &admin,
        ),
        (format!("/api/v1/tenants/fabrikam/receipts/{id}"), &fabrikam),
        (format!("/api/v1/tenants/contoso/receipts/{id}"), &fabrikam),
    ];
    for (path, token) in cases {
        let answer = server.get(&path, token).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.problem_code(), "not_found", "{path}");
    }
}

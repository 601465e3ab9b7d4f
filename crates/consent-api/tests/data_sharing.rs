//! Reading and changing a tenant's data-sharing settings.

mod common;

use chrono::Duration;
use common::{at, program_view, TestServer, START};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

// Guards the document shape for a US tenant (Copilot eligible) and an EU
// tenant (Copilot ineligible, with its reason code).
#[tokio::test]
async fn document_shape_per_region() {
    let server = TestServer::start().await;
    let cases = [
        ("contoso", "Contoso", "US", true),
        ("fabrikam", "Fabrikam", "EU", false),
    ];
    for (tenant, name, region, copilot_eligible) in cases {
        let token = server.token(tenant, "admin").await;
        let (document, etag) = server.document(tenant, &token).await;
        assert_eq!(
            document["tenant"],
            json!({"id": tenant, "name": name, "region": region})
        );
        assert_eq!(document["version"], 0);
        assert_eq!(
            etag, "\"0-2.1.1\"",
            "the version, then copilot-data-sharing 2, marketing-human-review 1, marketing-nda 1"
        );
        assert_eq!(document["can_edit"], true);
        let ids: Vec<&str> = document["programs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["copilot", "marketing"]);

        let copilot = program_view(&document, "copilot");
        assert_eq!(copilot["enabled"], false, "{tenant}");
        assert_eq!(copilot["eligible"], copilot_eligible, "{tenant}");
        let reason = if copilot_eligible {
            Value::Null
        } else {
            json!("region_not_supported")
        };
        assert_eq!(copilot["ineligible_reason"], reason, "{tenant}");
        assert!(
            copilot.get("contact_allowed").is_none(),
            "copilot has no contact preference"
        );
        assert_eq!(copilot["notices"].as_array().unwrap().len(), 1);
        assert_eq!(copilot["notices"][0]["id"], "copilot-data-sharing");
        assert_eq!(
            copilot["notices"][0]["version"], 2,
            "the highest version is current"
        );
        assert_eq!(copilot["accepted_notices"], json!([]));
        assert_eq!(copilot["reconsent_required"], false);
        assert_eq!(copilot["updated_at"], Value::Null);
        assert!(copilot.get("pending_deletion").is_none());

        let marketing = program_view(&document, "marketing");
        assert_eq!(marketing["eligible"], true, "{tenant}");
        assert_eq!(marketing["contact_allowed"], false);
        let notice_ids: Vec<&str> = marketing["notices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        assert_eq!(notice_ids, ["marketing-human-review", "marketing-nda"]);
    }
}

// Guards the main path: an admin opts in to Copilot accepting its notice;
// the answer is the new document with a new ETag, a later GET agrees, and
// one event with its receipt is recorded.
#[tokio::test]
async fn copilot_opt_in_is_stored_with_one_event() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let notices = server.current_notices("contoso", "copilot", &admin).await;
    let (_, etag) = server.document("contoso", &admin).await;

    let answer = server
        .change(
            "contoso",
            "copilot",
            &admin,
            Some(&etag),
            json!({"enabled": true, "accept_notices": notices}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.header("etag"), Some("\"1-2.1.1\""));
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(answer.body["version"], 1);
    let copilot = program_view(&answer.body, "copilot");
    assert_eq!(copilot["enabled"], true);
    assert_eq!(copilot["accepted_notices"], notices);
    assert_eq!(
        copilot["updated_by"],
        json!({"id": "contoso-admin", "name": "Ada Admin"})
    );
    assert_eq!(copilot["updated_at"], START);

    let (document, etag) = server.document("contoso", &admin).await;
    assert_eq!(etag, "\"1-2.1.1\"");
    assert_eq!(document, answer.body);
    assert_eq!(server.event_count("contoso").await, 1);

    // The event and its receipt, as stored.
    let db = server.sql().await;
    let (action, actor, receipt_id): (String, String, String) = sqlx::query_as(
        "SELECT action, actor, receipt_id FROM consent_events WHERE tenant_id = 'contoso'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(action, "opted_in");
    let actor: Value = serde_json::from_str(&actor).unwrap();
    assert_eq!(
        actor,
        json!({"id": "contoso-admin", "name": "Ada Admin", "roles": ["admin"]})
    );
    let receipt: String = sqlx::query_scalar("SELECT body FROM consent_receipts WHERE id = $1")
        .bind(&receipt_id)
        .fetch_one(&db)
        .await
        .unwrap();
    let receipt: Value = serde_json::from_str(&receipt).unwrap();
    assert_eq!(receipt["event"]["action"], "opted_in");
    assert_eq!(receipt["notices"][0]["id"], notices[0]["id"]);
    assert_eq!(receipt["notices"][0]["sha256"], notices[0]["sha256"]);
}

// Guards the deletion clock: an opt-out shows data deleted by opt-out + 30
// days, until that moment passes.
#[tokio::test]
async fn opt_out_starts_the_thirty_day_deletion_clock() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let notices = server.current_notices("contoso", "copilot", &admin).await;
    let opted_in = server
        .change(
            "contoso",
            "copilot",
            &admin,
            Some("\"0\""),
            json!({"enabled": true, "accept_notices": notices}),
        )
        .await;
    assert_eq!(opted_in.status, StatusCode::OK);

    server.clock.advance(Duration::days(3));
    let opted_out_at = server.clock.now();
    let answer = server
        .change(
            "contoso",
            "copilot",
            &admin,
            Some("\"1\""),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let copilot = program_view(&answer.body, "copilot");
    assert_eq!(copilot["enabled"], false);
    let deletion = &copilot["pending_deletion"];
    assert_eq!(at(deletion["requested_at"].as_str().unwrap()), opted_out_at);
    assert_eq!(
        at(deletion["due_by"].as_str().unwrap()),
        opted_out_at + Duration::days(30)
    );
    assert_eq!(
        at(deletion["due_by"].as_str().unwrap()),
        at("2026-12-24T09:30:00Z")
    );
    assert_eq!(server.event_count("contoso").await, 2);

    server
        .clock
        .advance(Duration::days(30) - Duration::seconds(1));
    let (document, _) = server.document("contoso", &admin).await;
    assert!(
        program_view(&document, "copilot")
            .get("pending_deletion")
            .is_some(),
        "still pending a second before"
    );
    server.clock.advance(Duration::seconds(1));
    let (document, _) = server.document("contoso", &admin).await;
    assert!(
        program_view(&document, "copilot")
            .get("pending_deletion")
            .is_none(),
        "gone at the deadline"
    );
}

// Guards optimistic concurrency: no If-Match is 428; a stale one is 412 with
// the current document; neither stores anything.
#[tokio::test]
async fn changes_need_the_current_version() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let body = json!({"enabled": false, "accept_notices": server.current_notices("contoso", "copilot", &admin).await});

    let missing = server
        .change("contoso", "copilot", &admin, None, body.clone())
        .await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(missing.problem_code(), "precondition_required");

    let accepted = server
        .change("contoso", "copilot", &admin, Some("\"0\""), body.clone())
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.body["version"], 1);

    for stale in ["\"0\"", "\"7\"", "*", "W/\"0\"", "nonsense"] {
        let answer = server
            .change(
                "contoso",
                "copilot",
                &admin,
                Some(stale),
                json!({"enabled": false}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::PRECONDITION_FAILED, "{stale}");
        assert_eq!(answer.problem_code(), "stale_version", "{stale}");
        assert_eq!(
            answer.body["current"], accepted.body,
            "{stale}: the current document comes along"
        );
    }
    assert_eq!(server.event_count("contoso").await, 1);
}

// Guards the If-Match forms that name a version (the issued tag, its weak
// form, a bare number), and that every other value is stale, not an error.
#[tokio::test]
async fn if_match_names_a_version_in_the_documented_forms_only() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    // The document is at version 0; an unchanged program answers 200 at it.
    let cases = [
        ("\"0\"", StatusCode::OK),
        ("W/\"0\"", StatusCode::OK),
        ("0", StatusCode::OK),
        ("\"000\"", StatusCode::OK),
        ("\"0-2.1.1\"", StatusCode::OK),
        ("W/\"0-2.1.1\"", StatusCode::OK),
        // Tagged before a notice was published: the version still matches,
        // and the consent rules check the notices a change accepts.
        ("\"0-1.1.1\"", StatusCode::OK),
        ("\"1-2.1.1\"", StatusCode::PRECONDITION_FAILED),
        ("\"0-2.x\"", StatusCode::PRECONDITION_FAILED),
        ("", StatusCode::PRECONDITION_FAILED),
        ("*", StatusCode::PRECONDITION_FAILED),
        ("\"0", StatusCode::PRECONDITION_FAILED),
        ("\"\"0\"\"", StatusCode::PRECONDITION_FAILED),
        ("+0", StatusCode::PRECONDITION_FAILED),
        ("-0", StatusCode::PRECONDITION_FAILED),
        ("\"0\", \"1\"", StatusCode::PRECONDITION_FAILED),
        ("w/\"0\"", StatusCode::PRECONDITION_FAILED),
    ];
    for (if_match, status) in cases {
        let answer = server
            .change(
                "contoso",
                "copilot",
                &admin,
                Some(if_match),
                json!({"enabled": false}),
            )
            .await;
        assert_eq!(answer.status, status, "{if_match:?}: {}", answer.body);
        if status == StatusCode::OK {
            assert_eq!(answer.header("etag"), Some("\"0-2.1.1\""), "{if_match:?}");
        } else {
            assert_eq!(answer.problem_code(), "stale_version", "{if_match:?}");
            assert_eq!(answer.body["current"]["version"], 0, "{if_match:?}");
        }
    }
    assert_eq!(server.event_count("contoso").await, 0);
}

// Guards accepted notice versions: any whole JSON number reads as the
// integer (`2.0` is `2` to JSON), anything else is 422 naming the field.
#[tokio::test]
async fn notice_versions_may_be_written_as_whole_floats() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let current = server.current_notices("contoso", "copilot", &admin).await;
    let version = current[0]["version"].as_u64().unwrap();
    let with_version = |version: Value| {
        let mut notices = current.clone();
        notices[0]["version"] = version;
        json!({"enabled": true, "accept_notices": notices})
    };
    let refused = [
        json!(version as f64 + 0.5),
        json!(4_294_967_296.0),
        json!(-1.0),
        json!(version.to_string()),
    ];
    for bad in refused {
        let answer = server
            .change(
                "contoso",
                "copilot",
                &admin,
                Some("\"0\""),
                with_version(bad.clone()),
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(answer.problem_code(), "invalid_body", "{bad}");
        assert_eq!(answer.body["field"], "accept_notices[0].version", "{bad}");
    }
    assert_eq!(server.event_count("contoso").await, 0);

    let answer = server
        .change(
            "contoso",
            "copilot",
            &admin,
            Some("\"0\""),
            with_version(json!(version as f64)),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let accepted = &program_view(&answer.body, "copilot")["accepted_notices"];
    assert_eq!(
        accepted, &current,
        "stored and shown as the integer version"
    );
    assert!(accepted[0]["version"].is_u64());
    assert_eq!(server.event_count("contoso").await, 1);
}

// Guards the region rule: Copilot cannot be turned on for an EU tenant, and
// the refusal stores nothing.
#[tokio::test]
async fn copilot_outside_the_us_is_refused_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let admin = server.token("fabrikam", "admin").await;
    let notices = server.current_notices("fabrikam", "copilot", &admin).await;
    let (before, etag) = server.document("fabrikam", &admin).await;

    let answer = server
        .change(
            "fabrikam",
            "copilot",
            &admin,
            Some(&etag),
            json!({"enabled": true, "accept_notices": notices}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.problem_code(), "region_ineligible");

    let (after, etag_after) = server.document("fabrikam", &admin).await;
    assert_eq!(etag_after, etag);
    assert_eq!(after, before);
    assert_eq!(server.event_count("fabrikam").await, 0);
}

// Guards notice acceptance: turning a program on needs every current notice
// accepted with its published version and hash.
#[tokio::test]
async fn opt_in_needs_current_notices_accepted() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let copilot = server.current_notices("contoso", "copilot", &admin).await;
    let marketing = server.current_notices("contoso", "marketing", &admin).await;
    let with = |notice: &Value, key: &str, value: Value| {
        let mut n = notice.clone();
        n[key] = value;
        n
    };
    let cases = [
        (
            "copilot",
            json!([]),
            "notice_not_accepted",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "copilot",
            json!([with(&copilot[0], "sha256", json!("0".repeat(64)))]),
            "notice_not_accepted",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "copilot",
            json!([with(&copilot[0], "version", json!(1))]),
            "notice_not_accepted",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "copilot",
            json!([with(&copilot[0], "id", json!("marketing-nda"))]),
            "not_found",
            StatusCode::NOT_FOUND,
        ),
        (
            "marketing",
            json!([marketing[0].clone()]),
            "notice_not_accepted",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (program, accept, code, status) in cases {
        let answer = server
            .change(
                "contoso",
                program,
                &admin,
                Some("\"0\""),
                json!({"enabled": true, "accept_notices": accept}),
            )
            .await;
        assert_eq!(answer.status, status, "{program} {accept}");
        assert_eq!(answer.problem_code(), code, "{program} {accept}");
    }
    assert_eq!(server.event_count("contoso").await, 0);

    let answer = server
        .change(
            "contoso",
            "marketing",
            &admin,
            Some("\"0\""),
            json!({"enabled": true, "accept_notices": marketing}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        program_view(&answer.body, "marketing")["contact_allowed"],
        true,
        "opting in allows contact by default"
    );
}

// Guards the contact preference: marketing only, changed while on, recorded
// as its own event; a request that changes nothing stores nothing.
#[tokio::test]
async fn contact_preference_and_no_op_changes() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let notices = server.current_notices("contoso", "marketing", &admin).await;

    let noop = server
        .change(
            "contoso",
            "marketing",
            &admin,
            Some("\"0\""),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(noop.status, StatusCode::OK);
    assert_eq!(noop.header("etag"), Some("\"0-2.1.1\""));
    assert_eq!(server.event_count("contoso").await, 0);

    let copilot_contact = server
        .change(
            "contoso",
            "copilot",
            &admin,
            Some("\"0\""),
            json!({"enabled": false, "contact_allowed": true}),
        )
        .await;
    assert_eq!(copilot_contact.problem_code(), "contact_not_applicable");

    let on = server
        .change(
            "contoso",
            "marketing",
            &admin,
            Some("\"0\""),
            json!({"enabled": true, "accept_notices": notices, "contact_allowed": true}),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    let off_contact = server
        .change(
            "contoso",
            "marketing",
            &admin,
            Some("\"1\""),
            json!({"enabled": true, "contact_allowed": false}),
        )
        .await;
    assert_eq!(off_contact.status, StatusCode::OK, "{}", off_contact.body);
    assert_eq!(
        program_view(&off_contact.body, "marketing")["contact_allowed"],
        false
    );
    assert_eq!(off_contact.body["version"], 2);
    assert_eq!(server.event_count("contoso").await, 2);
}

// Guards body errors: each is 422 invalid_body naming the field, or 415 for
// a body that is not declared JSON; never axum's plain text.
#[tokio::test]
async fn malformed_bodies_are_invalid_body_problems() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let auth = format!("Bearer {admin}");
    let path = "/api/v1/tenants/contoso/data-sharing/copilot";
    let cases: [(&str, &str, StatusCode, Option<&str>); 8] = [
        (
            r#"{"enabled": true, "admin": true}"#,
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("admin"),
        ),
        (
            r#"{"enabled": "yes"}"#,
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("enabled"),
        ),
        (
            r#"{}"#,
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("enabled"),
        ),
        (
            r#"{"enabled": true, "accept_notices": [{"id": "x", "version": "2", "sha256": "h"}]}"#,
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("accept_notices[0].version"),
        ),
        (
            "enabled=true",
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        ),
        (
            "",
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        ),
        (
            r#"{"enabled": true} {}"#,
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        ),
        (
            r#"{"enabled": true}"#,
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
        ),
    ];
    for (body, content_type, status, field) in cases {
        let response = server
            .client
            .put(server.url(path))
            .header("authorization", &auth)
            .header("if-match", "\"0\"")
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let answer = common::answer(response).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        assert_eq!(answer.problem_code(), "invalid_body", "{body}");
        assert_eq!(
            answer.body["field"].as_str(),
            field,
            "{body}: {}",
            answer.body
        );
        assert!(
            !answer.body["detail"].as_str().unwrap().contains("line 1"),
            "{}",
            answer.body
        );
    }
    assert_eq!(server.event_count("contoso").await, 0);
}

// Guards the body limit: over 64 KiB is 413 payload_too_large as problem+json.
#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let padding = "x".repeat(65 * 1024);
    let answer = server
        .change(
            "contoso",
            "copilot",
            &admin,
            Some("\"0\""),
            json!({"enabled": false, "padding": padding}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.problem_code(), "payload_too_large");
}

// Guards retries: the same Idempotency-Key and body returns the first answer
// without a second change; the same key with another body is refused.
#[tokio::test]
async fn idempotent_retries_change_once() {
    let server = TestServer::start().await;
    let admin = server.token("contoso", "admin").await;
    let auth = format!("Bearer {admin}");
    let notices = server.current_notices("contoso", "copilot", &admin).await;
    let path = "/api/v1/tenants/contoso/data-sharing/copilot";
    let body = json!({"enabled": true, "accept_notices": notices});
    let headers = [
        ("authorization", auth.as_str()),
        ("if-match", "\"0\""),
        ("idempotency-key", "retry-1"),
    ];

    let first = server
        .call(Method::PUT, path, &headers, Some(body.clone()))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    server.clock.advance(Duration::minutes(1));
    let second = server
        .call(Method::PUT, path, &headers, Some(body.clone()))
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("etag"), Some("\"1-2.1.1\""));
    assert_eq!(server.event_count("contoso").await, 1);

    let reused = server
        .call(Method::PUT, path, &headers, Some(json!({"enabled": false})))
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.problem_code(), "idempotency_key_reused");

    let bad_key = [
        ("authorization", auth.as_str()),
        ("if-match", "\"1\""),
        ("idempotency-key", "has space"),
    ];
    let answer = server
        .call(Method::PUT, path, &bad_key, Some(json!({"enabled": false})))
        .await;
    assert_eq!(answer.problem_code(), "invalid_body");
    assert_eq!(server.event_count("contoso").await, 1);
}

// Guards against lost updates: of twenty concurrent changes made against the
// same version, exactly one is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_changes_store_exactly_one() {
    let server = std::sync::Arc::new(TestServer::start().await);
    let admin = server.token("contoso", "admin").await;
    let notices = server.current_notices("contoso", "copilot", &admin).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let server = server.clone();
        let admin = admin.clone();
        // Alternate bodies so each request is a real change from version 0.
        let body = if i % 2 == 0 {
            json!({"enabled": true, "accept_notices": notices})
        } else {
            json!({"enabled": false, "accept_notices": notices})
        };
        tasks.push(tokio::spawn(async move {
            server
                .change("contoso", "copilot", &admin, Some("\"0\""), body)
                .await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        match answer.status {
            StatusCode::OK => ok += 1,
            StatusCode::PRECONDITION_FAILED => assert_eq!(answer.problem_code(), "stale_version"),
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(server.event_count("contoso").await, 1);
    let (document, _) = server.document("contoso", &admin).await;
    assert_eq!(document["version"], 1);
}

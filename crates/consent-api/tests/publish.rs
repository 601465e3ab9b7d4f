//! Publishing a notice version while the server runs (development mode only)
//! and listing a notice's versions.

mod common;

use common::TestServer;
use consent_core::{NoticeDocument, NoticeVersionSummary};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn publish(server: &TestServer, document: Value) -> common::Answer {
    server
        .call(Method::POST, "/api/v1/dev/notices", &[], Some(document))
        .await
}

async fn versions(server: &TestServer, id: &str) -> Vec<NoticeVersionSummary> {
    let answer = server
        .call(
            Method::GET,
            &format!("/api/v1/notices/{id}/versions"),
            &[],
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    serde_json::from_value(answer.body).unwrap()
}

/// The current NDA, turned into a version 2 with new words and no hash.
async fn nda_version_two(server: &TestServer) -> NoticeDocument {
    let answer = server
        .call(Method::GET, "/api/v1/notices/marketing-nda", &[], None)
        .await;
    let mut document: NoticeDocument = serde_json::from_value(answer.body).unwrap();
    document.version = 2;
    document.sha256.clear();
    document.material_change = true;
    document.change_summary = Some("Longer duties.".into());
    document.title = "NDA, second edition".into();
    document
}

/// A stored notice row's hash, read straight from the server's database.
async fn stored_hash(server: &TestServer, id: &str, version: i64) -> Option<String> {
    let pool = server.sql().await;
    let hash = sqlx::query_scalar("SELECT sha256 FROM notices WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .fetch_optional(&pool)
        .await
        .unwrap();
    pool.close().await;
    hash
}

// Guards the versions list: every version, oldest first, with what the rules
// and a reader need, and 404 for a notice that does not exist.
#[tokio::test]
async fn versions_are_listed_oldest_first() {
    let server = TestServer::start().await;
    let listed = versions(&server, "copilot-data-sharing").await;
    let summary: Vec<(u32, bool, Option<&str>)> = listed
        .iter()
        .map(|v| (v.version, v.material_change, v.change_summary.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [(1, true, None), (2, false, Some("A typo fix."))],
        "{listed:?}"
    );
    for summary in &listed {
        let answer = server
            .call(
                Method::GET,
                &format!(
                    "/api/v1/notices/copilot-data-sharing/versions/{}",
                    summary.version
                ),
                &[],
                None,
            )
            .await;
        let document: NoticeDocument = serde_json::from_value(answer.body).unwrap();
        assert_eq!(&document.summary(), summary);
    }
    let missing = server
        .call(Method::GET, "/api/v1/notices/nothing/versions", &[], None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.problem_code(), "not_found");
}

// Guards runtime publishing: the hash is computed, the version is stored and
// served at once (current, by version, in the list), and publishing the same
// words again is harmless.
#[tokio::test]
async fn a_published_version_is_stored_and_served_at_once() {
    let server = TestServer::start().await;
    let document = nda_version_two(&server).await;
    let expected = document.canonical_sha256();

    let answer = publish(&server, serde_json::to_value(&document).unwrap()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({"id": "marketing-nda", "version": 2, "sha256": expected})
    );
    assert_eq!(
        stored_hash(&server, "marketing-nda", 2).await.as_deref(),
        Some(expected.as_str())
    );

    let current = server
        .call(Method::GET, "/api/v1/notices/marketing-nda", &[], None)
        .await;
    assert_eq!(current.body["version"], 2);
    assert_eq!(current.body["title"], "NDA, second edition");
    let listed = versions(&server, "marketing-nda").await;
    assert_eq!(listed.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
    let admin = server.token("contoso", "admin").await;
    let notices = server.current_notices("contoso", "marketing", &admin).await;
    assert_eq!(notices[1], answer.body, "the programs use it at once");

    let mut with_hash = document.clone();
    with_hash.sha256 = expected.clone();
    let again = publish(&server, serde_json::to_value(&with_hash).unwrap()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, answer.body);
    assert_eq!(versions(&server, "marketing-nda").await.len(), 2);
}

// Guards what cannot be published: each is refused naming the field, and
// nothing is stored or served.
#[tokio::test]
async fn bad_versions_are_refused_and_nothing_is_published() {
    let server = TestServer::start().await;
    let good = nda_version_two(&server).await;
    let mut other_words = good.clone();
    other_words.version = 1;
    other_words.title = "Not the published version 1".into();
    let mut wrong_hash = good.clone();
    wrong_hash.sha256 = "0".repeat(64);
    let mut bad_link = good.clone();
    bad_link.sections[0].blocks = vec![serde_json::from_value(
        json!({"type": "paragraph", "runs": [{"text": "x", "link": "javascript:alert(1)"}]}),
    )
    .unwrap()];
    let mut untranslated = good.clone();
    untranslated.version = 3;
    untranslated.language = "de".into();
    let mut bad_id = good.clone();
    bad_id.id = "Bad Id".into();
    let mut no_version = good.clone();
    no_version.version = 0;

    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "another text under a published version",
            serde_json::to_value(&other_words).unwrap(),
            "version",
        ),
        (
            "a hash that does not match",
            serde_json::to_value(&wrong_hash).unwrap(),
            "sha256",
        ),
        (
            "a link that is neither https nor an app route",
            serde_json::to_value(&bad_link).unwrap(),
            "sections",
        ),
        (
            "a translation of a version without English text",
            serde_json::to_value(&untranslated).unwrap(),
            "language",
        ),
        ("a bad id", serde_json::to_value(&bad_id).unwrap(), "id"),
        (
            "version 0",
            serde_json::to_value(&no_version).unwrap(),
            "version",
        ),
        (
            "an unknown field",
            {
                let mut v = serde_json::to_value(&good).unwrap();
                v["html"] = json!("<b>no</b>");
                v
            },
            "html",
        ),
    ];
    for (case, body, field) in cases {
        let answer = publish(&server, body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{case}");
        assert_eq!(answer.problem_code(), "invalid_body", "{case}");
        assert_eq!(answer.body["field"], field, "{case}: {}", answer.body);
    }
    assert_eq!(
        versions(&server, "marketing-nda")
            .await
            .iter()
            .map(|v| v.version)
            .collect::<Vec<_>>(),
        [1]
    );
    for version in [2, 3] {
        assert_eq!(stored_hash(&server, "marketing-nda", version).await, None);
    }
    assert!(stored_hash(&server, "marketing-nda", 1).await.is_some());
}

// Guards that publishing at runtime exists only in development mode.
#[tokio::test]
async fn publishing_is_refused_outside_dev_mode() {
    let server = TestServer::start_with(|c| {
        common::production(c, Some("a-production-signing-key-of-at-least-32-bytes"))
    })
    .await
    .unwrap();
    let document = nda_version_two(&server).await;
    let answer = publish(&server, serde_json::to_value(&document).unwrap()).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.problem_code(), "dev_mode_only");
    assert_eq!(versions(&server, "marketing-nda").await.len(), 1);
    assert_eq!(stored_hash(&server, "marketing-nda", 2).await, None);
}

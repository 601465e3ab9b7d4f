//! Re-consent: a new notice version published by the operator (a new file
//! and a restart, or at runtime in development mode) asks tenants who
//! accepted an older version to accept again only when it changed materially.

mod common;

use std::path::Path;

use common::{fixture_content, program_view, TestDatabase, TestServer};
use consent_core::NoticeDocument;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A version 2 of the Marketing engagement notice: `material` or `typo`.
fn version_two(kind: &str) -> NoticeDocument {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reconsent")
        .join(kind)
        .join("marketing-human-review/2.en.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Copies every file under `from` into `to`, keeping the folders.
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Contoso's admin opts in to Marketing, accepting the current notice and NDA.
async fn opt_in_to_marketing(server: &TestServer, admin: &str) -> Value {
    let notices = server.current_notices("contoso", "marketing", admin).await;
    server.opt_in("contoso", "marketing", admin).await;
    notices
}

/// The Marketing program as contoso's admin sees it now.
async fn marketing(server: &TestServer, admin: &str) -> Value {
    let (document, _) = server.document("contoso", admin).await;
    program_view(&document, "marketing").clone()
}

// Guards the operator's way of publishing: a new file and a restart. A
// material version 2 asks again; a typo fix does not; re-accepting clears it.
#[tokio::test]
async fn a_new_file_asks_again_only_when_it_changed_materially() {
    for (kind, asks_again) in [("material", true), ("typo", false)] {
        // One database and one content folder across the restart, as in production.
        let database = TestDatabase::fresh().await;
        let content = tempfile::tempdir().unwrap();
        copy_tree(&fixture_content(), content.path());
        let configure = |c: &mut consent_api::Config| {
            c.database_url = Some(database.url.clone());
            c.content_dir = content.path().to_owned();
        };

        let server = TestServer::start_with(configure).await.unwrap();
        let admin = server.token("contoso", "admin").await;
        let accepted = opt_in_to_marketing(&server, &admin).await;
        drop(server);

        // The operator adds version 2 and restarts the server.
        copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/reconsent")
                .join(kind),
            content.path(),
        );
        let server = TestServer::start_with(configure).await.unwrap();
        let admin = server.token("contoso", "admin").await;
        let view = marketing(&server, &admin).await;
        assert_eq!(view["enabled"], true, "{kind}: the choice stays on");
        assert_eq!(view["accepted_notices"], accepted, "{kind}");
        assert_eq!(view["notices"][0]["version"], 2, "{kind}");
        assert_eq!(view["reconsent_required"], asks_again, "{kind}");
        let (document, _) = server.document("contoso", &admin).await;
        assert_eq!(
            program_view(&document, "copilot")["reconsent_required"],
            false,
            "{kind}: another program's notices are not concerned"
        );

        if asks_again {
            let events = server.event_count("contoso").await;
            let (_, etag) = server.document("contoso", &admin).await;
            let answer = server
                .change(
                    "contoso",
                    "marketing",
                    &admin,
                    Some(&etag),
                    json!({"enabled": true, "accept_notices": view["notices"]}),
                )
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
            let after = program_view(&answer.body, "marketing");
            assert_eq!(after["reconsent_required"], false);
            assert_eq!(after["accepted_notices"], view["notices"]);
            assert_eq!(server.event_count("contoso").await, events + 1);
            let history = server
                .get("/api/v1/tenants/contoso/data-sharing/history", &admin)
                .await;
            assert_eq!(history.body["events"][0]["action"], "notices_accepted");
        }
    }
}

// Guards publishing at runtime (development mode): the same rules apply at
// once, without a restart, and accepting the new version clears the request.
#[tokio::test]
async fn a_version_published_at_runtime_asks_again_only_when_material() {
    for (kind, asks_again) in [("material", true), ("typo", false)] {
        let server = TestServer::start().await;
        let admin = server.token("contoso", "admin").await;
        opt_in_to_marketing(&server, &admin).await;
        assert_eq!(
            marketing(&server, &admin).await["reconsent_required"],
            false
        );

        let mut document = version_two(kind);
        document.sha256.clear();
        let published = server
            .call(
                Method::POST,
                "/api/v1/dev/notices",
                &[],
                Some(serde_json::to_value(&document).unwrap()),
            )
            .await;
        assert_eq!(published.status, StatusCode::CREATED, "{}", published.body);
        assert_eq!(
            published.body["sha256"],
            version_two(kind).sha256,
            "{kind}: the server computes the same hash as the operator"
        );

        let view = marketing(&server, &admin).await;
        assert_eq!(view["notices"][0], published.body, "{kind}");
        assert_eq!(view["reconsent_required"], asks_again, "{kind}");
        assert_eq!(view["enabled"], true, "{kind}");

        let (_, etag) = server.document("contoso", &admin).await;
        let accept = server
            .change(
                "contoso",
                "marketing",
                &admin,
                Some(&etag),
                json!({"enabled": true, "accept_notices": [published.body]}),
            )
            .await;
        assert_eq!(accept.status, StatusCode::OK, "{}", accept.body);
        assert_eq!(
            program_view(&accept.body, "marketing")["reconsent_required"],
            false,
            "{kind}"
        );
    }
}

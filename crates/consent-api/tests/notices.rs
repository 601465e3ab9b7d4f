//! The published notices: the list, the current version and older versions.

mod common;

use common::TestServer;
use consent_core::NoticeDocument;
use reqwest::{Method, StatusCode};

// Guards the notice list: one entry per notice, at its current version, with its hash.
#[tokio::test]
async fn notices_are_listed_at_their_current_version() {
    let server = TestServer::start().await;
    let answer = server.call(Method::GET, "/api/v1/notices", &[], None).await;
    assert_eq!(answer.status, StatusCode::OK);
    let list = answer.body.as_array().unwrap();
    let entries: Vec<(&str, u64)> = list
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n["version"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        entries,
        [
            ("copilot-data-sharing", 2),
            ("copilot-faq", 1),
            ("marketing-human-review", 1),
            ("marketing-nda", 1)
        ]
    );
    for entry in list {
        // Sorted: key order is not part of JSON, and a build may keep insertion order.
        let mut keys: Vec<&String> = entry.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "effective_date",
                "id",
                "language",
                "languages",
                "sha256",
                "title",
                "version"
            ],
            "{entry}"
        );
    }
}

// Guards the notice documents: the current one, older ones, and 404 for the rest.
#[tokio::test]
async fn notice_documents_by_id_and_version() {
    let server = TestServer::start().await;
    let cases = [
        ("/api/v1/notices/copilot-data-sharing", Some(2)),
        ("/api/v1/notices/copilot-data-sharing/versions/1", Some(1)),
        ("/api/v1/notices/copilot-data-sharing/versions/2", Some(2)),
        ("/api/v1/notices/marketing-nda", Some(1)),
        ("/api/v1/notices/copilot-data-sharing/versions/3", None),
        ("/api/v1/notices/copilot-data-sharing/versions/0", None),
        ("/api/v1/notices/no-such-notice", None),
        ("/api/v1/notices/no-such-notice/versions/1", None),
    ];
    for (path, version) in cases {
        let answer = server.call(Method::GET, path, &[], None).await;
        match version {
            Some(version) => {
                assert_eq!(answer.status, StatusCode::OK, "{path}");
                let document: NoticeDocument = serde_json::from_value(answer.body).unwrap();
                assert_eq!(document.version, version, "{path}");
                assert_eq!(
                    document.sha256,
                    document.canonical_sha256(),
                    "{path}: the hash proves the words"
                );
            }
            None => {
                assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
                assert_eq!(answer.problem_code(), "not_found", "{path}");
            }
        }
    }
}

//! What changed between two versions of a notice, word by word: what the
//! re-acceptance banner and the notice page show, and what an auditor reads.

mod common;

use common::TestServer;
use consent_core::notice::{Block, Run, Section};
use consent_core::NoticeDocument;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn get(server: &TestServer, path: &str, headers: &[(&str, &str)]) -> common::Answer {
    server.call(Method::GET, path, headers, None).await
}

fn text(run: &str) -> Run {
    Run {
        text: run.to_owned(),
        bold: false,
        link: None,
    }
}

fn section(id: &str, heading: &str, runs: Vec<Run>) -> Section {
    Section {
        id: id.to_owned(),
        heading: heading.to_owned(),
        blocks: vec![Block::Paragraph { runs }],
        search_terms: Vec::new(),
    }
}

/// Version 2 of the NDA in `language`, written here (the fixtures' version 1 is one line).
fn second_edition(language: &str) -> NoticeDocument {
    let bold = Run {
        bold: true,
        ..text("five (5) years after the engagement ends")
    };
    NoticeDocument {
        id: "marketing-nda".to_owned(),
        version: 2,
        sha256: String::new(),
        effective_date: "2026-12-01".parse().unwrap(),
        language: language.to_owned(),
        title: "Non-disclosure agreement".to_owned(),
        material_change: true,
        change_summary: None,
        sections: vec![
            section(
                "duration",
                "How long the duties last",
                vec![
                    text("Each party's duties continue for "),
                    bold,
                    text(". Trade secrets stay secret for as long as they are."),
                ],
            ),
            section(
                "no-licence",
                "No licence",
                vec![text("Sharing gives no licence.")],
            ),
            section(
                "remedies",
                "Remedies",
                vec![text("A court may order a stop.")],
            ),
        ],
    }
}

/// Version 3, made from version 2 by the edits every test here expects:
/// seven years instead of five, the licence section removed, the remedies
/// heading renamed and an audit section added at the end.
fn third_edition(language: &str) -> NoticeDocument {
    let mut v3 = second_edition(language);
    v3.version = 3;
    let Block::Paragraph { runs } = &mut v3.sections[0].blocks[0] else {
        unreachable!("written as a paragraph above")
    };
    runs[1].text = "seven (7) years after the engagement ends".to_owned();
    v3.sections.retain(|s| s.id != "no-licence");
    v3.sections[1].heading = "Remedies for a breach".to_owned();
    v3.sections.push(section(
        "audits",
        "Audits",
        vec![text("Either party may ask for proof of destruction.")],
    ));
    v3
}

async fn publish(server: &TestServer, document: &NoticeDocument) {
    let answer = server
        .call(
            Method::POST,
            "/api/v1/dev/notices",
            &[],
            Some(serde_json::to_value(document).unwrap()),
        )
        .await;
    assert!(answer.status.is_success(), "{}", answer.body);
}

fn words(section: &Value) -> Vec<(String, String)> {
    section["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["op"].as_str().unwrap().to_owned(),
                w["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(op: &str, text: &str) -> (String, String) {
    (op.to_owned(), text.to_owned())
}

// Guards the diff a person reads: each changed section once, in reading
// order, the reworded words marked as removed and added, the rest kept;
// cacheable for good, since published versions never change.
#[tokio::test]
async fn the_diff_names_each_changed_section_and_the_words() {
    let server = TestServer::start().await;
    publish(&server, &second_edition("en")).await;
    publish(&server, &third_edition("en")).await;

    let answer = get(
        &server,
        "/api/v1/notices/marketing-nda/diff?from=2&to=3",
        &[],
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.header("cache-control"),
        Some("public, max-age=86400, immutable")
    );
    assert_eq!(answer.header("content-language"), Some("en"));
    let diff = &answer.body;
    assert_eq!(
        (diff["from"].as_u64(), diff["to"].as_u64()),
        (Some(2), Some(3))
    );
    let published = get(&server, "/api/v1/notices/marketing-nda/versions/2", &[]).await;
    assert_eq!(diff["from_sha256"], published.body["sha256"]);
    let sections: Vec<(&str, &str)> = diff["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        sections,
        [
            ("duration", "changed"),
            ("no-licence", "removed"),
            ("remedies", "changed"),
            ("audits", "added"),
        ]
    );
    let duration = &diff["sections"][0];
    let changed: Vec<(String, String)> = words(duration)
        .into_iter()
        .filter(|(op, _)| op != "same")
        .collect();
    assert_eq!(
        changed,
        [pair("removed", "five (5)"), pair("added", "seven (7)")]
    );
    let all: String = words(duration)
        .into_iter()
        .filter(|(op, _)| op != "removed")
        .map(|(_, text)| text)
        .collect();
    assert_eq!(
        all,
        "Each party's duties continue for seven (7) years after the engagement ends. \
         Trade secrets stay secret for as long as they are."
    );

    let remedies = &diff["sections"][2];
    assert_eq!(remedies["heading"], "Remedies for a breach");
    assert_eq!(remedies["previous_heading"], "Remedies");
    assert!(words(remedies).iter().all(|(op, _)| op == "same"));
    assert_eq!(
        words(&diff["sections"][3]),
        [pair(
            "added",
            "Either party may ask for proof of destruction."
        )]
    );
    assert_eq!(
        words(&diff["sections"][1]),
        [pair("removed", "Sharing gives no licence.")]
    );

    // The same version twice differs in nothing.
    let same = get(
        &server,
        "/api/v1/notices/marketing-nda/diff?from=3&to=3",
        &[],
    )
    .await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(same.body["sections"], json!([]));
}

// Guards the language: the German wordings are compared when both versions
// are published in German, and the English ones (said so) when not.
#[tokio::test]
async fn the_diff_is_in_the_readers_language_when_both_versions_are() {
    let server = TestServer::start().await;
    for document in [
        second_edition("en"),
        third_edition("en"),
        second_edition("de"),
    ] {
        publish(&server, &document).await;
    }
    let german_asked = [("accept-language", "de-DE, de;q=0.9")];
    let path = "/api/v1/notices/marketing-nda/diff?from=2&to=3";

    let fallback = get(&server, path, &german_asked).await;
    assert_eq!(fallback.status, StatusCode::OK);
    assert_eq!(fallback.body["language"], "en");
    assert_eq!(fallback.header("content-language"), Some("en"));

    let mut german = third_edition("de");
    german.sections[0].blocks.push(Block::Paragraph {
        runs: vec![text("Neu in der dritten Fassung.")],
    });
    publish(&server, &german).await;
    let answer = get(&server, path, &german_asked).await;
    assert_eq!(answer.body["language"], "de");
    assert_eq!(answer.header("content-language"), Some("de"));
    assert_eq!(answer.header("vary"), Some("accept-language"));
    assert_eq!(
        words(&answer.body["sections"][0]).last().unwrap(),
        &pair("added", "\nNeu in der dritten Fassung.")
    );
}

// Guards every kind of bad request: the parameter is named, and an unknown
// notice or version is said to be one.
#[tokio::test]
async fn bad_diff_requests_are_refused_with_the_parameter_named() {
    let server = TestServer::start().await;
    let cases = [
        ("?from=1", "to"),
        ("?to=1", "from"),
        ("", "from"),
        ("?from=0&to=1", "from"),
        ("?from=1&to=-2", "to"),
        ("?from=one&to=1", "from"),
        ("?from=1.5&to=1", "from"),
        ("?from=1&to=99999999999", "to"),
        ("?from=1&from=1&to=1", "from"),
        ("?from=&to=1", "from"),
        ("?from=1&to=1&lang=de", "lang"),
    ];
    for (query, field) in cases {
        let answer = get(
            &server,
            &format!("/api/v1/notices/marketing-nda/diff{query}"),
            &[],
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(answer.problem_code(), "invalid_query", "{query}");
        assert_eq!(answer.body["field"], field, "{query}");
    }

    let unknown = get(
        &server,
        "/api/v1/notices/no-such-notice/diff?from=1&to=1",
        &[],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.problem_code(), "not_found");
    for query in ["?from=1&to=7", "?from=7&to=1"] {
        let answer = get(
            &server,
            &format!("/api/v1/notices/marketing-nda/diff{query}"),
            &[],
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{query}");
        assert!(
            answer.body["detail"]
                .as_str()
                .unwrap()
                .contains("version 7"),
            "{}",
            answer.body
        );
    }
}

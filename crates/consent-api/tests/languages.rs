//! Notices in several languages: which wording a reader is served, how
//! caches are told, and which wording a consent receipt records.
//!
//! These run on the project's own `content/` directory, which has every
//! notice in English (the reference) and German.

mod common;

use std::path::Path;

use common::{program_view, TestServer};
use consent_core::NoticeDocument;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A server on the shipped notices (English and German).
async fn server() -> TestServer {
    TestServer::start_with(|config| {
        config.content_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
    })
    .await
    .expect("the server starts on the shipped content")
}

/// The shipped file of `id` version 1 in `language`.
fn shipped(id: &str, language: &str) -> NoticeDocument {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../content/{id}/1.{language}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The current (highest) shipped version of a notice in `language`.
fn shipped_current(id: &str, language: &str) -> NoticeDocument {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../content/{id}"));
    let suffix = format!(".{language}.json");
    let newest = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|entry| entry.unwrap().file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(&suffix)?.parse::<u32>().ok())
        .max()
        .unwrap();
    let path = dir.join(format!("{newest}{suffix}"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const COPILOT_NOTICE: &str = "/api/v1/notices/copilot-data-sharing";

// Guards that the shipped German files are complete translations: same
// notices, same sections in the same order, valid hashes, other words.
#[test]
fn every_shipped_notice_has_a_german_translation_of_the_same_structure() {
    for id in [
        "copilot-data-sharing",
        "copilot-faq",
        "marketing-faq",
        "marketing-human-review",
        "marketing-nda",
    ] {
        let english = shipped(id, "en");
        let german = shipped(id, "de");
        german.validate().unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(german.language, "de");
        assert_eq!(
            (
                german.version,
                german.effective_date,
                german.material_change
            ),
            (
                english.version,
                english.effective_date,
                english.material_change
            ),
            "{id}"
        );
        let ids = |d: &NoticeDocument| d.sections.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&german), ids(&english), "{id}: section ids");
        for (de, en) in german.sections.iter().zip(&english.sections) {
            assert_eq!(de.blocks.len(), en.blocks.len(), "{id}#{}", en.id);
            assert_ne!(
                serde_json::to_value(de).unwrap(),
                serde_json::to_value(en).unwrap(),
                "{id}#{}: translated",
                en.id
            );
        }
        assert_ne!(german.sha256, english.sha256, "{id}");
    }
}

// Guards the choice of wording by Accept-Language: German when asked for
// (also as de-DE or by weight), English otherwise, and what caches are told.
#[tokio::test]
async fn the_reader_gets_the_language_it_asks_for_most() {
    let server = server().await;
    let german = shipped("copilot-data-sharing", "de");
    let english = shipped("copilot-data-sharing", "en");
    let cases: &[(Option<&str>, &NoticeDocument)] = &[
        (None, &english),
        (Some("de"), &german),
        (Some("de-DE"), &german),
        (Some("de-CH, en;q=0.8"), &german),
        (Some("en;q=0.4, de;q=0.9"), &german),
        (Some("de;q=0.2, en"), &english),
        (Some("fr-FR, fr;q=0.9"), &english),
        (Some("fr, de;q=0.1"), &german),
        (Some("*"), &english),
        (Some("en;q=0, *"), &german),
        (Some("de;q=0"), &english),
        (Some("not a language!"), &english),
    ];
    for path in [
        COPILOT_NOTICE,
        "/api/v1/notices/copilot-data-sharing/versions/1",
    ] {
        for (accept, expected) in cases {
            let headers: Vec<(&str, &str)> =
                accept.iter().map(|a| ("accept-language", *a)).collect();
            let answer = server.call(Method::GET, path, &headers, None).await;
            assert_eq!(answer.status, StatusCode::OK, "{path} {accept:?}");
            let document: NoticeDocument = serde_json::from_value(answer.body.clone()).unwrap();
            assert_eq!(&document, *expected, "{path} {accept:?}");
            assert_eq!(
                answer.header("content-language"),
                Some(expected.language.as_str()),
                "{path} {accept:?}"
            );
            assert_eq!(answer.header("vary"), Some("accept-language"), "{path}");
            assert_eq!(
                answer.header("etag"),
                Some(format!("\"{}\"", expected.sha256).as_str()),
                "{path} {accept:?}"
            );
        }
    }
}

// Guards conditional reads per language: a tag is the hash of one wording,
// so it answers 304 for that language only and never for the other.
#[tokio::test]
async fn a_cached_wording_is_revalidated_per_language() {
    let server = server().await;
    let german = shipped("copilot-data-sharing", "de");
    let english = shipped("copilot-data-sharing", "en");
    let german_tag = format!("\"{}\"", german.sha256);
    let english_tag = format!("\"{}\"", english.sha256);
    for (language, tag, status) in [
        ("de", &german_tag, StatusCode::NOT_MODIFIED),
        ("en", &english_tag, StatusCode::NOT_MODIFIED),
        ("de", &english_tag, StatusCode::OK),
        ("en", &german_tag, StatusCode::OK),
    ] {
        let answer = server
            .call(
                Method::GET,
                COPILOT_NOTICE,
                &[("accept-language", language), ("if-none-match", tag)],
                None,
            )
            .await;
        assert_eq!(answer.status, status, "{language} with {tag}");
        assert_eq!(answer.header("content-language"), Some(language));
        assert_eq!(answer.header("vary"), Some("accept-language"));
        if status == StatusCode::NOT_MODIFIED {
            assert_eq!(answer.body, Value::Null, "no body on 304");
            assert_eq!(answer.header("etag"), Some(tag.as_str()));
        } else {
            assert_eq!(answer.body["language"], language);
        }
    }
}

// Guards the lists: the current notices titled in the reader's language,
// and every version saying which languages it is published in.
#[tokio::test]
async fn lists_name_the_languages_published() {
    let server = server().await;
    let answer = server
        .call(
            Method::GET,
            "/api/v1/notices",
            &[("accept-language", "de-AT")],
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("vary"), Some("accept-language"));
    let list = answer.body.as_array().unwrap();
    assert_eq!(list.len(), 5);
    for entry in list {
        let german = shipped_current(entry["id"].as_str().unwrap(), "de");
        assert_eq!(entry["language"], "de", "{entry}");
        assert_eq!(entry["title"], german.title.as_str(), "{entry}");
        assert_eq!(entry["sha256"], german.sha256.as_str(), "{entry}");
        assert_eq!(entry["languages"], json!(["de", "en"]), "{entry}");
    }

    let answer = server
        .call(
            Method::GET,
            "/api/v1/notices/marketing-nda/versions",
            &[("accept-language", "de")],
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let english = shipped("marketing-nda", "en");
    assert_eq!(answer.body[0]["languages"], json!(["de", "en"]));
    assert_eq!(answer.body[0]["sha256"], english.sha256.as_str());
}

/// Opts contoso into Copilot accepting its notice as `acceptance`; the answer.
async fn opt_in(server: &TestServer, token: &str, acceptance: Value) -> common::Answer {
    let (_, etag) = server.document("contoso", token).await;
    server
        .change(
            "contoso",
            "copilot",
            token,
            Some(&etag),
            json!({"enabled": true, "accept_notices": [acceptance]}),
        )
        .await
}

/// The receipt of the newest event of contoso.
async fn newest_receipt(server: &TestServer, token: &str) -> Value {
    let history = server
        .get("/api/v1/tenants/contoso/data-sharing/history", token)
        .await;
    let receipt_id = history.body["events"][0]["receipt_id"].as_str().unwrap();
    let answer = server
        .get(
            &format!("/api/v1/tenants/contoso/receipts/{receipt_id}"),
            token,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.body
}

// Guards what a receipt proves: the language the admin read and the hash of
// that wording, whether the client sent the reference hash or the German one;
// the consent rules still hold the reference version as accepted.
#[tokio::test]
async fn the_receipt_records_the_wording_shown() {
    let german = shipped("copilot-data-sharing", "de");
    let english = shipped("copilot-data-sharing", "en");
    for sent_hash in [&english.sha256, &german.sha256] {
        let server = server().await;
        let admin = server.token("contoso", "admin").await;
        let answer = opt_in(
            &server,
            &admin,
            json!({"id": "copilot-data-sharing", "version": 1, "sha256": sent_hash, "language": "de"}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let copilot = program_view(&answer.body, "copilot");
        assert_eq!(copilot["enabled"], true);
        assert_eq!(
            copilot["accepted_notices"],
            json!([english.reference()]),
            "the rules keep the reference version"
        );
        assert_eq!(copilot["reconsent_required"], false);

        let receipt = newest_receipt(&server, &admin).await;
        assert_eq!(
            receipt["notices"],
            json!([{
                "id": "copilot-data-sharing",
                "version": 1,
                "sha256": german.sha256,
                "language": "de",
                "title": german.title,
            }]),
            "sent {sent_hash}"
        );
    }
}

// Guards older clients: an acceptance without a language is of the English
// wording, and its receipt says so.
#[tokio::test]
async fn an_acceptance_without_a_language_is_of_the_english_wording() {
    let server = server().await;
    let english = shipped("copilot-data-sharing", "en");
    let admin = server.token("contoso", "admin").await;
    let answer = opt_in(&server, &admin, json!(english.reference())).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let receipt = newest_receipt(&server, &admin).await;
    assert_eq!(receipt["notices"][0]["language"], "en");
    assert_eq!(receipt["notices"][0]["sha256"], english.sha256.as_str());
}

// Guards the refusal of a language the version is not published in: its own
// code, nothing stored; and a German acceptance with a wrong hash is still
// refused as not accepted.
#[tokio::test]
async fn an_unpublished_language_is_refused_with_its_code() {
    let server = server().await;
    let english = shipped("copilot-data-sharing", "en");
    let admin = server.token("contoso", "admin").await;
    for language in ["fr", "de-CH", "x"] {
        let answer = opt_in(
            &server,
            &admin,
            json!({"id": "copilot-data-sharing", "version": 1, "sha256": english.sha256, "language": language}),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{language}"
        );
        assert_eq!(answer.problem_code(), "notice_language_unavailable");
        assert_eq!(answer.body["field"], "accept_notices");
    }
    let answer = opt_in(
        &server,
        &admin,
        json!({"id": "copilot-data-sharing", "version": 1, "sha256": "0".repeat(64), "language": "de"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.problem_code(), "notice_not_accepted");
    assert_eq!(server.event_count("contoso").await, 0, "nothing was stored");

    let document = server.get("/api/openapi.json", "unused").await;
    let codes = &document.body["components"]["schemas"]["ErrorCode"];
    assert!(
        codes.to_string().contains("notice_language_unavailable"),
        "the OpenAPI document lists the code: {codes}"
    );
}

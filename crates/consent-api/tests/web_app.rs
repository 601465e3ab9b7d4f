//! The built web app served beside the API (`--static-dir`): caching,
//! compression negotiation, the app's routes and its security headers.

mod common;

use std::path::Path;

use base64::Engine as _;
use common::{Answer, TestServer};
use consent_api::{Config, ConfigError, ServerError};
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};

const BOOT_SCRIPT: &str = "\nimport init from '/app-0123456789abcdef.js';\nawait init();\n";
const CSS: &str = "main-e9c1a181c2216b6e.css";
/// A chunk of the split build, as `cargo xtask dist` names it.
const CHUNK: &str = "split_history_screen-9150589dad76d718.wasm";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A small built app: an index with an inline boot script, a hashed
/// stylesheet with compressed copies, and a file without a hash.
fn fixture_dist(dir: &Path) {
    let index = format!(
        "<!doctype html><html><head><link rel=\"stylesheet\" href=\"/{CSS}\">\
         <script type=\"module\">{BOOT_SCRIPT}</script></head><body></body></html>"
    );
    std::fs::write(dir.join("index.html"), &index).unwrap();
    // The server never decodes these, so any bytes tell which copy was sent.
    std::fs::write(dir.join("index.html.br"), b"index in brotli").unwrap();
    std::fs::write(dir.join("index.html.gz"), b"index in gzip").unwrap();
    std::fs::write(dir.join(CSS), "body { margin: 0 }").unwrap();
    std::fs::write(dir.join(format!("{CSS}.br")), b"css in brotli").unwrap();
    std::fs::write(dir.join(format!("{CSS}.gz")), b"css in gzip").unwrap();
    std::fs::write(dir.join("robots.txt"), "User-agent: *\n").unwrap();
    std::fs::write(dir.join(CHUNK), b"\0asm chunk").unwrap();
    std::fs::write(dir.join(format!("{CHUNK}.br")), b"chunk in brotli").unwrap();
    std::fs::write(dir.join(format!("{CHUNK}.gz")), b"chunk in gzip").unwrap();
}

async fn server_with_app() -> (TestServer, tempfile::TempDir) {
    let dist = tempfile::tempdir().unwrap();
    fixture_dist(dist.path());
    let dir = dist.path().to_owned();
    let server = TestServer::start_with(move |config| {
        config.static_dir = Some(dir);
        config.frame_ancestors = "https://portal.example".to_owned();
    })
    .await
    .unwrap();
    (server, dist)
}

async fn get(server: &TestServer, path: &str, headers: &[(&str, &str)]) -> (Answer, Vec<u8>) {
    let mut request = server.client.get(server.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap().to_vec();
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (
        Answer {
            status,
            headers,
            body,
        },
        bytes,
    )
}

fn assert_common_headers(answer: &Answer, what: &str) {
    assert_eq!(
        answer.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        answer.header("referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
    assert_eq!(answer.header("vary"), Some("accept-encoding"), "{what}");
}

// Guards the app's pages: every client route answers the index, revalidated
// on each use, under a policy that allows its boot script by hash and
// nothing inline besides, and lets only the configured portal frame it.
#[tokio::test]
async fn app_routes_answer_the_index_under_a_strict_policy() {
    let (server, _dist) = server_with_app().await;
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(BOOT_SCRIPT));
    for path in [
        "/",
        "/settings",
        "/settings/copilot-data-sharing",
        "/faq",
        "/notices/copilot-data-sharing",
        "/history",
    ] {
        let (answer, bytes) = get(&server, path, &[]).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(
            answer.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert!(
            String::from_utf8(bytes).unwrap().contains(BOOT_SCRIPT),
            "{path}"
        );
        assert_eq!(answer.header("cache-control"), Some("no-cache"), "{path}");
        assert_common_headers(&answer, path);
        let csp = answer.header("content-security-policy").unwrap();
        for directive in [
            "default-src 'none'",
            &format!("script-src 'self' 'sha256-{hash}' 'wasm-unsafe-eval'"),
            "style-src 'self'",
            "connect-src 'self'",
            "base-uri 'none'",
            "frame-ancestors https://portal.example",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(!csp.contains("'unsafe-eval'"), "{csp}");
    }
}

// Guards negotiation of the index: brotli, then gzip, then plain, and the
// tag of each representation answers 304 with the page's own headers.
#[tokio::test]
async fn the_index_is_negotiated_and_revalidated() {
    let (server, _dist) = server_with_app().await;
    let cases: [(&str, Option<&str>, &[u8]); 4] = [
        ("gzip, deflate, br", Some("br"), b"index in brotli"),
        ("gzip", Some("gzip"), b"index in gzip"),
        ("br;q=0, gzip;q=0.5", Some("gzip"), b"index in gzip"),
        ("identity", None, b"<!doctype html>"),
    ];
    let mut tags = Vec::new();
    for (accept, encoding, start) in cases {
        let (answer, bytes) = get(&server, "/settings", &[("accept-encoding", accept)]).await;
        assert_eq!(answer.status, StatusCode::OK, "{accept}");
        assert_eq!(answer.header("content-encoding"), encoding, "{accept}");
        assert!(bytes.starts_with(start), "{accept}");
        let tag = answer.header("etag").expect("an ETag").to_owned();
        let (again, bytes) = get(
            &server,
            "/settings",
            &[("accept-encoding", accept), ("if-none-match", &tag)],
        )
        .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{accept}");
        assert!(bytes.is_empty());
        assert_eq!(again.header("etag"), Some(tag.as_str()));
        // A browser takes the 304's headers into its cached page: the page's policy, not the files'.
        assert_eq!(
            again.header("content-security-policy"),
            answer.header("content-security-policy"),
            "{accept}"
        );
        tags.push(tag);
    }
    tags.dedup();
    assert_eq!(tags.len(), 3, "one tag per representation: {tags:?}");
}

// Guards the assets: content-hashed names are immutable for a year, sent
// as their precompressed copy when accepted, with the right encoding.
#[tokio::test]
async fn hashed_assets_are_immutable_and_precompressed() {
    let (server, _dist) = server_with_app().await;
    let path = format!("/{CSS}");
    let cases: [(&str, Option<&str>, &[u8]); 3] = [
        ("br, gzip", Some("br"), b"css in brotli"),
        ("gzip", Some("gzip"), b"css in gzip"),
        ("identity", None, b"body { margin: 0 }"),
    ];
    for (accept, encoding, body) in cases {
        let (answer, bytes) = get(&server, &path, &[("accept-encoding", accept)]).await;
        assert_eq!(answer.status, StatusCode::OK, "{accept}");
        assert_eq!(answer.header("content-type"), Some("text/css"), "{accept}");
        assert_eq!(answer.header("content-encoding"), encoding, "{accept}");
        assert_eq!(bytes, body, "{accept}");
        assert_eq!(answer.header("cache-control"), Some(IMMUTABLE), "{accept}");
        assert_common_headers(&answer, accept);
        assert!(answer
            .header("content-security-policy")
            .unwrap()
            .starts_with("default-src 'none'"));
    }
    let (plain, _) = get(&server, "/robots.txt", &[]).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("cache-control"), Some("no-cache"));
}

// Guards the split build's chunks: WebAssembly (which streaming compilation
// insists on), cached for good, sent as their brotli copy.
#[tokio::test]
async fn chunks_are_wasm_immutable_and_precompressed() {
    let (server, _dist) = server_with_app().await;
    let (answer, bytes) = get(
        &server,
        &format!("/{CHUNK}"),
        &[("accept-encoding", "br, gzip")],
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("application/wasm"));
    assert_eq!(answer.header("content-encoding"), Some("br"));
    assert_eq!(bytes, b"chunk in brotli");
    assert_eq!(answer.header("cache-control"), Some(IMMUTABLE));
    assert_common_headers(&answer, "a chunk");
}

// Guards the API under the app: its paths, unknown ones included, stay
// problem+json with the API's own headers, and so do paths that are no file.
#[tokio::test]
async fn api_paths_and_missing_files_stay_problems() {
    let (server, _dist) = server_with_app().await;
    let admin = server.token("contoso", "admin").await;
    let (document, _) = server.document("contoso", &admin).await;
    assert_eq!(document["tenant"]["id"], "contoso");
    for (method, path) in [
        (Method::GET, "/api/v1/nowhere"),
        (Method::GET, "/api/settings"),
        (Method::GET, "/api"),
        (Method::GET, "/missing-0123456789abcdef.js"),
        (Method::GET, "/nowhere"),
        (Method::PUT, "/settings"),
        (Method::POST, "/"),
    ] {
        let answer = server.call(method.clone(), path, &[], None).await;
        assert!(
            answer.status == StatusCode::NOT_FOUND
                || answer.status == StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {}",
            answer.status
        );
        assert_eq!(answer.problem_code(), "not_found", "{method} {path}");
        assert_eq!(answer.header("cache-control"), Some("no-store"));
        assert_eq!(
            answer.header("content-security-policy"),
            Some("default-src 'none'; frame-ancestors https://portal.example")
        );
    }
    let health = server.call(Method::GET, "/healthz", &[], None).await;
    assert_eq!(health.status, StatusCode::OK);
}

// Guards the configuration: the flag and its variable, and a directory
// without a built app refusing to start instead of serving nothing.
#[tokio::test]
async fn static_dir_is_configured_and_checked() {
    let parsed = Config::parse(["--dev", "--static-dir", "dist"].map(String::from), |_| {
        None
    })
    .unwrap();
    assert_eq!(parsed.static_dir.as_deref(), Some(Path::new("dist")));
    let from_env = Config::parse(["--dev".to_owned()], |name| {
        (name == "CONSENT_STATIC_DIR").then(|| "/srv/app".to_owned())
    })
    .unwrap();
    assert_eq!(from_env.static_dir.as_deref(), Some(Path::new("/srv/app")));
    assert!(matches!(
        Config::parse(["--dev", "--static-dir"].map(String::from), |_| None),
        Err(ConfigError::MissingValue("--static-dir"))
    ));

    let empty = tempfile::tempdir().unwrap();
    let dir = empty.path().to_owned();
    let refused = TestServer::start_with(move |config| config.static_dir = Some(dir)).await;
    assert!(
        matches!(refused, Err(ServerError::WebApp(_))),
        "a directory without index.html"
    );
}

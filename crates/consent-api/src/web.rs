//! The built web app (`cargo xtask dist` → `dist/`), served beside the API
//! from one port.
//!
//! - `/api/…`, `/healthz` and `/readyz` are the API's, untouched.
//! - The app's own addresses (`/`, `/settings…`, `/faq…`, `/notices…`,
//!   `/history…`) answer `index.html`, which the app routes in the browser.
//! - Any other path is a file of the directory. Content-hashed files
//!   (`main-<hash>.css`) may be cached for a year; everything else, the
//!   index included, is revalidated on every use (`no-cache`).
//! - Files with a `.br` or `.gz` copy beside them are sent compressed when
//!   the browser accepts it (`Vary: Accept-Encoding`); nothing is compressed
//!   per request.
//! - A path that is no file answers as the API does (problem+json 404).
//!
//! The index is read once at start. Its inline boot script (trunk writes
//! one) is allowed by its SHA-256 in the page's Content-Security-Policy, so
//! the policy needs neither `'unsafe-inline'` nor a nonce.
//!
//! Over 400 lines only with its unit tests; the serving code is under 400.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_SECURITY_POLICY,
    CONTENT_TYPE, ETAG, IF_NONE_MATCH, REFERRER_POLICY, VARY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower::ServiceExt as _;
use tower_http::services::ServeDir;

use crate::metrics::http::{method_label, status_class, WEB_APP};
use crate::metrics::{RequestLabels, SharedMetrics};

/// `Cache-Control` of a file whose name changes whenever its content does.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` of the index and of files without a content hash.
pub const REVALIDATE: &str = "no-cache";

/// Why the web app's directory cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum WebAppError {
    #[error("--static-dir {dir}: cannot read index.html ({source}); build the app with `cargo xtask dist`")]
    NoIndex {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("--static-dir {dir}: index.html is not UTF-8")]
    IndexNotText { dir: PathBuf },
}

/// The web app's files, ready to serve.
#[derive(Clone)]
pub struct WebApp {
    files: ServeDir,
    index: Arc<Index>,
    headers: Arc<DocumentHeaders>,
}

impl WebApp {
    /// Reads `dir/index.html` (and its `.br`/`.gz` copies) and prepares the
    /// headers, with `frame_ancestors` (CSP sources) allowed to frame the app.
    pub fn load(dir: &Path, frame_ancestors: &str) -> Result<WebApp, WebAppError> {
        let raw = std::fs::read(dir.join("index.html")).map_err(|source| WebAppError::NoIndex {
            dir: dir.to_owned(),
            source,
        })?;
        let text = std::str::from_utf8(&raw).map_err(|_| WebAppError::IndexNotText {
            dir: dir.to_owned(),
        })?;
        let headers = DocumentHeaders::new(&inline_script_hashes(text), frame_ancestors);
        let read_copy = |suffix: &str| std::fs::read(dir.join(format!("index.html.{suffix}"))).ok();
        let index = Index::new(raw.clone(), read_copy("br"), read_copy("gz"));
        let files = ServeDir::new(dir)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false);
        Ok(WebApp {
            files,
            index: Arc::new(index),
            headers: Arc::new(headers),
        })
    }

    /// The Content-Security-Policy the app's pages are served with.
    pub fn document_policy(&self) -> &HeaderValue {
        &self.headers.document_policy
    }
}

/// `api` with the web app in front of it: API paths go straight to `api`,
/// the rest as described in this module's documentation.
///
/// With `metrics`, the app's own answers are counted as `web_app` requests
/// (the API counts its own).
pub fn with_web_app(api: Router, app: WebApp, metrics: Option<SharedMetrics>) -> Router {
    Router::new()
        .fallback(serve)
        .with_state(Served { api, app, metrics })
}

#[derive(Clone)]
struct Served {
    api: Router,
    app: WebApp,
    metrics: Option<SharedMetrics>,
}

async fn serve(State(served): State<Served>, request: Request) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let metrics = served.metrics.clone();
    let (response, by_app) = answer(served, request).await;
    if let (true, Some(metrics)) = (by_app, metrics) {
        let labels = RequestLabels {
            route: WEB_APP.to_owned(),
            method: method_label(&method),
            status: status_class(response.status().as_u16()),
        };
        metrics.request_answered(&labels, started.elapsed().as_secs_f64());
    }
    response
}

/// The answer, and whether the app (not the API) gave it.
async fn answer(served: Served, request: Request) -> (Response, bool) {
    let path = request.uri().path();
    let readable = matches!(*request.method(), Method::GET | Method::HEAD);
    if is_api_path(path) || !readable {
        return (call(served.api, request).await, false);
    }
    let app = &served.app;
    if is_app_route(path) {
        let head = request.method() == Method::HEAD;
        let mut response = app.index.answer(request.headers(), head);
        // Also on a 304, which has no Content-Type to tell it is the page:
        // the browser updates its cached page with these headers.
        app.headers.add_to_page(&mut response, REVALIDATE);
        return (response, true);
    }
    let cache = if is_content_hashed(path) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    // Kept to ask the API if there is no such file.
    let (method, uri, headers) = (
        request.method().clone(),
        request.uri().clone(),
        request.headers().clone(),
    );
    let mut response = match app.files.clone().oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        let mut again = Request::new(Body::empty());
        *again.method_mut() = method;
        *again.uri_mut() = uri;
        *again.headers_mut() = headers;
        return (call(served.api, again).await, false);
    }
    app.headers.add(&mut response, cache);
    (response, true)
}

async fn call(api: Router, request: Request) -> Response {
    match api.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// The API's own addresses, never answered with the app.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path == "/healthz" || path == "/readyz"
}

/// The addresses the app routes in the browser; each answers `index.html`.
pub fn is_app_route(path: &str) -> bool {
    consent_core::routes::is_app_path(path)
}

/// Whether a file's name carries a hash of its content, as `cargo xtask dist`
/// writes them (`main-e9c1a181c2216b6e.css`, `app-ddefde82465c34ac_bg.wasm`,
/// a chunk `split_faq_screen-5d5c44032270a63a.wasm`).
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(base, hash)| {
        !base.is_empty()
            && (16..=64).contains(&hash.len())
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// The `'sha256-…'` CSP sources of every inline `<script>` of `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start + "<script".len()..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let attributes = &after[..open_end];
        let body_and_rest = &after[open_end + 1..];
        let Some(close) = body_and_rest.find("</script") else {
            break;
        };
        if !has_src_attribute(attributes) {
            let digest = Sha256::digest(&body_and_rest.as_bytes()[..close]);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push(format!("'sha256-{encoded}'"));
        }
        rest = &body_and_rest[close..];
    }
    hashes
}

fn has_src_attribute(attributes: &str) -> bool {
    attributes
        .split(|c: char| c.is_ascii_whitespace())
        .any(|word| word == "src" || word.starts_with("src="))
}

/// The headers of the app's answers.
struct DocumentHeaders {
    /// For HTML pages: what the built app needs and nothing more.
    document_policy: HeaderValue,
    /// For everything else (scripts, styles, wasm): nothing may run as a page.
    file_policy: HeaderValue,
}

impl DocumentHeaders {
    fn new(script_hashes: &[String], frame_ancestors: &str) -> DocumentHeaders {
        let frame_ancestors = frame_ancestors.trim();
        // 'wasm-unsafe-eval' lets the page compile its WebAssembly; it allows no JavaScript eval.
        let document = format!(
            "default-src 'none'; script-src 'self' {} 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; \
             base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}",
            script_hashes.join(" ")
        );
        let file = format!("default-src 'none'; frame-ancestors {frame_ancestors}");
        let strict = || HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'");
        // The configuration check admits only header-safe frame-ancestors.
        DocumentHeaders {
            document_policy: HeaderValue::from_str(&document).unwrap_or_else(|_| strict()),
            file_policy: HeaderValue::from_str(&file).unwrap_or_else(|_| strict()),
        }
    }

    /// The headers of a file, with the page's policy if it is an HTML page.
    fn add(&self, response: &mut Response, cache: &'static str) {
        let is_page = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        self.add_with(response, cache, is_page);
    }

    /// The headers of the app's page (`index.html`), whatever the answer's status.
    fn add_to_page(&self, response: &mut Response, cache: &'static str) {
        self.add_with(response, cache, true);
    }

    fn add_with(&self, response: &mut Response, cache: &'static str, is_page: bool) {
        let headers = response.headers_mut();
        let policy = if is_page {
            &self.document_policy
        } else {
            &self.file_policy
        };
        headers.insert(CONTENT_SECURITY_POLICY, policy.clone());
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
}

/// `index.html` in memory, with its compressed copies.
struct Index {
    variants: Vec<Variant>,
}

struct Variant {
    /// `None` for the uncompressed bytes.
    encoding: Option<&'static str>,
    bytes: Bytes,
    etag: HeaderValue,
}

impl Index {
    fn new(raw: Vec<u8>, brotli: Option<Vec<u8>>, gzip: Option<Vec<u8>>) -> Index {
        let hash: String = Sha256::digest(&raw)
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        let variant = |encoding: Option<&'static str>, bytes: Vec<u8>| {
            // Each encoding is its own representation, with its own tag.
            let tag = match encoding {
                Some(encoding) => format!("\"{hash}-{encoding}\""),
                None => format!("\"{hash}\""),
            };
            Variant {
                encoding,
                bytes: Bytes::from(bytes),
                etag: HeaderValue::from_str(&tag).expect("hex digits make a valid tag"),
            }
        };
        let mut variants = Vec::new();
        if let Some(bytes) = brotli {
            variants.push(variant(Some("br"), bytes));
        }
        if let Some(bytes) = gzip {
            variants.push(variant(Some("gzip"), bytes));
        }
        variants.push(variant(None, raw));
        Index { variants }
    }

    /// The best representation the request accepts, or 304 if it has it already.
    fn answer(&self, request: &HeaderMap, head: bool) -> Response {
        let accepted = request
            .get_all(ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let variant = self
            .variants
            .iter()
            .find(|v| v.encoding.is_none_or(|e| accepts(&accepted, e)))
            .expect("the uncompressed index is always there");
        let mut response = if if_none_match_names(request, &variant.etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else if head {
            let mut response = StatusCode::OK.into_response();
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(variant.bytes.len()));
            response
        } else {
            (StatusCode::OK, variant.bytes.clone()).into_response()
        };
        let headers = response.headers_mut();
        headers.insert(ETAG, variant.etag.clone());
        if response.status() != StatusCode::NOT_MODIFIED {
            let headers = response.headers_mut();
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            if let Some(encoding) = variant.encoding {
                headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding));
            }
        }
        response
    }
}

/// Whether `If-None-Match` names `etag` (weak comparison) or is `*`.
fn if_none_match_names(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    request
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// Whether an `Accept-Encoding` value accepts `coding` (by name or `*`, with q > 0).
pub fn accepts(accept_encoding: &str, coding: &str) -> bool {
    let mut named = None;
    let mut wildcard = None;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|q| q.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case(coding) {
            named = Some(quality > 0.0);
        } else if name == "*" {
            wildcard = Some(quality > 0.0);
        }
    }
    named.or(wildcard).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards which paths stay the API's (problem+json, never the app).
    #[test]
    fn api_paths_are_the_apis() {
        for (path, api) in [
            ("/api", true),
            ("/api/", true),
            ("/api/v1/notices", true),
            ("/api/openapi.json", true),
            ("/healthz", true),
            ("/readyz", true),
            ("/apis", false),
            ("/settings", false),
            ("/", false),
        ] {
            assert_eq!(is_api_path(path), api, "{path}");
        }
    }

    // Guards the app's client routes: they answer the index, look-alikes do not.
    #[test]
    fn app_routes_answer_the_index() {
        for (path, route) in [
            ("/", true),
            ("/settings", true),
            ("/settings/", true),
            ("/settings/copilot-data-sharing", true),
            ("/faq", true),
            ("/notices/copilot-data-sharing", true),
            ("/history", true),
            ("/history/receipts/1", true),
            ("/settingsx", false),
            ("/main-e9c1a181c2216b6e.css", false),
            ("/index.html", false),
            ("/favicon.ico", false),
        ] {
            assert_eq!(is_app_route(path), route, "{path}");
        }
    }

    // Guards which files may be cached for a year: only names with a content hash.
    #[test]
    fn content_hashed_names() {
        for (path, hashed) in [
            ("/main-e9c1a181c2216b6e.css", true),
            ("/tenant-settings-ddefde82465c34ac.js", true),
            ("/tenant-settings-ddefde82465c34ac_bg.wasm", true),
            ("/split_history_screen-9150589dad76d718.wasm", true),
            ("/chunk_42-ede21f7b4a54551c.wasm", true),
            ("/__wasm_split-f3af477d53d639f7.js", true),
            ("/snippets/x-0123456789abcdef/inline0.js", false),
            ("/index.html", false),
            ("/robots.txt", false),
            ("/main.css", false),
            ("/main-1234.css", false),
            ("/-e9c1a181c2216b6e.css", false),
            ("/main-e9c1a181c2216b6g.css", false),
        ] {
            assert_eq!(is_content_hashed(path), hashed, "{path}");
        }
    }

    // Guards negotiation: q=0 refuses, a wildcard accepts, absence refuses.
    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        for (header, coding, accepted) in [
            ("gzip, deflate, br, zstd", "br", true),
            ("gzip, deflate", "br", false),
            ("br;q=0, gzip", "br", false),
            ("br;q=0, gzip", "gzip", true),
            ("*", "br", true),
            ("*;q=0", "gzip", false),
            ("gzip;q=0, *", "gzip", false),
            ("BR", "br", true),
            ("", "gzip", false),
            ("identity", "gzip", false),
        ] {
            assert_eq!(accepts(header, coding), accepted, "{header:?} {coding}");
        }
    }

    // Guards that exactly the inline scripts are allowed by hash, not scripts with src.
    #[test]
    fn inline_scripts_are_hashed() {
        let html = "<head><script type=\"module\">\nimport init from '/app.js';\n</script>\
                    <script src=\"/x.js\"></script><script>alert(1)</script></head>";
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2, "{hashes:?}");
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"\nimport init from '/app.js';\n"));
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
        assert!(inline_script_hashes("<p>no scripts</p>").is_empty());
    }
}

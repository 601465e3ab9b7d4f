//! Headers every answer carries, errors included: nothing from this API is
//! run as a page, sniffed into another type, framed by strangers, leaks the
//! address it came from, or (except the public notices) lingers in a cache.

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The header values, built once from the configuration.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    content_security_policy: HeaderValue,
}

impl SecurityHeaders {
    /// Headers allowing `frame_ancestors` (CSP sources, checked by
    /// [`crate::Config::validate`]) to frame answers.
    pub fn new(frame_ancestors: &str) -> SecurityHeaders {
        let policy = format!(
            "default-src 'none'; frame-ancestors {}",
            frame_ancestors.trim()
        );
        SecurityHeaders {
            // A value the configuration check let through is always a valid header.
            content_security_policy: HeaderValue::from_str(&policy).unwrap_or_else(|_| {
                HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'")
            }),
        }
    }
}

/// Adds the headers to the answer; a route that chose its own caching
/// (the notices) keeps it.
pub async fn add(State(headers): State<SecurityHeaders>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let map = response.headers_mut();
    map.insert(
        CONTENT_SECURITY_POLICY,
        headers.content_security_policy.clone(),
    );
    map.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    map.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !map.contains_key(CACHE_CONTROL) {
        map.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

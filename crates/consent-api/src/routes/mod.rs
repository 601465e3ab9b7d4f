//! The HTTP surface: routes, fallbacks and the layers around them.

mod data_sharing;
mod dev;
mod health;
mod notices;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, ETAG, IF_MATCH};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use axum::Router;
use consent_core::ErrorCode;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::extract::MAX_BODY_BYTES;
use crate::problem::ApiError;
use crate::state::AppState;

/// The request header that makes a change safe to retry.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The whole application: every route, answering errors as problem+json.
pub fn router(state: AppState, cors_loopback: bool) -> Router {
    // Outside development mode the dev token route still answers, with a
    // clear code, before looking at the body.
    let (dev_token, dev_tenants) = if state.dev {
        (post(dev::token), post(dev::create_tenant))
    } else {
        (any(dev::unavailable), any(dev::unavailable))
    };
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/v1/dev/token", dev_token)
        .route("/api/v1/dev/tenants", dev_tenants)
        .route(
            "/api/v1/tenants/{tenant_id}/data-sharing",
            get(data_sharing::document),
        )
        .route(
            "/api/v1/tenants/{tenant_id}/data-sharing/{program_id}",
            put(data_sharing::change_program),
        )
        .route("/api/v1/notices", get(notices::list))
        .route("/api/v1/notices/{notice_id}", get(notices::current))
        .route(
            "/api/v1/notices/{notice_id}/versions/{version}",
            get(notices::version),
        )
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
        .layer(CatchPanicLayer::custom(|_| panicked()))
        .layer(TraceLayer::new_for_http());
    // Outermost, so that error answers carry the CORS headers too.
    if cors_loopback {
        router.layer(loopback_cors())
    } else {
        router
    }
}

async fn unknown_route() -> ApiError {
    ApiError::not_found("there is nothing at this address")
}

async fn method_not_allowed() -> ApiError {
    ApiError::not_found("this address does not answer this method")
        .with_status(StatusCode::METHOD_NOT_ALLOWED)
}

fn panicked() -> Response {
    ApiError::new(
        ErrorCode::Internal,
        "the server failed; nothing was changed",
    )
    .into_response()
}

/// CORS for browser tests served from another loopback port (development mode only).
fn loopback_cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin: &HeaderValue, _| {
            is_loopback_origin(origin)
        }))
        .allow_methods([Method::GET, Method::PUT, Method::POST, Method::OPTIONS])
        .allow_headers([AUTHORIZATION, IF_MATCH, IDEMPOTENCY_KEY, CONTENT_TYPE])
        .expose_headers([ETAG])
        .max_age(Duration::from_secs(600))
}

/// `http://127.0.0.1[:port]` or `http://localhost[:port]`.
fn is_loopback_origin(origin: &HeaderValue) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    ["http://127.0.0.1", "http://localhost"]
        .iter()
        .any(|host| match origin.strip_prefix(host) {
            Some("") => true,
            Some(rest) => rest.strip_prefix(':').is_some_and(|port| {
                !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
            }),
            None => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards that loopback CORS admits only loopback http origins.
    #[test]
    fn only_loopback_origins_are_allowed() {
        for (origin, allowed) in [
            ("http://127.0.0.1:8080", true),
            ("http://localhost:4000", true),
            ("http://localhost", true),
            ("http://localhost.evil.example", false),
            ("http://127.0.0.1.evil.example:80", false),
            ("https://example.com", false),
            ("http://localhost:80x", false),
            ("null", false),
        ] {
            assert_eq!(
                is_loopback_origin(&HeaderValue::from_static(origin)),
                allowed,
                "{origin}"
            );
        }
    }
}

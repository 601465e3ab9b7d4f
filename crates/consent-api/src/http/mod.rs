//! The HTTP surface: routes, fallbacks and the layers around them.

//!
//! Each resource module has a `router()` whose routes carry their OpenAPI
//! paths; [`routes`] merges them into the one route list, from which both
//! the served routes and the OpenAPI document are made.

mod changes;
mod conditional;
mod data_sharing;
mod decisions;
pub mod deletions;
mod dev;
mod dev_notice;
pub mod extract;
mod health;
mod history;
mod ledger;
mod notices;
pub mod openapi;
pub mod problem;
mod propagation;
mod receipts;
pub mod request_id;
mod security_headers;
mod subscriptions;
mod tenants;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::header::{
    AUTHORIZATION, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH, RETRY_AFTER,
};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;
use consent_core::tenant::is_valid_tenant_id;
use consent_core::ErrorCode;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::config::Config;
use crate::identity::Caller;
use crate::metrics::http::{Counted, Measure, RouteTable};
use crate::state::AppState;
use crate::store::TenantSnapshot;
use extract::MAX_BODY_BYTES;
use problem::ApiError;
use security_headers::SecurityHeaders;

/// The request header that makes a change safe to retry.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The `detail` of the answer to an address no route serves.
pub const UNKNOWN_ROUTE_DETAIL: &str = "this API has no such address";

/// Every route with its OpenAPI description: the one route list. `dev`
/// says whether the development routes answer (they are described either way).
pub fn routes(dev: bool) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(health::router())
        .merge(dev::router(dev))
        .merge(data_sharing::router())
        .merge(propagation::router())
        .merge(history::router())
        .merge(receipts::router())
        .merge(ledger::router())
        .merge(notices::router())
        .merge(tenants::router())
        .merge(decisions::router())
        .merge(changes::router())
        .merge(subscriptions::router())
        .merge(deletions::router())
        .merge(openapi::router())
}

/// The whole application: every route, answering errors as problem+json.
pub fn router(state: AppState, config: &Config) -> Router {
    let (routes, described) = routes(state.dev).split_for_parts();
    // Requests are timed only when someone reads the figures.
    let counted = config.metrics_bind.map(|_| Counted {
        metrics: state.metrics.clone(),
        table: RouteTable::new(described.paths.paths.keys().map(String::as_str)),
    });
    let router = routes
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
        .layer(CatchPanicLayer::custom(|_| panicked()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_id::span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        );
    // CORS outside the rest, so that error answers carry its headers too;
    // the security headers outermost, so that every answer carries them.
    let router = if config.cors_loopback {
        router.layer(loopback_cors())
    } else {
        router
    };
    let router = router.layer(middleware::from_fn_with_state(
        SecurityHeaders::new(&config.frame_ancestors),
        security_headers::add,
    ));
    // Outermost, so every answer carries the id and every log line inside has it.
    let router = router.layer(middleware::from_fn(request_id::assign));
    // Around the whole router: it sees every answer the layers made.
    match counted {
        Some(counted) => Router::new().fallback_service(Measure::new(router, counted)),
        None => router,
    }
}

/// The tenant's state, if `caller` may see it. Another tenant's, an unknown
/// tenant's and a malformed id's answer alike, so existence is not leaked.
pub(crate) async fn visible_snapshot(
    state: &AppState,
    caller: &Caller,
    tenant_id: &str,
) -> Result<TenantSnapshot, ApiError> {
    let not_found = || {
        let shown: String = tenant_id.chars().take(64).collect();
        ApiError::not_found(format!("there is no tenant {shown:?} for you"))
    };
    if caller.tenant_id != tenant_id || !is_valid_tenant_id(tenant_id) {
        return Err(not_found());
    }
    state.store.snapshot(tenant_id).await?.ok_or_else(not_found)
}

async fn unknown_route() -> ApiError {
    ApiError::not_found(UNKNOWN_ROUTE_DETAIL)
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
        .allow_methods([
            Method::GET,
            Method::PUT,
            Method::POST,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            AUTHORIZATION,
            IF_MATCH,
            IF_NONE_MATCH,
            IDEMPOTENCY_KEY,
            CONTENT_TYPE,
        ])
        // The history download's file name, for the app that saves it; when
        // to try again after a 429, for the app that says so.
        .expose_headers([ETAG, CONTENT_DISPOSITION, RETRY_AFTER])
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

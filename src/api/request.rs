//! Building requests, and sending those that carry no token.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;

use super::error::{error_from, unreachable_error};
use super::ApiError;

/// A new idempotency key: unique enough to tell one person's attempts apart.
pub fn new_idempotency_key() -> String {
    let random = |scale: f64| (js_sys::Math::random() * scale) as u64;
    format!(
        "{:x}-{:012x}{:012x}",
        js_sys::Date::now() as u64,
        random(2f64.powi(48)),
        random(2f64.powi(48))
    )
}

/// Percent-encodes a path segment (tenant and notice ids are plain, but never trust that).
pub(super) fn encode(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}

pub(super) fn with_json<T: Serialize>(
    request: RequestBuilder,
    body: &T,
) -> Result<Request, ApiError> {
    // Serialising our own request types cannot fail; if it ever does, nothing was sent.
    request
        .json(body)
        .map_err(|_| ApiError::Server { status: 0 })
}

pub(super) async fn send(request: Request) -> Result<Response, ApiError> {
    let response = request.send().await.map_err(|_| unreachable_error())?;
    if response.ok() {
        Ok(response)
    } else {
        Err(error_from(response).await)
    }
}

pub(super) fn without_body(request: RequestBuilder) -> Result<Request, ApiError> {
    // Building a request without a body only fails on an invalid header value.
    request.build().map_err(|_| ApiError::Server { status: 0 })
}

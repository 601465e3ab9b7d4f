//! [`ApiError`], and how a server's answer (problem+json) or a request that
//! never reached it becomes one.

use consent_core::{DataSharingDocument, ErrorCode, Problem};
use gloo_net::http::Response;

/// Why a request to the consent API did not succeed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The browser is offline.
    #[error("the browser is offline")]
    Offline,
    /// The server could not be reached (network failure, CORS, DNS).
    #[error("the consent API could not be reached")]
    Network,
    /// The session is missing or has expired (401): sign in again.
    #[error("not signed in, or the session has expired")]
    Unauthorized,
    /// The signed-in person may not do this (403).
    #[error("not allowed")]
    Forbidden,
    /// The tenant, program or notice does not exist for this person (404).
    #[error("not found")]
    NotFound,
    /// Someone else changed the settings first (412); `current` is the state now stored.
    #[error("the settings were changed by someone else (now version {})", current.version)]
    Conflict { current: Box<DataSharingDocument> },
    /// The server refused the request for a stated reason (422 and similar).
    #[error("refused ({code:?}): {detail}")]
    Refused { code: ErrorCode, detail: String },
    /// Too many requests or changes in a short time (429): nothing was
    /// changed; try again after `retry_after` seconds (read by
    /// [`retry_after_seconds`]).
    #[error("too many requests; try again in {retry_after} s")]
    RateLimited { retry_after: u32 },
    /// The server failed, or answered with something this app cannot read; nothing was changed.
    #[error("the server failed (status {status})")]
    Server { status: u16 },
}

/// How long to wait after a 429 whose `Retry-After` is missing or cannot be
/// read (an HTTP date, a negative or fractional number, words).
pub const DEFAULT_RETRY_AFTER_SECS: u32 = 60;

/// The longest wait a 429 is taken to ask for: a larger `Retry-After` is
/// more likely a fault than a plan, and a person would not wait that long
/// on the page anyway.
pub const MAX_RETRY_AFTER_SECS: u32 = 3600;

/// The seconds to wait that a `Retry-After` header asks for: whole seconds
/// (RFC 9110 `delay-seconds`), at least 1 and at most
/// [`MAX_RETRY_AFTER_SECS`]; [`DEFAULT_RETRY_AFTER_SECS`] when it is
/// missing or is not a plain number. A cross-origin API must expose the
/// header (`Access-Control-Expose-Headers`), or the page sees it missing.
pub fn retry_after_seconds(header: Option<&str>) -> u32 {
    let Some(value) = header.map(str::trim) else {
        return DEFAULT_RETRY_AFTER_SECS;
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return DEFAULT_RETRY_AFTER_SECS;
    }
    // Only digits: a number too long for u64 is simply very large.
    let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
    seconds.clamp(1, u64::from(MAX_RETRY_AFTER_SECS)) as u32
}

/// Turns an error response into what the person needs to know.
pub(super) async fn error_from(response: Response) -> ApiError {
    let status = response.status();
    if status == 429 {
        let header = response.headers().get("retry-after");
        return ApiError::RateLimited {
            retry_after: retry_after_seconds(header.as_deref()),
        };
    }
    let problem: Option<Problem> = response.json().await.ok();
    match (status, problem) {
        (401, _) => ApiError::Unauthorized,
        (403, _) => ApiError::Forbidden,
        (404, _) => ApiError::NotFound,
        (
            412,
            Some(Problem {
                current: Some(current),
                ..
            }),
        ) => ApiError::Conflict { current },
        (500.., _) => ApiError::Server { status },
        (_, Some(problem)) => ApiError::Refused {
            code: problem.code,
            detail: problem.detail,
        },
        (_, None) => ApiError::Server { status },
    }
}

pub(super) fn unreachable_error() -> ApiError {
    let online = web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true);
    if online {
        ApiError::Network
    } else {
        ApiError::Offline
    }
}

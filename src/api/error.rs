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
    /// The server failed, or answered with something this app cannot read; nothing was changed.
    #[error("the server failed (status {status})")]
    Server { status: u16 },
}

/// Turns an error response into what the person needs to know.
pub(super) async fn error_from(response: Response) -> ApiError {
    let status = response.status();
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

//! API errors as `application/problem+json` (RFC 9457) with a stable `code`.
//!
//! Every error the server answers with goes through [`ApiError`], so no route
//! can answer with plain text, an HTML page or a leaked internal message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use consent_core::{DataSharingDocument, ErrorCode, Problem, Refusal};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answered as problem+json.
#[derive(Debug, Clone)]
pub struct ApiError {
    problem: Box<Problem>,
    /// Seconds to send as `Retry-After` (429).
    retry_after: Option<u64>,
}

impl ApiError {
    /// A problem with the usual status for `code`.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> ApiError {
        let status = default_status(code);
        ApiError {
            problem: Box::new(Problem {
                kind: format!("urn:tenant-settings:problem:{}", code_name(code)),
                title: title(code).to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                code,
                field: None,
                current: None,
            }),
            retry_after: None,
        }
    }

    /// `429 rate_limited`, to be tried again in `seconds` (`Retry-After`).
    pub fn rate_limited(detail: impl Into<String>, seconds: u64) -> ApiError {
        let mut error = ApiError::new(ErrorCode::RateLimited, detail);
        error.retry_after = Some(seconds.max(1));
        error
    }

    /// Overrides the status where a code is used with a less usual one (415, 503).
    pub fn with_status(mut self, status: StatusCode) -> ApiError {
        self.problem.status = status.as_u16();
        self
    }

    /// Names the request field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.problem.field = Some(field.into());
        self
    }

    /// `404 not_found`.
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::NotFound, detail)
    }

    /// `401 unauthorized`.
    pub fn unauthorized(detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Unauthorized, detail)
    }

    /// `422 invalid_body`.
    pub fn invalid_body(detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::InvalidBody, detail)
    }

    /// `412 stale_version`, carrying the current document so the UI can show what changed.
    pub fn stale(current: DataSharingDocument) -> ApiError {
        let mut error = ApiError::new(
            ErrorCode::StaleVersion,
            format!(
                "the settings changed since you loaded them; the current version is {}",
                current.version
            ),
        );
        error.problem.current = Some(Box::new(current));
        error
    }

    /// A consent rule refused the change; nothing was stored.
    pub fn refusal(refusal: &Refusal) -> ApiError {
        ApiError::new(refusal.code(), refusal.to_string())
    }

    /// `500 internal`: logs the cause and answers without revealing it.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "internal error");
        ApiError::new(
            ErrorCode::Internal,
            "the server failed; nothing was changed",
        )
    }

    /// The problem body.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> ApiError {
        ApiError::internal(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match serde_json::to_vec(&self.problem) {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(%error, "cannot serialise a problem");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// The wire name of a code (`region_ineligible`).
pub fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The status each code is normally answered with. Exhaustive on purpose: a
/// new code must be given its status here.
fn default_status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden | ErrorCode::InsufficientScope | ErrorCode::NotYourStore => {
            StatusCode::FORBIDDEN
        }
        ErrorCode::AlreadyAttested | ErrorCode::DeletionIncomplete => StatusCode::CONFLICT,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::NotFound | ErrorCode::DevModeOnly => StatusCode::NOT_FOUND,
        ErrorCode::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
        ErrorCode::StaleVersion => StatusCode::PRECONDITION_FAILED,
        ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::InvalidBody
        | ErrorCode::InvalidQuery
        | ErrorCode::RegionIneligible
        | ErrorCode::NoticeNotAccepted
        | ErrorCode::NoticeLanguageUnavailable
        | ErrorCode::ContactNotApplicable
        | ErrorCode::IdempotencyKeyReused
        | ErrorCode::InvalidTenant => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A short, fixed summary of each code (RFC 9457 `title`).
fn title(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthorized => "Sign-in required",
        ErrorCode::Forbidden => "Not allowed",
        ErrorCode::NotFound => "Not found",
        ErrorCode::PreconditionRequired => "If-Match required",
        ErrorCode::StaleVersion => "Settings changed meanwhile",
        ErrorCode::InvalidBody => "Invalid request body",
        ErrorCode::InvalidQuery => "Invalid query parameter",
        ErrorCode::PayloadTooLarge => "Request body too large",
        ErrorCode::RegionIneligible => "Not available in this region",
        ErrorCode::NoticeNotAccepted => "Notice not accepted",
        ErrorCode::NoticeLanguageUnavailable => "Notice not published in that language",
        ErrorCode::ContactNotApplicable => "Contact preference not applicable",
        ErrorCode::IdempotencyKeyReused => "Idempotency key reused",
        ErrorCode::DevModeOnly => "Development mode only",
        ErrorCode::InsufficientScope => "Wrong kind of caller",
        ErrorCode::RateLimited => "Too many requests",
        ErrorCode::InvalidTenant => "Invalid tenant",
        ErrorCode::NotYourStore => "Not this client's data store",
        ErrorCode::AlreadyAttested => "Already attested",
        ErrorCode::DeletionIncomplete => "Deletion not complete",
        ErrorCode::Internal => "Server error",
    }
}

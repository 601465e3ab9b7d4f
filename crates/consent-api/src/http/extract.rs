//! A JSON body extractor whose every rejection is problem+json.
//!
//! axum's own `Json` answers bad bodies with plain text and without naming
//! the field; clients of this API match on `code` and show `field`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use consent_core::ErrorCode;
use serde::de::DeserializeOwned;

use crate::http::problem::ApiError;

/// Request bodies larger than this are refused with `413 payload_too_large`.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A JSON request body of type `T`, parsed strictly.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::invalid_body("send the body as application/json")
                .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        // The size limit itself is axum's `DefaultBodyLimit`, set on the router.
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        ErrorCode::PayloadTooLarge,
                        format!(
                            "request bodies are limited to {} KiB",
                            MAX_BODY_BYTES / 1024
                        ),
                    )
                } else {
                    ApiError::invalid_body(format!(
                        "the body could not be read: {}",
                        rejection.body_text()
                    ))
                }
            })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses `bytes` as `T`, naming the field at fault when there is one.
///
/// Every request body of this API is a JSON object. serde would also read
/// a struct from an array of its fields in order, so anything else is
/// refused before parsing.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(ApiError::invalid_body("the body must be a JSON object"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let field = field_of(&error);
        let mut problem = ApiError::invalid_body(message_of(error.inner()));
        if let Some(field) = field {
            problem = problem.with_field(field);
        }
        problem
    })?;
    deserializer
        .end()
        .map_err(|error| ApiError::invalid_body(message_of(&error)))?;
    Ok(value)
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The dotted path of the field at fault (`accept_notices[0].sha256`).
///
/// For a missing field the path ends at the object that lacks it, so the
/// field's name is taken from the message (`missing field `x``).
fn field_of(error: &serde_path_to_error::Error<serde_json::Error>) -> Option<String> {
    let path = error.path().to_string();
    let at_root = path == "." || path.is_empty();
    let message = error.inner().to_string();
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|prefix| {
            let rest = message.split_once(prefix)?.1;
            Some(rest.split('`').next()?.to_owned())
        });
    match (at_root, named) {
        // An unknown field's path already ends with its name.
        (false, Some(name)) if path == name || path.ends_with(&format!(".{name}")) => Some(path),
        (true, Some(name)) => Some(name),
        (false, Some(name)) => Some(format!("{path}.{name}")),
        (false, None) => Some(path),
        (true, None) => None,
    }
}

/// serde's message without its `at line 1 column 17` suffix, which means
/// nothing to a person reading the form.
fn message_of(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

/// Path parameters whose rejection is a `404 not_found` problem (a path that
/// does not parse names nothing that exists).
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|_| ApiError::not_found("there is nothing at this address"))
    }
}

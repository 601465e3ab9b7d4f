//! Reading the server's answers: JSON bodies, versioned documents, receipts
//! and downloaded files.

use consent_core::{ConsentReceipt, DataSharingDocument};
use gloo_net::http::Response;
use serde::de::DeserializeOwned;

use super::{ApiError, ETag};

/// A downloaded file (the history as CSV, the ledger as JSON lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFile {
    pub text: String,
    /// The file name the server suggested (`Content-Disposition`), if it could be read.
    pub file_name: Option<String>,
}

/// Reads a consent receipt sent by the server.
pub fn parse_receipt(json: &str) -> Result<ConsentReceipt, ApiError> {
    serde_json::from_str(json).map_err(|_| ApiError::Server { status: 200 })
}

/// The file name of a `Content-Disposition` header (`attachment; filename="a.csv"`).
///
/// Only a plain name is taken: anything holding a path separator or a
/// control character is refused, and the caller falls back to its own name.
pub fn file_name_from_disposition(header: &str) -> Option<String> {
    let value = header.split(';').find_map(|part| {
        let (name, value) = part.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("filename")
            .then(|| value.trim())
    })?;
    let name = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let plain = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && !name
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\' | '"'));
    plain.then(|| name.to_owned())
}

pub(super) async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    response
        .json()
        .await
        .map_err(|_| ApiError::Server { status })
}

/// Reads a data-sharing document and its `ETag`.
///
/// The `ETag` header is the authority; when a cross-origin server does not
/// expose it, the tag is derived from the document (its version and notice
/// versions), which the API defines to be the same value.
pub(super) async fn versioned(response: Response) -> Result<(DataSharingDocument, ETag), ApiError> {
    let header = response.headers().get("etag");
    let document: DataSharingDocument = read_json(response).await?;
    let etag = header.unwrap_or_else(|| document.etag());
    Ok((document, etag))
}

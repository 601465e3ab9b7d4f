//! A request id on every request and every answer, and in every log line
//! written while the request is served, so one request can be followed
//! from a client's report through the logs of whichever process served it.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Span;

/// The header carrying the id, in both directions.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id taken from a caller.
const MAX_LEN: usize = 128;

/// Keeps a sane `X-Request-Id` from the caller (a proxy's or a client's),
/// or makes one, and returns it on the answer.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .filter(|value| is_sane(value.as_bytes()))
        .cloned()
        .unwrap_or_else(new_id);
    request.headers_mut().insert(X_REQUEST_ID, id.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(X_REQUEST_ID, id);
    response
}

/// The tracing span of a request: every log line inside carries its id.
pub fn span(request: &Request) -> Span {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}

/// 1 to 128 characters a log line can carry verbatim: letters, digits and `-_.:/+=@`.
fn is_sane(id: &[u8]) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(b))
}

fn new_id() -> HeaderValue {
    let id = uuid::Uuid::now_v7().simple().to_string();
    HeaderValue::from_str(&id).expect("a UUID is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards which caller ids are kept: what a log line can carry as it is.
    #[test]
    fn only_short_plain_ids_are_kept() {
        let long = "a".repeat(MAX_LEN + 1);
        for (id, kept) in [
            ("b7c1-42", true),
            ("Root=1-67891233-abcdef012345678912345678", true),
            ("req_01HZX.3:4/5+6=7@edge", true),
            (&long[..MAX_LEN], true),
            (long.as_str(), false),
            ("", false),
            ("two words", false),
            ("line\nbreak", false),
            ("quote\"", false),
            ("{\"json\":1}", false),
            ("naïve", false),
        ] {
            assert_eq!(is_sane(id.as_bytes()), kept, "{id:?}");
        }
    }
}

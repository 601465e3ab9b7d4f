//! Compact JWS with EdDSA (Ed25519), the one algorithm the ledger signs
//! with: made with the active ledger key, checked against a JWKS.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature::{UnparsedPublicKey, ED25519};
use serde::Deserialize;
use serde_json::Value;

/// The JWS media type a route answers with (`Accept: application/jose`).
pub const MEDIA_TYPE: &str = "application/jose";

/// Why a JWS is not one the ledger's keys signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("not a compact JWS (three base64url parts)")]
    Malformed,
    #[error("signed with {0:?}, not EdDSA")]
    Algorithm(String),
    #[error("signed with key {0:?}, which is not among the public keys")]
    UnknownKey(String),
    #[error("the signature does not match the content")]
    BadSignature,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: String,
    #[serde(default)]
    typ: String,
}

/// The `typ` a token's header names (`receipt+jws`), unchecked: read it
/// only of a token [`verify`] accepted.
pub fn typ(token: &str) -> Option<String> {
    let head = token.trim().split('.').next()?;
    let bytes = URL_SAFE_NO_PAD.decode(head).ok()?;
    serde_json::from_slice::<Header>(&bytes)
        .ok()
        .map(|header| header.typ)
        .filter(|typ| !typ.is_empty())
}

/// The header's base64url: `{"alg":"EdDSA","kid":…,"typ":…}`.
pub(crate) fn header(kid: &str, typ: &str) -> String {
    let header = serde_json::json!({"alg": "EdDSA", "kid": kid, "typ": typ});
    URL_SAFE_NO_PAD.encode(header.to_string())
}

/// Checks `token` against the Ed25519 keys of `jwks` (`{"keys": [...]}`)
/// and answers its key id and payload bytes.
pub fn verify(token: &str, jwks: &Value) -> Result<(String, Vec<u8>), JwsError> {
    let mut parts = token.trim().split('.');
    let (Some(head), Some(body), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwsError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| JwsError::Malformed)
    };
    let header: Header = serde_json::from_slice(&decode(head)?).map_err(|_| JwsError::Malformed)?;
    if header.alg != "EdDSA" {
        return Err(JwsError::Algorithm(header.alg));
    }
    let public = jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|k| k["kid"] == header.kid.as_str() && k["kty"] == "OKP" && k["crv"] == "Ed25519")
        .and_then(|k| k["x"].as_str())
        .and_then(|x| URL_SAFE_NO_PAD.decode(x).ok())
        .ok_or_else(|| JwsError::UnknownKey(header.kid.clone()))?;
    let signed = format!("{head}.{body}");
    UnparsedPublicKey::new(&ED25519, public)
        .verify(signed.as_bytes(), &decode(signature)?)
        .map_err(|_| JwsError::BadSignature)?;
    Ok((header.kid, decode(body)?))
}

//! Verifying a bearer token: which key, which algorithm, which claims.
//!
//! An HS256 token is checked with the shared key (if one is configured);
//! any other token with the identity provider's key its `kid` names, for
//! the algorithm that key verifies. `alg: none` and every algorithm no
//! configured key verifies are refused. `exp`, `iss`, `aud` and `sub` are
//! required; `exp` and `nbf` are checked with [`LEEWAY_SECS`] of leeway.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::claims::{ClaimMapping, Principal, Unmapped};
use super::hs256::TokenKeys;
use super::jwks::Jwks;
use super::verified::{digest, VerifiedTokens};

/// Clock difference allowed between the provider and this server, in seconds.
pub const LEEWAY_SECS: u64 = 30;

/// Everything needed to tell who a token speaks for.
pub struct TokenVerifier {
    /// The shared key, for HS256 tokens (development, existing set-ups).
    pub hs256: Option<TokenKeys>,
    /// The identity provider's keys, and the issuer its tokens carry.
    pub provider: Option<(Jwks, String)>,
    pub audience: String,
    pub mapping: ClaimMapping,
    /// Tokens verified lately, not verified again while they hold.
    pub verified: VerifiedTokens,
}

/// Why a token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefusal {
    /// Not a token, or one this server does not verify at all (401).
    #[error("the token is not a signed JWT this server accepts")]
    Malformed,
    /// The header names an algorithm no configured key verifies (401).
    #[error("the token's algorithm is not accepted")]
    Algorithm,
    /// The `kid` names no key the identity provider publishes (401).
    #[error("the token is signed with a key the identity provider does not publish")]
    UnknownKey,
    /// The signature does not match (401).
    #[error("the token's signature is not valid")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token is for another issuer")]
    Issuer,
    #[error("the token is for another audience")]
    Audience,
    /// A required claim is missing or of the wrong type (401).
    #[error("the token lacks a required claim")]
    Claims,
    /// The token is genuine but names no tenant or no mapped role (403).
    #[error(transparent)]
    Unmapped(#[from] Unmapped),
}

impl TokenRefusal {
    /// A short, stable name of the cause, for logs.
    pub fn cause(&self) -> &'static str {
        match self {
            TokenRefusal::Malformed => "malformed",
            TokenRefusal::Algorithm => "algorithm",
            TokenRefusal::UnknownKey => "unknown_kid",
            TokenRefusal::Signature => "signature",
            TokenRefusal::Expired => "expired",
            TokenRefusal::NotYetValid => "not_yet_valid",
            TokenRefusal::Issuer => "issuer",
            TokenRefusal::Audience => "audience",
            TokenRefusal::Claims => "claims",
            TokenRefusal::Unmapped(Unmapped::NoTenant { .. }) => "no_tenant",
            TokenRefusal::Unmapped(Unmapped::NoRole { .. }) => "no_role",
        }
    }
}

impl TokenVerifier {
    /// Who `token` speaks for, once its signature and claims hold.
    pub async fn verify(&self, token: &str) -> Result<Principal, TokenRefusal> {
        let digest = digest(token);
        // Read before verifying: keys fetched meanwhile make the result not reused.
        let keys = self.provider.as_ref().map_or(0, |(jwks, _)| jwks.fetches());
        if let Some(principal) = self.verified.get(&digest, keys) {
            return Ok(principal);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenRefusal::Malformed)?;
        let claims = if header.alg == Algorithm::HS256 {
            let keys = self.hs256.as_ref().ok_or(TokenRefusal::Algorithm)?;
            self.check(token, Algorithm::HS256, keys.decoding_key(), keys.issuer())?
        } else {
            let (jwks, issuer) = self.provider.as_ref().ok_or(TokenRefusal::Algorithm)?;
            let key = jwks
                .find(header.kid.as_deref())
                .await
                .ok_or(TokenRefusal::UnknownKey)?;
            // The key decides: a header naming another algorithm is refused.
            if key.algorithm != header.alg {
                return Err(TokenRefusal::Algorithm);
            }
            self.check(token, key.algorithm, &key.key, issuer)?
        };
        let principal = self.mapping.principal(&claims)?;
        if let Some(expires) = claims.get("exp").and_then(Value::as_u64) {
            self.verified.keep(digest, keys, expires, &principal);
        }
        Ok(principal)
    }

    fn check(
        &self,
        token: &str,
        algorithm: Algorithm,
        key: &DecodingKey,
        issuer: &str,
    ) -> Result<Map<String, Value>, TokenRefusal> {
        // `Validation::new` accepts only the algorithm it is given.
        let mut validation = Validation::new(algorithm);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
            .map_err(|error| refusal(error.kind()))?;
        let claims = data.claims;
        // `sub` must be a non-empty string (the library only checks presence).
        if claims
            .get("sub")
            .and_then(Value::as_str)
            .is_none_or(|sub| sub.trim().is_empty())
        {
            return Err(TokenRefusal::Claims);
        }
        Ok(claims)
    }
}

fn refusal(kind: &ErrorKind) -> TokenRefusal {
    match kind {
        ErrorKind::InvalidSignature => TokenRefusal::Signature,
        ErrorKind::ExpiredSignature => TokenRefusal::Expired,
        ErrorKind::ImmatureSignature => TokenRefusal::NotYetValid,
        ErrorKind::InvalidIssuer => TokenRefusal::Issuer,
        ErrorKind::InvalidAudience => TokenRefusal::Audience,
        ErrorKind::MissingRequiredClaim(_) => TokenRefusal::Claims,
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => TokenRefusal::Algorithm,
        _ => TokenRefusal::Malformed,
    }
}

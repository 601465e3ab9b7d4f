//! Tokens signed with a shared secret (HS256): the development tokens this
//! server issues, and the tokens of set-ups that share a key with the portal.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use consent_core::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::{Deserialize, Serialize};

/// How long a development token is valid.
pub const DEV_TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// The claims of a bearer token (see the API contract's "Auth").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The user's display name, recorded in the history.
    pub name: String,
    /// The tenant the user acts for.
    pub tenant: String,
    /// Role names. Unknown ones are ignored (a host may send its own), but
    /// a token without any known role is refused.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Issued at, seconds since the Unix epoch.
    #[serde(default)]
    pub iat: u64,
    pub iss: String,
    pub aud: String,
}

/// Signs and verifies tokens with one shared key.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
}

impl TokenKeys {
    /// Keys for `secret`; tokens must carry `issuer` and `audience`.
    pub fn new(secret: &str, issuer: &str, audience: &str) -> TokenKeys {
        TokenKeys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        }
    }

    /// A signed token for `sub`/`name` acting for `tenant` with `roles`, valid for `lifetime`.
    pub fn issue(
        &self,
        sub: &str,
        name: &str,
        tenant: &str,
        roles: &[Role],
        lifetime: Duration,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let claims = Claims {
            sub: sub.to_owned(),
            name: name.to_owned(),
            tenant: tenant.to_owned(),
            roles: roles.iter().map(|r| role_name(*r).to_owned()).collect(),
            exp: (now + lifetime).as_secs(),
            iat: now.as_secs(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        self.sign(&claims)
    }

    /// Signs arbitrary claims (tests use it to make expired or odd tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// The key that checks these tokens' signatures.
    pub(super) fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }

    /// The `iss` these tokens carry.
    pub(super) fn issuer(&self) -> &str {
        &self.issuer
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Reader => "reader",
    }
}

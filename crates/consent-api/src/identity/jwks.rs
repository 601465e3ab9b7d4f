//! The identity provider's public keys (a JWKS): where they come from, which
//! algorithm each one verifies, and when they are fetched again.
//!
//! The key decides the algorithm: an RSA key verifies RS256, a P-256 key
//! ES256 and an Ed25519 key EdDSA, and a token whose header names anything
//! else for that key is refused. Symmetric (`oct`) keys, encryption keys
//! and keys of other curves are left out of the set, so a public key can
//! never be used as an HMAC secret.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

/// An unknown `kid` fetches the keys again at most this often.
pub const UNKNOWN_KID_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// How long a fetch of the keys or of the discovery document may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// One usable public key.
#[derive(Clone)]
pub struct VerifyingKey {
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

/// The usable keys of a JWKS, by `kid`.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: HashMap<String, VerifyingKey>,
    /// Keys published without a `kid`, usable only when they are the only key.
    unnamed: Vec<VerifyingKey>,
}

impl KeySet {
    /// The usable keys of the JWKS document `document`; the others are skipped (and logged).
    pub fn parse(document: &Value) -> Result<KeySet, JwksError> {
        let entries = document
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(JwksError::NotAKeySet)?;
        let mut set = KeySet::default();
        for entry in entries {
            let kid = entry.get("kid").and_then(Value::as_str).map(str::to_owned);
            match usable_key(entry) {
                Ok(key) => match kid {
                    Some(kid) => {
                        set.keys.insert(kid, key);
                    }
                    None => set.unnamed.push(key),
                },
                Err(why) => tracing::debug!(kid = ?kid, why, "JWKS key left out"),
            }
        }
        Ok(set)
    }

    /// The key for a token's `kid`; without one, the set's only key.
    pub fn find(&self, kid: Option<&str>) -> Option<&VerifyingKey> {
        match kid {
            Some(kid) => self.keys.get(kid),
            None if self.keys.len() + self.unnamed.len() == 1 => {
                self.keys.values().chain(&self.unnamed).next()
            }
            None => None,
        }
    }

    /// How many usable keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len() + self.unnamed.len()
    }

    /// Whether the set holds no usable key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The algorithm a JWK verifies, or why it is not used.
fn usable_key(entry: &Value) -> Result<VerifyingKey, &'static str> {
    let jwk: Jwk =
        serde_json::from_value(entry.clone()).map_err(|_| "not a JWK this server reads")?;
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return Err("an encryption key");
    }
    let by_type = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
            Algorithm::ES256
        }
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        AlgorithmParameters::OctetKey(_) => return Err("a symmetric key"),
        _ => return Err("a curve other than P-256 and Ed25519"),
    };
    // A key that names its algorithm must name the one its type verifies.
    let named = match jwk.common.key_algorithm {
        None => None,
        Some(KeyAlgorithm::RS256) => Some(Algorithm::RS256),
        Some(KeyAlgorithm::ES256) => Some(Algorithm::ES256),
        Some(KeyAlgorithm::EdDSA) => Some(Algorithm::EdDSA),
        Some(_) => return Err("an algorithm other than RS256, ES256 and EdDSA"),
    };
    if named.is_some_and(|named| named != by_type) {
        return Err("its alg does not fit its key type");
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| "its key material is malformed")?;
    Ok(VerifyingKey {
        algorithm: by_type,
        key,
    })
}

/// Where the keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// A JWKS document at this address, fetched at start and again later.
    Url(String),
    /// A JWKS file, read once at start.
    File(PathBuf),
}

/// Why the keys cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    #[error("{url}: {source}")]
    Fetch { url: String, source: reqwest::Error },
    #[error("{url}: answered {status}")]
    Status { url: String, status: u16 },
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what} is not JSON: {source}")]
    Json {
        what: String,
        source: serde_json::Error,
    },
    #[error("the document has no \"keys\" list, so it is not a JWKS")]
    NotAKeySet,
    #[error("{0} holds no key this server can use (RS256, ES256 or EdDSA signing keys)")]
    NoUsableKey(String),
    #[error("the OpenID configuration of {issuer} names issuer {named:?}, not itself")]
    IssuerMismatch { issuer: String, named: String },
    #[error("the OpenID configuration of {0} has no jwks_uri")]
    NoJwksUri(String),
}

/// The current keys, fetched again every refresh period and when a token
/// names a key the set does not hold.
#[derive(Clone)]
pub struct Jwks {
    inner: Arc<JwksInner>,
}

struct JwksInner {
    source: JwksSource,
    keys: RwLock<KeySet>,
    /// When an unknown `kid` last made the keys be fetched; one fetch at a time.
    refetched: Mutex<Option<Instant>>,
    /// Successful fetches since loading: what was verified with older keys is checked again.
    fetches: AtomicU64,
    client: reqwest::Client,
}

impl Jwks {
    /// Reads the keys from `source` (refusing a source with no usable key).
    pub async fn load(source: JwksSource) -> Result<Jwks, JwksError> {
        let client = http_client();
        let keys = read(&client, &source).await?;
        Ok(Jwks {
            inner: Arc::new(JwksInner {
                source,
                keys: RwLock::new(keys),
                refetched: Mutex::new(None),
                fetches: AtomicU64::new(0),
                client,
            }),
        })
    }

    /// The key for `kid`, fetching the keys again first when it is unknown
    /// (a rotated provider key), at most once per
    /// [`UNKNOWN_KID_REFETCH_INTERVAL`].
    pub async fn find(&self, kid: Option<&str>) -> Option<VerifyingKey> {
        if let Some(key) = self.inner.keys.read().await.find(kid) {
            return Some(key.clone());
        }
        if matches!(self.inner.source, JwksSource::Url(_)) {
            let mut refetched = self.inner.refetched.lock().await;
            if refetched.is_none_or(|at| at.elapsed() >= UNKNOWN_KID_REFETCH_INTERVAL) {
                *refetched = Some(Instant::now());
                self.refetch().await;
            }
        }
        self.inner.keys.read().await.find(kid).cloned()
    }

    /// Fetches the keys again now (the periodic refresh); a failed fetch
    /// keeps the keys held.
    pub async fn refresh(&self) {
        self.refetch().await;
    }

    async fn refetch(&self) {
        match read(&self.inner.client, &self.inner.source).await {
            Ok(keys) => {
                tracing::info!(keys = keys.len(), "identity provider keys fetched");
                *self.inner.keys.write().await = keys;
                self.inner.fetches.fetch_add(1, Ordering::SeqCst);
            }
            Err(error) => {
                tracing::warn!(%error, "cannot fetch the identity provider's keys; keeping the ones held");
            }
        }
    }

    /// Refreshes the keys every `period` until the task is aborted.
    pub fn spawn_refresher(&self, period: Duration) -> tokio::task::JoinHandle<()> {
        let jwks = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            loop {
                ticks.tick().await;
                jwks.refresh().await;
            }
        })
    }

    /// How many times the keys were fetched again since loading.
    pub fn fetches(&self) -> u64 {
        self.inner.fetches.load(Ordering::SeqCst)
    }

    /// Whether the keys are fetched from an address (and so are refreshed).
    pub fn is_remote(&self) -> bool {
        matches!(self.inner.source, JwksSource::Url(_))
    }
}

/// The HTTP client for the identity provider: no redirects to elsewhere, a timeout.
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

async fn read(client: &reqwest::Client, source: &JwksSource) -> Result<KeySet, JwksError> {
    let (what, document) = match source {
        JwksSource::Url(url) => (url.clone(), get_json(client, url).await?),
        JwksSource::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| JwksError::File {
                path: path.clone(),
                source,
            })?;
            let what = path.display().to_string();
            let document = serde_json::from_str(&text).map_err(|source| JwksError::Json {
                what: what.clone(),
                source,
            })?;
            (what, document)
        }
    };
    let keys = KeySet::parse(&document)?;
    if keys.is_empty() {
        return Err(JwksError::NoUsableKey(what));
    }
    Ok(keys)
}

async fn get_json(client: &reqwest::Client, url: &str) -> Result<Value, JwksError> {
    let fetch = |source| JwksError::Fetch {
        url: url.to_owned(),
        source,
    };
    let answer = client.get(url).send().await.map_err(fetch)?;
    if !answer.status().is_success() {
        return Err(JwksError::Status {
            url: url.to_owned(),
            status: answer.status().as_u16(),
        });
    }
    let bytes = answer.bytes().await.map_err(fetch)?;
    serde_json::from_slice(&bytes).map_err(|source| JwksError::Json {
        what: url.to_owned(),
        source,
    })
}

/// OpenID discovery: the issuer's JWKS address, from
/// `<issuer>/.well-known/openid-configuration`, whose `issuer` must be the
/// issuer itself (OpenID Connect Discovery 1.0, section 4.3).
pub async fn discover(issuer: &str) -> Result<String, JwksError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let document = get_json(&http_client(), &url).await?;
    let named = document
        .get("issuer")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if named.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(JwksError::IssuerMismatch {
            issuer: issuer.to_owned(),
            named: named.to_owned(),
        });
    }
    document
        .get("jwks_uri")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| JwksError::NoJwksUri(issuer.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Guards that only signing keys of the three algorithms are used, each
    // for the algorithm its type verifies.
    #[test]
    fn the_key_decides_the_algorithm() {
        let rsa = json!({"kty": "RSA", "kid": "r", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw", "e": "AQAB"});
        let p256 = json!({"kty": "EC", "crv": "P-256", "kid": "e", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
        let ed25519 = json!({"kty": "OKP", "crv": "Ed25519", "kid": "d", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        let set = KeySet::parse(&json!({"keys": [
            rsa,
            p256,
            ed25519,
            {"kty": "oct", "kid": "secret", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": rsa["n"], "e": "AQAB"},
            {"kty": "RSA", "kid": "mislabelled", "alg": "ES256", "n": rsa["n"], "e": "AQAB"},
            {"kty": "RSA", "kid": "ps", "alg": "PS256", "n": rsa["n"], "e": "AQAB"},
            {"kty": "EC", "crv": "P-384", "kid": "p384", "x": "AA", "y": "AA"},
            {"kty": "what", "kid": "odd"},
        ]}))
        .unwrap();
        let found = |kid| set.find(Some(kid)).map(|k| k.algorithm);
        assert_eq!(found("r"), Some(Algorithm::RS256));
        assert_eq!(found("e"), Some(Algorithm::ES256));
        assert_eq!(found("d"), Some(Algorithm::EdDSA));
        for left_out in [
            "secret",
            "enc",
            "mislabelled",
            "ps",
            "p384",
            "odd",
            "missing",
        ] {
            assert!(found(left_out).is_none(), "{left_out}");
        }
        assert_eq!(set.len(), 3);
        // Without a kid, a token matches only a set of one key.
        assert!(set.find(None).is_none());
        let single = KeySet::parse(&json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})).unwrap();
        assert_eq!(
            single.find(None).map(|k| k.algorithm),
            Some(Algorithm::EdDSA)
        );
        assert!(matches!(
            KeySet::parse(&json!({"no": "keys"})),
            Err(JwksError::NotAKeySet)
        ));
    }
}

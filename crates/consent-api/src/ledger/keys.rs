//! The ledger's Ed25519 keys: one active key that signs, and the retired
//! ones still published so that what they signed stays checkable.
//!
//! A key file (`consent-api keys generate --out FILE`) is JSON:
//! `{"active": KID, "keys": [{"kid", "private_key": base64url PKCS#8, "created_at"}]}`.
//! Generating into an existing file adds a key and makes it the active
//! one: that is how the key is rotated.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::jws;

/// The development key's id; its seed is public, so nothing it signs proves anything.
pub const DEVELOPMENT_KID: &str = "development";
const DEVELOPMENT_SEED: [u8; 32] = *b"consent-api development only....";

/// Why a key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LedgerKeyError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {problem}", path.display())]
    Invalid { path: PathBuf, problem: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFile {
    active: String,
    keys: Vec<StoredKey>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredKey {
    kid: String,
    private_key: String,
    created_at: String,
}

/// The keys a server signs with and publishes.
pub struct LedgerKeys {
    kid: String,
    signer: Ed25519KeyPair,
    /// Every key's id and public key, the active one included.
    public: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for LedgerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerKeys")
            .field("kid", &self.kid)
            .field("published", &self.public.len())
            .finish_non_exhaustive()
    }
}

impl LedgerKeys {
    /// The development key (development mode without a key file).
    pub fn development() -> LedgerKeys {
        let signer = Ed25519KeyPair::from_seed_unchecked(&DEVELOPMENT_SEED)
            .expect("a 32-byte seed is an Ed25519 key");
        LedgerKeys {
            kid: DEVELOPMENT_KID.to_owned(),
            public: vec![(
                DEVELOPMENT_KID.to_owned(),
                signer.public_key().as_ref().to_vec(),
            )],
            signer,
        }
    }

    /// Reads the key file at `path`.
    pub fn load(path: &Path) -> Result<LedgerKeys, LedgerKeyError> {
        let invalid = |problem: String| LedgerKeyError::Invalid {
            path: path.to_owned(),
            problem,
        };
        let text = std::fs::read_to_string(path).map_err(|source| LedgerKeyError::Io {
            path: path.to_owned(),
            source,
        })?;
        let file: KeyFile = serde_json::from_str(&text)
            .map_err(|e| invalid(format!("not a ledger key file: {e}")))?;
        let mut public = Vec::with_capacity(file.keys.len());
        let mut active = None;
        for key in &file.keys {
            let pair = URL_SAFE_NO_PAD
                .decode(&key.private_key)
                .ok()
                .and_then(|der| Ed25519KeyPair::from_pkcs8(&der).ok())
                .ok_or_else(|| {
                    invalid(format!("key {:?} is not an Ed25519 PKCS#8 key", key.kid))
                })?;
            public.push((key.kid.clone(), pair.public_key().as_ref().to_vec()));
            if key.kid == file.active {
                active = Some(pair);
            }
        }
        let signer = active.ok_or_else(|| {
            invalid(format!(
                "the active key {:?} is not in the file",
                file.active
            ))
        })?;
        Ok(LedgerKeys {
            kid: file.active,
            signer,
            public,
        })
    }

    /// Adds a new key to the file at `path` (creating it, readable by its
    /// owner only) and makes it the active one; answers its id.
    pub fn generate(
        path: &Path,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<String, LedgerKeyError> {
        let io = |source| LedgerKeyError::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = match std::fs::read_to_string(path) {
            Ok(text) => {
                serde_json::from_str::<KeyFile>(&text).map_err(|e| LedgerKeyError::Invalid {
                    path: path.to_owned(),
                    problem: format!("not a ledger key file: {e}"),
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => KeyFile {
                active: String::new(),
                keys: Vec::new(),
            },
            Err(e) => return Err(io(e)),
        };
        let der = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| io(std::io::Error::other("no randomness for a new key")))?;
        let pair = Ed25519KeyPair::from_pkcs8(der.as_ref()).expect("a fresh key parses");
        // The id names the day and the key's first public bytes: readable, and unique in practice.
        let fingerprint: String = pair.public_key().as_ref()[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let kid = format!("ledger-{}-{fingerprint}", now.format("%Y-%m-%d"));
        file.keys.push(StoredKey {
            kid: kid.clone(),
            private_key: URL_SAFE_NO_PAD.encode(der.as_ref()),
            created_at: now.to_rfc3339(),
        });
        file.active = kid.clone();
        let text = serde_json::to_string_pretty(&file).expect("a key file serialises");
        let partial = PathBuf::from(format!("{}.partial", path.display()));
        write_private(&partial, text.as_bytes()).map_err(io)?;
        std::fs::rename(&partial, path).map_err(io)?;
        Ok(kid)
    }

    /// The active key's id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public keys as a JWKS, for `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .public
            .iter()
            .map(|(kid, x)| {
                json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                       "kid": kid, "x": URL_SAFE_NO_PAD.encode(x)})
            })
            .collect();
        json!({ "keys": keys })
    }

    /// `payload` as a compact JWS of type `typ`, signed with the active key.
    pub fn sign(&self, payload: &[u8], typ: &str) -> String {
        let signed = format!(
            "{}.{}",
            jws::header(&self.kid, typ),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let signature = self.signer.sign(signed.as_bytes());
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }
}

/// Writes a new file that only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Guards signing and checking: what a key signs checks against its
    // JWKS; a changed byte, or a key not in the set, does not.
    #[test]
    fn signed_payloads_check_against_the_published_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger-key.json");
        let first = LedgerKeys::generate(&path, chrono::Utc::now()).unwrap();
        let old = LedgerKeys::load(&path).unwrap();
        let token = old.sign(br#"{"n":1}"#, "receipt+jws");
        let second = LedgerKeys::generate(&path, chrono::Utc::now()).unwrap();
        assert_ne!(first, second);
        let keys = LedgerKeys::load(&path).unwrap();
        assert_eq!(keys.kid(), second, "the new key signs");
        let jwks = keys.jwks();
        assert_eq!(
            jws::verify(&token, &jwks),
            Ok((first, br#"{"n":1}"#.to_vec())),
            "the retired key still checks"
        );
        let mut bytes = token.into_bytes();
        let middle = bytes.len() / 2;
        bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(jws::verify(&tampered, &jwks).is_err());
        let development = LedgerKeys::development().sign(b"{}", "receipt+jws");
        assert_eq!(
            jws::verify(&development, &jwks),
            Err(jws::JwsError::UnknownKey(DEVELOPMENT_KID.to_owned()))
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only its owner reads the key file");
        }
    }
}

//! Tokens verified lately and who they speak for. A service sends the same
//! token with every request (a pipeline asks decision after decision), and
//! checking a provider's RSA signature costs more than the rest of such a
//! request. A token is taken from here only until it expires, for at most
//! [`KEEP_FOR`], and only while the provider's keys are those it was
//! checked with (a refetch of the keys starts over), so a removed key stops
//! its tokens as before. Refused tokens are not kept.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::claims::Principal;

/// The longest a verification is reused.
pub const KEEP_FOR: Duration = Duration::from_secs(60);
/// Tokens kept.
const CAPACITY: usize = 1000;

/// A SHA-256 of the token: what is kept is no credential.
type Digest = [u8; 32];

#[derive(Debug, Default)]
pub struct VerifiedTokens {
    entries: Mutex<HashMap<Digest, Verified>>,
}

#[derive(Debug)]
struct Verified {
    principal: Principal,
    /// The token's `exp`, seconds since the Unix epoch.
    expires: u64,
    verified_at: Instant,
    /// Which fetch of the provider's keys it was checked with.
    keys: u64,
}

/// The key a token is kept under.
pub fn digest(token: &str) -> Digest {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref());
    out
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl VerifiedTokens {
    fn lock(&self) -> MutexGuard<'_, HashMap<Digest, Verified>> {
        // Each step is one map operation: a poisoned map is still consistent.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Who the token with `digest` speaks for, if it was verified with the keys of fetch `keys` and still holds.
    pub fn get(&self, digest: &Digest, keys: u64) -> Option<Principal> {
        let entries = self.lock();
        let entry = entries.get(digest)?;
        (entry.keys == keys && entry.verified_at.elapsed() < KEEP_FOR && unix_now() < entry.expires)
            .then(|| entry.principal.clone())
    }

    /// Remembers a token just verified with the keys of fetch `keys`, which expires at `expires`.
    pub fn keep(&self, digest: Digest, keys: u64, expires: u64, principal: &Principal) {
        if unix_now() >= expires {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= CAPACITY && !entries.contains_key(&digest) {
            // Drop what no longer holds; if everything does, any one entry.
            entries.retain(|_, entry| {
                entry.verified_at.elapsed() < KEEP_FOR && unix_now() < entry.expires
            });
            if entries.len() >= CAPACITY {
                if let Some(victim) = entries.keys().next().copied() {
                    entries.remove(&victim);
                }
            }
        }
        entries.insert(
            digest,
            Verified {
                principal: principal.clone(),
                expires,
                verified_at: Instant::now(),
                keys,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use consent_core::Actor;

    use super::*;
    use crate::identity::ServiceCaller;

    fn service() -> Principal {
        Principal::Service(ServiceCaller {
            actor: Actor {
                id: "pipeline".to_owned(),
                name: "pipeline".to_owned(),
                roles: Vec::new(),
            },
            scopes: Vec::new(),
        })
    }

    // Guards reuse: only the same token, only with the keys it was checked
    // with, and never past its expiry.
    #[test]
    fn a_verification_is_reused_only_while_it_holds() {
        let tokens = VerifiedTokens::default();
        let token = digest("header.claims.signature");
        let in_an_hour = unix_now() + 3600;
        tokens.keep(token, 0, in_an_hour, &service());
        assert!(tokens.get(&token, 0).is_some());
        assert!(tokens.get(&digest("header.claims.other"), 0).is_none());
        assert!(
            tokens.get(&token, 1).is_none(),
            "the keys were fetched again"
        );

        let expired = digest("an.expired.token");
        tokens.keep(expired, 0, unix_now().saturating_sub(1), &service());
        assert!(tokens.get(&expired, 0).is_none());

        for i in 0..CAPACITY + 5 {
            tokens.keep(digest(&format!("t.{i}.s")), 0, in_an_hour, &service());
        }
        assert_eq!(tokens.lock().len(), CAPACITY);
    }
}

//! The hash chain of a tenant's consent history: each event is linked to
//! the one before it by hash, so that an auditor holding an export can tell
//! whether any event was changed, removed, added or moved since it was
//! recorded, without trusting whoever kept the database.
//!
//! An event's `hash` is the SHA-256 of the RFC 8785 canonical JSON of
//! `{"tenant", "n", "prev_hash", "event"}`: its tenant, its place in the
//! tenant's chain (1, 2, …), the hash of the event before it (`null` for
//! the first) and the event as the history shows it. Numbering the events
//! inside the hashed text is what lets a verifier tell a removed event from
//! two swapped ones.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::sha256_hex;

/// One event with its place in the chain, as exported (and as a verifier
/// reads it: the event is kept as the JSON it was, not re-encoded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainLink {
    pub tenant: String,
    pub n: u64,
    pub prev_hash: Option<String>,
    pub hash: String,
    pub event: Value,
}

/// An event with its RFC 8785 canonical JSON, made once: the service makes
/// it before taking the tenant's write lock, so that only the short hash of
/// the link is computed under the lock.
#[derive(Debug, Clone, PartialEq)]
pub struct CanonicalEvent {
    pub value: Value,
    pub text: String,
}

impl CanonicalEvent {
    pub fn new(value: Value) -> CanonicalEvent {
        // Plain JSON values always serialise; a failure could only be a bug here.
        let text = serde_jcs::to_string(&value).expect("JSON values serialise canonically");
        CanonicalEvent { value, text }
    }
}

/// The hash of the `n`th event of `tenant`'s chain, after `prev_hash`.
pub fn link_hash(tenant: &str, n: u64, prev_hash: Option<&str>, event: &Value) -> String {
    let event = serde_jcs::to_string(event).expect("JSON values serialise canonically");
    canonical_link_hash(tenant, n, prev_hash, &event)
}

/// [`link_hash`] of an event already in canonical form: the canonical JSON
/// of `{"tenant", "n", "prev_hash", "event"}` written out directly, its
/// keys in the order RFC 8785 sorts them.
fn canonical_link_hash(tenant: &str, n: u64, prev_hash: Option<&str>, event: &str) -> String {
    let string = |text: Option<&str>| serde_jcs::to_string(&text).expect("strings serialise");
    let text = format!(
        "{{\"event\":{event},\"n\":{n},\"prev_hash\":{},\"tenant\":{}}}",
        string(prev_hash),
        string(Some(tenant))
    );
    sha256_hex(&text)
}

impl ChainLink {
    /// Links `event` after `head` (the tenant's chain so far).
    pub fn after(head: &ChainHead, tenant: &str, event: CanonicalEvent) -> ChainLink {
        let n = head.count + 1;
        let hash = canonical_link_hash(tenant, n, head.hash.as_deref(), &event.text);
        ChainLink {
            tenant: tenant.to_owned(),
            n,
            prev_hash: head.hash.clone(),
            hash,
            event: event.value,
        }
    }

    /// Whether the link's hash is the hash of what it says.
    pub fn holds(&self) -> bool {
        link_hash(&self.tenant, self.n, self.prev_hash.as_deref(), &self.event) == self.hash
    }
}

/// Where a tenant's chain stands: how many events, and the newest one's hash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub count: u64,
    pub hash: Option<String>,
}

/// A signed statement of where a tenant's chain stood: the payload of a
/// checkpoint JWS. An export ends with one; the service signs one with
/// every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub tenant: String,
    pub count: u64,
    pub head_hash: Option<String>,
    /// When it was signed (RFC 3339).
    pub at: String,
}

impl Checkpoint {
    /// The chain's end it vouches for.
    pub fn head(&self) -> ChainHead {
        ChainHead {
            count: self.count,
            hash: self.head_hash.clone(),
        }
    }
}

/// How a chain was found broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// An event's content no longer matches its hash, or was re-hashed after
    /// the fact so that the next event no longer follows it.
    Edited,
    /// An event of the chain is absent.
    Missing,
    /// An event that does not belong: a second one with the same number,
    /// one of another tenant, or one after the signed end of the chain.
    Inserted,
    /// The events are all there, in another order.
    Reordered,
    /// The newest events were removed: fewer than the signed count.
    Truncated,
}

impl BreakKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakKind::Edited => "edited",
            BreakKind::Missing => "missing",
            BreakKind::Inserted => "inserted",
            BreakKind::Reordered => "reordered",
            BreakKind::Truncated => "truncated",
        }
    }
}

/// The first place a chain does not hold: the line (1-based, in the order
/// the events were given), what is wrong, and why in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub line: usize,
    pub kind: BreakKind,
    pub why: String,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: {}: {}",
            self.line,
            self.kind.as_str(),
            self.why
        )
    }
}

fn broken(line: usize, kind: BreakKind, why: String) -> ChainBreak {
    ChainBreak { line, kind, why }
}

/// Checks `tenant`'s chain as given (oldest first) and, when known, against
/// the signed `end` (count and newest hash of a checkpoint); answers where
/// the chain ends, or its first break.
///
/// The numbering is checked before the hashes, so that a removed event is
/// named as missing and two swapped events as reordered, rather than both
/// as a hash that does not follow.
pub fn verify_chain(
    tenant: &str,
    links: &[ChainLink],
    end: Option<&ChainHead>,
) -> Result<ChainHead, ChainBreak> {
    let line_of = |index: usize| index + 1;
    if let Some((index, link)) = links.iter().enumerate().find(|(_, l)| l.tenant != tenant) {
        return Err(broken(
            line_of(index),
            BreakKind::Inserted,
            format!(
                "the event belongs to tenant {:?}, not {tenant:?}",
                link.tenant
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (index, link) in links.iter().enumerate() {
        if link.n == 0 {
            return Err(broken(
                line_of(index),
                BreakKind::Inserted,
                "the event has no place in the chain: it was added after the fact".to_owned(),
            ));
        }
        if !seen.insert(link.n) {
            return Err(broken(
                line_of(index),
                BreakKind::Inserted,
                format!("a second event numbered {} in the chain", link.n),
            ));
        }
    }
    // Every number from 1 up to the highest is there once?
    let highest = links.iter().map(|l| l.n).max().unwrap_or(0);
    if let Some(absent) = (1..=highest).find(|n| !seen.contains(n)) {
        let index = links
            .iter()
            .position(|l| l.n > absent)
            .unwrap_or(links.len());
        return Err(broken(
            line_of(index),
            BreakKind::Missing,
            format!("event {absent} of the chain is not there"),
        ));
    }
    if let Some(index) = links
        .iter()
        .enumerate()
        .position(|(i, l)| l.n != line_of(i) as u64)
    {
        return Err(broken(
            line_of(index),
            BreakKind::Reordered,
            format!(
                "event {} is where event {} belongs",
                links[index].n,
                line_of(index)
            ),
        ));
    }
    let mut head = ChainHead::default();
    for (index, link) in links.iter().enumerate() {
        if !link.holds() {
            return Err(broken(
                line_of(index),
                BreakKind::Edited,
                "the event's content does not match its hash".to_owned(),
            ));
        }
        if link.prev_hash != head.hash {
            // This link holds, so the one before it was changed and re-hashed.
            return Err(broken(
                index,
                BreakKind::Edited,
                format!(
                    "the event was changed and re-hashed: event {} still names its old hash",
                    link.n
                ),
            ));
        }
        head = ChainHead {
            count: link.n,
            hash: Some(link.hash.clone()),
        };
    }
    match end {
        Some(end) if end.count > head.count => Err(broken(
            line_of(links.len()),
            BreakKind::Truncated,
            format!(
                "the checkpoint counts {} events, only {} are here: the newest were removed",
                end.count, head.count
            ),
        )),
        Some(end) if end.count < head.count => Err(broken(
            line_of(end.count as usize),
            BreakKind::Inserted,
            format!(
                "the checkpoint counts {} events: the {} after them were added later",
                end.count,
                head.count - end.count
            ),
        )),
        Some(end) if end.hash != head.hash => Err(broken(
            line_of(links.len().saturating_sub(1)),
            BreakKind::Edited,
            "the chain does not end with the hash the checkpoint signed: an event was \
             changed and the chain re-hashed after it"
                .to_owned(),
        )),
        _ => Ok(head),
    }
}

/// Checks `tenant`'s chain as [`verify_chain`] does, and that it still
/// holds what a checkpoint signed earlier vouched for: at least that many
/// events, the last of them with the signed hash. Events after it came later.
pub fn verify_chain_since(
    tenant: &str,
    links: &[ChainLink],
    signed: &ChainHead,
) -> Result<ChainHead, ChainBreak> {
    let head = verify_chain(tenant, links, None)?;
    if signed.count > head.count {
        return Err(broken(
            links.len() + 1,
            BreakKind::Truncated,
            format!(
                "a checkpoint signed {} events, only {} are here: the newest were removed",
                signed.count, head.count
            ),
        ));
    }
    let index = usize::try_from(signed.count).unwrap_or(usize::MAX);
    if let Some(link) = index.checked_sub(1).and_then(|i| links.get(i)) {
        if Some(&link.hash) != signed.hash.as_ref() {
            return Err(broken(
                index,
                BreakKind::Edited,
                "the event is not the one a checkpoint signed: the chain was changed and \
                 re-hashed up to here"
                    .to_owned(),
            ));
        }
    }
    Ok(head)
}

#[cfg(test)]
mod tests;

//! A tenant's ledger as a file an auditor checks offline: JSON lines, one
//! per event (`{"link": {tenant, n, prev_hash, hash, event}, "receipt":
//! JWS}`), ending with `{"checkpoint": JWS}` signed at export time; and
//! the check of such a file with nothing but the published keys.

use consent_core::chain::{verify_chain, BreakKind, ChainBreak, ChainHead, ChainLink, Checkpoint};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::jws::{self, JwsError};
use super::LedgerKeys;
use crate::store::{Store, CHECKPOINT_TYP};

/// The JWS `typ` of a signed receipt.
pub const RECEIPT_TYP: &str = "receipt+jws";

/// The media type of an export.
pub const MEDIA_TYPE: &str = "application/x-ndjson";

#[derive(Debug, Serialize, Deserialize)]
struct EventLine {
    link: ChainLink,
    receipt: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct EndLine {
    checkpoint: String,
}

/// `tenant_id`'s ledger as export lines (each without its newline), signed
/// with `keys`; `at` is the checkpoint's time.
pub async fn export(
    store: &Store,
    keys: &LedgerKeys,
    tenant_id: &str,
    at: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let events = store.ledger_of(tenant_id).await?;
    // The checkpoint vouches for the chain as exported: its newest link.
    let head = events
        .last()
        .map(|(link, _)| ChainHead {
            count: link.n,
            hash: Some(link.hash.clone()),
        })
        .unwrap_or_default();
    let mut lines = Vec::with_capacity(events.len() + 1);
    for (link, receipt) in events {
        let line = EventLine {
            receipt: keys.sign(receipt.as_bytes(), RECEIPT_TYP),
            link,
        };
        lines.push(serde_json::to_string(&line).expect("an export line serialises"));
    }
    let checkpoint = Checkpoint {
        tenant: tenant_id.to_owned(),
        count: head.count,
        head_hash: head.hash,
        at: at.to_owned(),
    };
    let payload = serde_json::to_vec(&checkpoint).expect("a checkpoint serialises");
    let end = EndLine {
        checkpoint: keys.sign(&payload, CHECKPOINT_TYP),
    };
    lines.push(serde_json::to_string(&end).expect("an export line serialises"));
    Ok(lines)
}

/// What a check of a file found when everything holds: a whole ledger, or
/// one signed document (a receipt, a checkpoint).
#[derive(Debug, Clone, PartialEq)]
pub enum Checked {
    Ledger(Verified),
    Document(SignedDocument),
}

/// One signed document whose signature holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedDocument {
    /// What it is, as its header says (`receipt+jws`).
    pub typ: String,
    pub kid: String,
    pub payload: Value,
}

impl std::fmt::Display for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Checked::Ledger(v) => write!(
                f,
                "ok: tenant {}, {} event{}, every link and signature holds; checkpoint signed by {} at {}",
                v.tenant,
                v.events,
                if v.events == 1 { "" } else { "s" },
                v.kid,
                v.at
            ),
            Checked::Document(d) if d.typ == RECEIPT_TYP => write!(
                f,
                "ok: receipt {} for tenant {}, event hash {}, signed by {}",
                d.payload["receipt_id"].as_str().unwrap_or("?"),
                d.payload["principal"]["id"].as_str().unwrap_or("?"),
                d.payload["event_hash"].as_str().unwrap_or("none (issued before the chain)"),
                d.kid
            ),
            Checked::Document(d) if d.typ == crate::http::deletions::CERTIFICATE_TYP => write!(
                f,
                "ok: deletion certificate for tenant {}, {} opt-out {}, {} data stores attested, signed by {}",
                d.payload["tenant"].as_str().unwrap_or("?"),
                d.payload["program"].as_str().unwrap_or("?"),
                d.payload["opt_out_event_id"].as_str().unwrap_or("?"),
                d.payload["deletions"].as_array().map_or(0, Vec::len),
                d.kid
            ),
            Checked::Document(d) => write!(f, "ok: {} signed by {}", d.typ, d.kid),
        }
    }
}

/// Checks a file an auditor holds: an export (JSON lines, see
/// [`verify_export`]) or a single compact JWS such as a signed receipt,
/// whose signature must hold and whose content must be JSON.
pub fn verify_file(text: &str, jwks: &Value) -> Result<Checked, ExportProblem> {
    let token = text.trim();
    if token.starts_with('{') || token.contains('\n') {
        return verify_export(text, jwks).map(Checked::Ledger);
    }
    let (kid, payload) =
        jws::verify(token, jwks).map_err(|e| signature_problem(1, "document", e))?;
    let payload = serde_json::from_slice(&payload).map_err(|e| {
        problem(
            1,
            "malformed",
            format!("the signed content is not JSON: {e}"),
        )
    })?;
    Ok(Checked::Document(SignedDocument {
        typ: jws::typ(token).unwrap_or_else(|| "document".to_owned()),
        kid,
        payload,
    }))
}

/// What a check of an export found when everything holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub tenant: String,
    pub events: u64,
    /// The key that signed the checkpoint, and when.
    pub kid: String,
    pub at: String,
}

/// The first thing wrong with an export: its line (1-based) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}: {why}")]
pub struct ExportProblem {
    pub line: usize,
    /// `edited`, `missing`, `inserted`, `reordered`, `truncated`,
    /// `unknown key`, `bad signature` or `malformed`.
    pub kind: &'static str,
    pub why: String,
}

fn problem(line: usize, kind: &'static str, why: impl Into<String>) -> ExportProblem {
    ExportProblem {
        line,
        kind,
        why: why.into(),
    }
}

fn signature_problem(line: usize, what: &str, error: JwsError) -> ExportProblem {
    let kind = match error {
        JwsError::UnknownKey(_) => "unknown key",
        JwsError::BadSignature => "bad signature",
        JwsError::Malformed | JwsError::Algorithm(_) => "malformed",
    };
    problem(line, kind, format!("the {what}: {error}"))
}

impl From<ChainBreak> for ExportProblem {
    fn from(broken: ChainBreak) -> ExportProblem {
        problem(broken.line, broken.kind.as_str(), broken.why)
    }
}

/// The links of event lines `lines` (the first being line `offset + 1`),
/// each line's receipt checked against `jwks` and against its event.
fn event_links(
    lines: &[&str],
    offset: usize,
    jwks: &Value,
) -> Result<Vec<ChainLink>, ExportProblem> {
    let mut links = Vec::with_capacity(lines.len());
    for (index, text) in lines.iter().enumerate() {
        let line = offset + index + 1;
        let event: EventLine = serde_json::from_str(text)
            .map_err(|e| problem(line, "malformed", format!("not an event line: {e}")))?;
        let (_, receipt) =
            jws::verify(&event.receipt, jwks).map_err(|e| signature_problem(line, "receipt", e))?;
        let receipt: Value = serde_json::from_slice(&receipt)
            .map_err(|e| problem(line, "malformed", format!("the receipt: {e}")))?;
        let names_event = receipt["event_id"] == event.link.event["id"];
        let names_hash = match receipt["event_hash"].as_str() {
            Some(hash) => hash == event.link.hash,
            // Issued before the chain existed: it cannot name a hash.
            None => receipt.get("event_hash").is_none(),
        };
        if !names_event || !names_hash {
            return Err(problem(
                line,
                BreakKind::Edited.as_str(),
                "the signed receipt is for another event than the one on this line",
            ));
        }
        links.push(event.link);
    }
    Ok(links)
}

/// Checks an export (`text`) against the public keys `jwks`: every
/// receipt's signature and that it belongs to its event, every hash link,
/// and the closing checkpoint's signature, count and newest hash.
pub fn verify_export(text: &str, jwks: &Value) -> Result<Verified, ExportProblem> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let Some((last, events)) = lines.split_last() else {
        return Err(problem(
            1,
            BreakKind::Truncated.as_str(),
            "the file is empty",
        ));
    };
    let end_line = lines.len();
    let end: EndLine = serde_json::from_str(last).map_err(|_| {
        problem(
            end_line,
            BreakKind::Truncated.as_str(),
            "the file does not end with its checkpoint: it was cut off",
        )
    })?;
    let (kid, payload) = jws::verify(&end.checkpoint, jwks)
        .map_err(|e| signature_problem(end_line, "checkpoint", e))?;
    let checkpoint: Checkpoint = serde_json::from_slice(&payload)
        .map_err(|e| problem(end_line, "malformed", format!("the checkpoint: {e}")))?;
    // Checking signatures is most of the work and each line stands alone,
    // so the lines are checked in consecutive runs on every core; the first
    // bad line of the earliest run that has one is the file's first.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let per_thread = events.len().div_ceil(threads).max(1);
    let runs: Vec<Result<Vec<ChainLink>, ExportProblem>> = std::thread::scope(|scope| {
        let workers: Vec<_> = events
            .chunks(per_thread)
            .enumerate()
            .map(|(run, lines)| scope.spawn(move || event_links(lines, run * per_thread, jwks)))
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a verifying thread does not panic"))
            .collect()
    });
    let mut links = Vec::with_capacity(events.len());
    for run in runs {
        links.extend(run?);
    }
    verify_chain(&checkpoint.tenant, &links, Some(&checkpoint.head()))?;
    Ok(Verified {
        tenant: checkpoint.tenant,
        events: checkpoint.count,
        kid,
        at: checkpoint.at,
    })
}

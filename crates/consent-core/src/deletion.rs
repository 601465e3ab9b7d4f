//! Deletion obligations: after an opt-out, each data store that holds the
//! program's shared data owes a deletion by a due date, and is done only
//! when it attests one. Which stores there are comes from configuration
//! (`stores.json`); the due dates and the status of an obligation are
//! decided here, once, for the server and the page alike.

use chrono::{Days, Months};
use serde::{Deserialize, Serialize};

use crate::{ProgramId, Timestamp};

/// How long a store may keep a program's data after an opt-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineRule {
    Days(u32),
    Months(u32),
}

impl DeadlineRule {
    /// The moment the data must be gone for an opt-out at `opted_out_at`.
    ///
    /// Months count on the calendar (the 29 February plus 12 months is
    /// the 28 February); a date past what the calendar holds is the last
    /// instant it does.
    pub fn due_by(self, opted_out_at: Timestamp) -> Timestamp {
        let due = match self {
            DeadlineRule::Days(days) => opted_out_at.checked_add_days(Days::new(days.into())),
            DeadlineRule::Months(months) => opted_out_at.checked_add_months(Months::new(months)),
        };
        due.unwrap_or(Timestamp::MAX_UTC)
    }
}

/// A data store that holds shared data of one program, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataStore {
    /// Lowercase letters, digits and hyphens; names the store in the API.
    pub id: String,
    /// What people call it ("Copilot interaction store").
    pub name: String,
    pub program: ProgramId,
    /// The kinds of data it holds ("prompts and responses").
    pub categories: Vec<String>,
    pub deadline: DeadlineRule,
    /// The service principal (OAuth client) allowed to attest for it.
    pub client_id: String,
}

/// One store as written in `stores.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreEntry {
    id: String,
    name: String,
    program: String,
    categories: Vec<String>,
    #[serde(default)]
    deadline_days: Option<u32>,
    #[serde(default)]
    deadline_months: Option<u32>,
    client_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoresFile {
    stores: Vec<StoreEntry>,
}

/// What is wrong with a stores file: the field (`stores[2].client_id`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct StoresProblem {
    pub field: String,
    pub why: String,
}

/// The configured data stores.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreCatalog {
    stores: Vec<DataStore>,
}

impl StoreCatalog {
    /// Reads a stores file's JSON; every program must have a store, since
    /// an opt-out with nothing to delete could not be told from a
    /// forgotten store.
    pub fn parse(text: &str) -> Result<StoreCatalog, StoresProblem> {
        let file: StoresFile = serde_json::from_str(text).map_err(|e| StoresProblem {
            field: "stores".to_owned(),
            why: format!("not a stores file: {e}"),
        })?;
        let mut stores: Vec<DataStore> = Vec::with_capacity(file.stores.len());
        for (index, entry) in file.stores.into_iter().enumerate() {
            let problem = |name: &str, why: &str| StoresProblem {
                field: format!("stores[{index}].{name}"),
                why: why.to_owned(),
            };
            let valid_id = !entry.id.is_empty()
                && entry.id.len() <= 64
                && entry
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid_id {
                return Err(problem(
                    "id",
                    "1 to 64 lowercase letters, digits and hyphens",
                ));
            }
            if stores.iter().any(|s| s.id == entry.id) {
                return Err(problem("id", "another store has this id"));
            }
            if entry.name.trim().is_empty() {
                return Err(problem("name", "give the store a name people know it by"));
            }
            let program = ProgramId::parse(&entry.program)
                .ok_or_else(|| problem("program", "not a program: copilot or marketing"))?;
            if entry.categories.is_empty() || entry.categories.iter().any(|c| c.trim().is_empty()) {
                return Err(problem(
                    "categories",
                    "name each kind of data the store holds",
                ));
            }
            let deadline = match (entry.deadline_days, entry.deadline_months) {
                (Some(days), None) if days > 0 => DeadlineRule::Days(days),
                (None, Some(months)) if months > 0 => DeadlineRule::Months(months),
                (Some(_), Some(_)) => {
                    return Err(problem(
                        "deadline_days",
                        "give deadline_days or deadline_months, not both",
                    ))
                }
                (None, None) => {
                    return Err(problem(
                        "deadline_days",
                        "give deadline_days or deadline_months",
                    ))
                }
                (Some(_), None) => {
                    return Err(problem("deadline_days", "a deadline of 1 day or more"))
                }
                (None, Some(_)) => {
                    return Err(problem("deadline_months", "a deadline of 1 month or more"))
                }
            };
            if entry.client_id.trim().is_empty() {
                return Err(problem(
                    "client_id",
                    "name the client allowed to attest for the store",
                ));
            }
            stores.push(DataStore {
                id: entry.id,
                name: entry.name,
                program,
                categories: entry.categories,
                deadline,
                client_id: entry.client_id,
            });
        }
        if let Some(program) = ProgramId::ALL
            .into_iter()
            .find(|p| !stores.iter().any(|s| s.program == *p))
        {
            return Err(StoresProblem {
                field: "stores".to_owned(),
                why: format!("no store holds {program} data: every program needs at least one"),
            });
        }
        Ok(StoreCatalog { stores })
    }

    /// The stores of `program`, in the file's order.
    pub fn for_program(&self, program: ProgramId) -> impl Iterator<Item = &DataStore> {
        self.stores.iter().filter(move |s| s.program == program)
    }

    /// The store named `id`.
    pub fn get(&self, id: &str) -> Option<&DataStore> {
        self.stores.iter().find(|s| s.id == id)
    }

    /// Every store, in the file's order.
    pub fn all(&self) -> &[DataStore] {
        &self.stores
    }
}

/// Where an obligation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ObligationStatus {
    /// Not attested, and not yet due.
    Open,
    /// Not attested, and past its due date: never shown as done.
    Overdue,
    /// Attested by its store.
    Done,
}

impl ObligationStatus {
    /// The status of an obligation due at `due_by` at `now`: done only once attested.
    pub fn of(due_by: Timestamp, attested: bool, now: Timestamp) -> ObligationStatus {
        match (attested, now >= due_by) {
            (true, _) => ObligationStatus::Done,
            (false, true) => ObligationStatus::Overdue,
            (false, false) => ObligationStatus::Open,
        }
    }

    /// The wire name (`open`, `overdue`, `done`).
    pub fn as_str(self) -> &'static str {
        match self {
            ObligationStatus::Open => "open",
            ObligationStatus::Overdue => "overdue",
            ObligationStatus::Done => "done",
        }
    }

    pub fn parse(name: &str) -> Option<ObligationStatus> {
        [
            ObligationStatus::Open,
            ObligationStatus::Overdue,
            ObligationStatus::Done,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// What a store says it deleted, as it sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AttestationRequest {
    /// When the deletion finished: not in the future, not before the opt-out.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub completed_at: Timestamp,
    /// How many items were deleted (0 when the store held none).
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub items_deleted: u64,
    /// How they were deleted ("crypto-shredding of the tenant's key").
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub method: String,
    /// Where the store's own evidence is (a ticket, a job run id).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub evidence_ref: String,
}

/// The longest method and evidence reference an attestation may carry.
pub const MAX_METHOD_LEN: usize = 200;
pub const MAX_EVIDENCE_LEN: usize = 500;

impl AttestationRequest {
    /// Whether the attestation can be true of an opt-out at `opted_out_at`,
    /// told at `now`: the field at fault and why, if not.
    pub fn check(
        &self,
        opted_out_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), (&'static str, String)> {
        if self.completed_at > now {
            return Err((
                "completed_at",
                "the deletion cannot have finished in the future".to_owned(),
            ));
        }
        if self.completed_at < opted_out_at {
            return Err((
                "completed_at",
                format!("the deletion cannot have finished before the opt-out at {opted_out_at}"),
            ));
        }
        for (field, text, max) in [
            ("method", &self.method, MAX_METHOD_LEN),
            ("evidence_ref", &self.evidence_ref, MAX_EVIDENCE_LEN),
        ] {
            if text.trim().is_empty() {
                return Err((field, "must not be empty".to_owned()));
            }
            if text.chars().count() > max || text.chars().any(char::is_control) {
                return Err((
                    field,
                    format!("at most {max} characters, no control characters"),
                ));
            }
        }
        Ok(())
    }
}

/// A store's attestation as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attestation {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub completed_at: Timestamp,
    pub items_deleted: u64,
    pub method: String,
    pub evidence_ref: String,
    /// The client that attested.
    pub attested_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub attested_at: Timestamp,
    /// The `deletion_attested` event in the tenant's history.
    pub event_id: String,
}

/// One store's obligation after one opt-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletionObligation {
    pub id: String,
    pub store: String,
    /// The store's name, as people know it.
    pub store_name: String,
    pub tenant: String,
    pub program: ProgramId,
    pub opt_out_event_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub due_by: Timestamp,
    pub status: ObligationStatus,
    pub attestation: Option<Attestation>,
}

/// An opt-out and its obligations, as a tenant's deletions list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptOutDeletions {
    pub event_id: String,
    pub program: ProgramId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub at: Timestamp,
    pub obligations: Vec<DeletionObligation>,
}

impl OptOutDeletions {
    /// How many stores confirmed, of how many.
    pub fn confirmed(&self) -> (usize, usize) {
        let done = self
            .obligations
            .iter()
            .filter(|o| o.status == ObligationStatus::Done)
            .count();
        (done, self.obligations.len())
    }

    /// Whether every store attested (and so a certificate can be issued).
    pub fn complete(&self) -> bool {
        !self.obligations.is_empty()
            && self
                .obligations
                .iter()
                .all(|o| o.status == ObligationStatus::Done)
    }
}

/// `GET /api/v1/tenants/{t}/deletions`: newest opt-out first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantDeletions {
    pub opt_outs: Vec<OptOutDeletions>,
}

/// One store's attested deletion, as a certificate lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertifiedDeletion {
    pub store: String,
    pub name: String,
    pub categories: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub due_by: Timestamp,
    pub attestation: Attestation,
}

/// The payload of a deletion certificate (a JWS signed with the ledger
/// key): every store of an opt-out, what it deleted, when and how, and
/// what the service keeps on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletionCertificate {
    pub tenant: String,
    pub program: ProgramId,
    pub opt_out_event_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub opted_out_at: Timestamp,
    pub deletions: Vec<CertifiedDeletion>,
    /// What stays on purpose, in words ("the consent history and receipts").
    pub kept: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    #[serde(with = "crate::instant::rfc3339")]
    pub issued_at: Timestamp,
}

/// What the service keeps after every store deleted: the record of consent
/// itself, which holds no shared data.
pub const KEPT_ON_PURPOSE: &str = "The consent history, its receipts and this certificate: \
    the record of what was agreed and deleted, which holds none of the shared data.";

#[cfg(test)]
mod tests;

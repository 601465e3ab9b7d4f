//! The operator's tenant tools: `consent-api tenants import --file F`
//! registers a CSV file's tenants in one transaction, by the same rules as
//! `PUT /api/v1/tenants/{id}`; `consent-api tenants list` writes them out.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::Path;

use consent_core::tenant::checked_tenant;
use consent_core::{Actor, Tenant};

use crate::notices::{self, ContentError, SharedNotices};
use crate::service::tenant::TenantService;
use crate::store::{OpenError, Registered, Store};

/// How the operator's tools are named in the history.
pub const OPERATOR_ACTOR_ID: &str = "consent-api-tenants-import";

/// Tenants listed per database read.
const LIST_PAGE: u32 = 500;

/// Why an import or listing failed; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum TenantToolError {
    #[error("{}: {source}", path.display())]
    File {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{file}, line {line}: {message}; nothing was imported")]
    Line {
        file: String,
        line: u64,
        message: String,
    },
    #[error("{0}: the file has no tenants; nothing was imported")]
    Empty(String),
    #[error(transparent)]
    Database(#[from] OpenError),
    #[error(transparent)]
    Content(#[from] ContentError),
    #[error(transparent)]
    Stores(#[from] crate::stores::StoresError),
    #[error("the database failed; nothing was imported: {0}")]
    Store(#[from] sqlx::Error),
    #[error("cannot write the list: {0}")]
    Write(#[from] csv::Error),
}

/// What an import did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} tenants: {} created, {} updated, {} unchanged",
            self.created + self.updated + self.unchanged,
            self.created,
            self.updated,
            self.unchanged
        )
    }
}

/// The tenants of a CSV file with the header `id,name,region`, every line
/// checked; the first bad line is named.
pub fn read_tenants(file: &Path) -> Result<Vec<Tenant>, TenantToolError> {
    let shown = file.display().to_string();
    let line_error = |line: u64, message: String| TenantToolError::Line {
        file: shown.clone(),
        line,
        message,
    };
    let opened = std::fs::File::open(file).map_err(|source| TenantToolError::File {
        path: file.to_owned(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::Headers)
        .from_reader(opened);
    let header = reader
        .headers()
        .map_err(|e| line_error(1, e.to_string()))?
        .clone();
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    if names != ["id", "name", "region"] {
        return Err(line_error(
            1,
            format!(
                "the header must be id,name,region, not {}",
                header.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    let mut tenants = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            line_error(line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or_default();
        let tenant = checked_tenant(field(0).trim(), field(1), field(2).trim())
            .map_err(|problem| line_error(line, format!("{}: {problem}", problem.field())))?;
        if let Some(first) = seen.insert(tenant.id.clone(), line) {
            return Err(line_error(
                line,
                format!("tenant {:?} is already on line {first}", tenant.id),
            ));
        }
        tenants.push(tenant);
    }
    if tenants.is_empty() {
        return Err(TenantToolError::Empty(shown));
    }
    Ok(tenants)
}

/// Registers the tenants of `file` in `database_url`, all or nothing.
pub async fn import(
    database_url: &str,
    content_dir: &Path,
    file: &Path,
) -> Result<ImportSummary, TenantToolError> {
    let tenants = read_tenants(file)?;
    let catalog = notices::load(content_dir)?;
    let stores = crate::stores::load(&content_dir.join("stores.json"))?;
    let store = Store::open(database_url).await?;
    let service = TenantService::new(
        store.clone(),
        SharedNotices::new(catalog),
        std::sync::Arc::new(stores),
        crate::state::system_clock(),
    );
    let operator = Actor {
        id: OPERATOR_ACTOR_ID.to_owned(),
        name: OPERATOR_ACTOR_ID.to_owned(),
        roles: Vec::new(),
    };
    let outcome = service.register(&operator, &tenants).await;
    store.close().await;
    let mut summary = ImportSummary::default();
    for registered in outcome? {
        match registered {
            Registered::Created(_) => summary.created += 1,
            Registered::Updated(..) => summary.updated += 1,
            Registered::Unchanged(_) => summary.unchanged += 1,
        }
    }
    Ok(summary)
}

/// Writes every tenant of `database_url` to `out` as CSV, in id order.
pub async fn list(database_url: &str, out: &mut impl Write) -> Result<(), TenantToolError> {
    let store = Store::open(database_url).await?;
    let written = write_all(&store, out).await;
    store.close().await;
    written
}

async fn write_all(store: &Store, out: &mut impl Write) -> Result<(), TenantToolError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["id", "name", "region", "created_at"])?;
    let mut after: Option<String> = None;
    loop {
        let page = store.tenants(after.as_deref(), LIST_PAGE).await?;
        for record in &page {
            writer.write_record([
                record.tenant.id.as_str(),
                record.tenant.name.as_str(),
                record.tenant.region.code(),
                &record
                    .created_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ])?;
        }
        match page.last() {
            Some(last) if page.len() == LIST_PAGE as usize => after = Some(last.tenant.id.clone()),
            _ => break,
        }
    }
    writer.flush().map_err(csv::Error::from)?;
    Ok(())
}

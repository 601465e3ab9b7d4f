//! Opening a database: connecting, creating SQLite's directory, migrating.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::writer::SqliteWriter;
use super::{Backend, Pool, Store};

/// Why the database cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("database URL {url:?} is not supported: use a sqlite:// or postgres:// URL")]
    UnsupportedUrl { url: String },
    #[error("cannot create the data directory {}: {source}", dir.display())]
    DataDir {
        dir: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database {url:?}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot chain the events recorded before the ledger chain existed: {0}")]
    Chain(sqlx::Error),
}

/// Connections per server process. Several processes may share one
/// PostgreSQL server, whose own limit (100 by default) is for all of them.
const MAX_CONNECTIONS: u32 = 8;

impl Store {
    /// Opens the database at `url` and migrates it: a `sqlite://` file
    /// (created if missing) or an existing `postgres://` database.
    ///
    /// SQLite runs in WAL mode with full sync (a stored consent must survive
    /// a power cut) and foreign keys on. PostgreSQL commits durably by its
    /// own defaults (`fsync`, `synchronous_commit`).
    ///
    /// Events recorded before the ledger chain existed are chained then, in
    /// the order they were recorded (once; later opens find none).
    pub async fn open(url: &str) -> Result<Store, OpenError> {
        let store = Store::open_as_found(url).await?;
        let chained = store.chain_unlinked().await.map_err(OpenError::Chain)?;
        if chained > 0 {
            tracing::info!(
                events = chained,
                "chained the events recorded before the ledger chain"
            );
        }
        Ok(store)
    }

    /// Opens and migrates, changing no row: for checking a ledger as it is.
    pub async fn open_as_found(url: &str) -> Result<Store, OpenError> {
        match Backend::of_url(url) {
            Some(Backend::Sqlite) => Store::open_sqlite(url).await,
            Some(Backend::Postgres) => Store::open_postgres(url).await,
            None => Err(OpenError::UnsupportedUrl { url: redacted(url) }),
        }
    }

    async fn open_sqlite(url: &str) -> Result<Store, OpenError> {
        let connect = |source| OpenError::Connect {
            url: url.to_owned(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url)
            .map_err(connect)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Writers queue on SQLite's single write lock; wait rather than fail.
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options
            .get_filename()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            create_dir(dir)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options.clone())
            .await
            .map_err(connect)?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        // One writer: changes queue in the process, not in SQLite's busy
        // handler; readers keep the other connections (WAL lets them read
        // while it writes).
        let write_pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(connect)?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
            writer: Some(SqliteWriter::start(write_pool.clone())),
            write_pool: Some(write_pool),
            feed_signal: Default::default(),
            decision_cache: Default::default(),
            signer: Default::default(),
            metrics: Default::default(),
        })
    }

    async fn open_postgres(url: &str) -> Result<Store, OpenError> {
        // The URL may carry a password: errors name the database, never the URL.
        let connect = |source| OpenError::Connect {
            url: redacted(url),
            source,
        };
        let options = PgConnectOptions::from_str(url)
            .map_err(connect)?
            .application_name("consent-api");
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            // A request waits this long for a connection, then fails; readiness shows why.
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(connect)?;
        // Concurrent starts of several processes migrate once: sqlx holds an
        // advisory lock while it migrates.
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Store {
            pool: Pool::Postgres(pool),
            write_pool: None,
            writer: None,
            feed_signal: Default::default(),
            decision_cache: Default::default(),
            signer: Default::default(),
            metrics: Default::default(),
        })
    }
}

/// `url` without its password, for messages and logs.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

fn create_dir(dir: &Path) -> Result<(), OpenError> {
    std::fs::create_dir_all(dir).map_err(|source| OpenError::DataDir {
        dir: dir.to_owned(),
        source,
    })
}

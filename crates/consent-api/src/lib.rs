//! The reference consent API server.
//!
//! [`App::start`] loads the notices, opens and migrates the database and
//! builds the routes; [`App::serve`] answers on a listener. [`run`] does both
//! for the binary, announcing `listening on http://ADDR` on stdout once the
//! socket accepts connections. Tests start the same [`App`] in-process.

pub mod cli;
pub mod config;
pub mod http;
pub mod identity;
pub mod ledger;
pub mod limits;
pub mod metrics;
pub mod notices;
pub mod seed;
pub mod service;
pub mod state;
pub mod store;
pub mod stores;
pub mod sweep;
pub mod tenants;
pub mod web;

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

pub use config::{Command, Config, ConfigError, LogFormat};
pub use state::{system_clock, Clock};

use config::IdentityProvider;
use identity::jwks::{self, Jwks, JwksError, JwksSource};
use identity::{TokenKeys, TokenVerifier};
use ledger::{LedgerKeyError, LedgerKeys};
use notices::{ContentError, SharedNotices};
use state::AppState;
use store::{BackupError, BackupSummary, OpenError, PublishError, Store};

/// Why the server cannot start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Content(#[from] ContentError),
    #[error(transparent)]
    Database(#[from] OpenError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error("cannot seed the development tenants: {0}")]
    Seed(sqlx::Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
    #[error(transparent)]
    WebApp(#[from] web::WebAppError),
    #[error("cannot read the identity provider's keys: {0}")]
    Keys(#[from] JwksError),
    #[error("cannot read the ledger key: {0}")]
    LedgerKey(#[from] LedgerKeyError),
    #[error(transparent)]
    Stores(#[from] stores::StoresError),
}

/// A ready server: notices loaded, database migrated, routes built.
pub struct App {
    state: AppState,
    router: Router,
    sweep_interval: Option<std::time::Duration>,
    /// The provider's keys and how often to fetch them again, when fetched from an address.
    key_refresh: Option<(Jwks, std::time::Duration)>,
    /// `GET /metrics`, when `--metrics-bind` is given.
    metrics_router: Option<Router>,
    /// Where [`App::serve`] serves it.
    metrics_listener: Option<TcpListener>,
}

impl App {
    /// Prepares everything a request needs, refusing to start on any doubt
    /// about the configuration, the notices or the database.
    pub async fn start(config: &Config, clock: Clock) -> Result<App, ServerError> {
        config.validate()?;
        // In development mode the clock can be moved forward (`POST /api/v1/dev/clock`).
        let clock_offset = config
            .dev
            .then(|| Arc::new(std::sync::atomic::AtomicI64::new(0)));
        let clock = match &clock_offset {
            Some(offset) => state::offset_clock(clock, Arc::clone(offset)),
            None => clock,
        };
        let notices = notices::load(&config.content_dir)?;
        let stores = Arc::new(stores::load(&config.stores_file())?);
        let keys = Arc::new(match &config.ledger_key_file {
            Some(path) => LedgerKeys::load(path)?,
            None => LedgerKeys::development(),
        });
        let store = Store::open(&config.database_url()).await?;
        store.sign_checkpoints_with(Arc::clone(&keys));
        let metrics = Arc::new(metrics::Metrics::new());
        store.report_waits_to(Arc::clone(&metrics));
        let now = clock();
        for document in notices.all() {
            store.publish_notice(document, now).await?;
        }
        if config.dev {
            for tenant in seed::dev_tenants() {
                store
                    .ensure_tenant(&tenant, now)
                    .await
                    .map_err(ServerError::Seed)?;
            }
        }
        let provider = match &config.identity_provider {
            None => None,
            Some(provider) => {
                let source = match provider {
                    IdentityProvider::JwksUrl(url) => JwksSource::Url(url.clone()),
                    IdentityProvider::JwksFile(path) => JwksSource::File(path.clone()),
                    IdentityProvider::OidcIssuer(issuer) => {
                        JwksSource::Url(jwks::discover(issuer).await?)
                    }
                };
                Some((
                    Jwks::load(source).await?,
                    config.provider_issuer().to_owned(),
                ))
            }
        };
        let key_refresh =
            provider
                .as_ref()
                .filter(|(jwks, _)| jwks.is_remote())
                .map(|(jwks, _)| {
                    (
                        jwks.clone(),
                        std::time::Duration::from_secs(config.jwks_refresh_secs),
                    )
                });
        let verifier = TokenVerifier {
            hs256: config
                .signing_key()
                .map(|key| TokenKeys::new(key, &config.token_issuer, &config.token_audience)),
            provider,
            audience: config.token_audience.clone(),
            mapping: config.claims.clone(),
            verified: Default::default(),
        };
        let state = AppState {
            store,
            notices: SharedNotices::new(notices),
            identity: Arc::new(verifier),
            clock,
            dev: config.dev,
            requests: Arc::new(limits::RequestLimits::new(
                config.requests_per_second,
                config.request_burst,
            )),
            changes_per_minute: config.changes_per_minute,
            decision_max_age_secs: config.decision_max_age_secs,
            ledger_keys: keys,
            stores,
            clock_offset,
            metrics: Arc::clone(&metrics),
        };
        let router = http::router(state.clone(), config);
        let metrics_router = config
            .metrics_bind
            .map(|_| metrics::scrape::router(state.clone()));
        let router = match &config.static_dir {
            Some(dir) => web::with_web_app(
                router,
                web::WebApp::load(dir, &config.frame_ancestors)?,
                metrics_router.as_ref().map(|_| metrics),
            ),
            None => router,
        };
        Ok(App {
            state,
            router,
            metrics_router,
            metrics_listener: None,
            sweep_interval: config.sweep_interval(),
            key_refresh,
        })
    }

    /// The database, for inspection by tests and tools.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// The shared handler state, for calling the server's work directly
    /// (tests run [`AppState::sweep_deletions`] with it).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// The routes, for serving on another listener or calling directly.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// Whether the configuration asks for metrics (`--metrics-bind`).
    pub fn has_metrics(&self) -> bool {
        self.metrics_router.is_some()
    }

    /// Serves `GET /metrics` on `listener` too, beside the API, when metrics are on.
    pub fn with_metrics_listener(self, listener: TcpListener) -> App {
        App {
            metrics_listener: Some(listener),
            ..self
        }
    }

    /// Answers requests on `listener` (and in the background sweeps due
    /// deletions, unless configured off, sends webhooks and follows the
    /// change feed for other processes' commits) until `shutdown`
    /// completes, then finishes in-flight requests and closes the database.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let sweeper = self
            .sweep_interval
            .map(|period| sweep::spawn_sweeper(self.state.clone(), period));
        let follower = self.state.store.spawn_feed_follower();
        let deliverer = service::webhooks::spawn_deliverer(self.state.clone());
        let refresher = self
            .key_refresh
            .as_ref()
            .map(|(jwks, period)| jwks.spawn_refresher(*period));
        let metrics = match (self.metrics_listener, self.metrics_router) {
            (Some(listener), Some(router)) => Some(tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            })),
            _ => None,
        };
        let served = axum::serve(listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServerError::Serve);
        for task in sweeper
            .into_iter()
            .chain(refresher)
            .chain(metrics)
            .chain([deliverer, follower])
        {
            task.abort();
            let _ = task.await;
        }
        self.state.store.close().await;
        served
    }
}

/// Starts the server described by `config` on the wall clock and serves
/// until `shutdown`. Prints exactly one line to stdout,
/// `listening on http://ADDR`, once connections are accepted.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    if config.dev {
        tracing::warn!("development mode: demo tenants, development tokens and a public signing key may be in use");
    }
    let mut app = App::start(&config, system_clock()).await?;
    if let Some(addr) = config.metrics_bind {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| ServerError::Bind { addr, source })?;
        tracing::info!(addr = %bound, "metrics on http://{bound}/metrics");
        app = app.with_metrics_listener(listener);
    }
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.bind,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: config.bind,
        source,
    })?;
    {
        // Scripts wait for this line; flush so they see it at once through a pipe.
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "listening on http://{addr}");
        let _ = stdout.flush();
    }
    tracing::info!(%addr, database = %store::redacted(&config.database_url()), content = %config.content_dir.display(), "serving");
    app.serve(listener, shutdown).await?;
    tracing::info!("stopped: in-flight requests finished, database closed");
    Ok(())
}

/// Why `consent-api backup` or `restore` failed.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error(transparent)]
    Database(#[from] OpenError),
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error("cannot read the database: {0}")]
    Query(#[from] sqlx::Error),
    #[error("{0}")]
    Export(String),
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Checks every tenant's ledger chain in `database_url`, writing one line
/// per tenant to `out` (`ok`, or the first break) and a summary;
/// `Ok(true)` when every chain holds.
pub async fn verify_ledger(
    database_url: &str,
    out: &mut impl std::io::Write,
) -> Result<bool, ToolError> {
    // As found: starting a server would chain events recorded before the chain.
    let store = Store::open_as_found(database_url).await?;
    let checked = store.verify_ledger().await;
    store.close().await;
    let checked = checked?;
    let mut lines = Vec::with_capacity(checked.len() + 1);
    let (mut events, mut broken) = (0, 0);
    for tenant in &checked {
        match &tenant.outcome {
            Ok(head) => {
                events += head.count;
                lines.push(format!("{}: ok, {} events", tenant.tenant, head.count));
            }
            Err(found) => {
                broken += 1;
                lines.push(format!("{}: BROKEN at {found}", tenant.tenant));
            }
        }
    }
    lines.push(format!(
        "{} tenants; {events} events in chains that hold; {broken} chains broken",
        checked.len()
    ));
    let stdout = || PathBuf::from("standard output");
    for line in lines {
        writeln!(out, "{line}").map_err(|source| ToolError::File {
            path: stdout(),
            source,
        })?;
    }
    Ok(broken == 0)
}

/// Checks the export `file` offline against the public keys in `jwks`.
pub fn verify_export_file(file: &Path, jwks: &Path) -> Result<ledger::export::Checked, ToolError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| ToolError::File {
            path: path.to_owned(),
            source,
        })
    };
    let keys: serde_json::Value = serde_json::from_str(&read(jwks)?)
        .map_err(|e| ToolError::Export(format!("{}: not a JWKS: {e}", jwks.display())))?;
    ledger::export::verify_file(&read(file)?, &keys)
        .map_err(|problem| ToolError::Export(format!("{}: {problem}", file.display())))
}

/// Writes `tenant`'s ledger from `database_url` to `out`, signed with the key file.
pub async fn export_ledger(
    database_url: &str,
    tenant: &str,
    key_file: &Path,
    out: &mut impl Write,
) -> Result<(), ToolError> {
    let keys = LedgerKeys::load(key_file).map_err(|e| ToolError::Export(e.to_string()))?;
    let store = Store::open_as_found(database_url).await?;
    let known = store.tenant(tenant).await;
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let lines = match known {
        Ok(Some(_)) => ledger::export::export(&store, &keys, tenant, &at).await,
        Ok(None) => Err(sqlx::Error::RowNotFound),
        Err(e) => Err(e),
    };
    store.close().await;
    let lines = lines.map_err(|e| match e {
        sqlx::Error::RowNotFound => ToolError::Export(format!("there is no tenant {tenant:?}")),
        other => ToolError::Query(other),
    })?;
    for line in lines {
        writeln!(out, "{line}").map_err(|source| ToolError::File {
            path: PathBuf::from("standard output"),
            source,
        })?;
    }
    Ok(())
}

/// Writes the ledger of `database_url` to `file`. The file appears only once
/// complete and on disk (written beside it, then renamed), so a failed or
/// interrupted backup never leaves a file that looks like a backup.
pub async fn backup_to_file(database_url: &str, file: &Path) -> Result<BackupSummary, ToolError> {
    let store = Store::open(database_url).await?;
    let partial = PathBuf::from(format!("{}.partial", file.display()));
    let file_error = |path: &Path| {
        let path = path.to_owned();
        move |source| ToolError::File { path, source }
    };
    let outcome = async {
        let created = std::fs::File::create(&partial).map_err(file_error(&partial))?;
        let mut out = std::io::BufWriter::new(created);
        let summary = store.backup(&mut out).await?;
        let written = out
            .into_inner()
            .map_err(|e| file_error(&partial)(e.into_error()))?;
        written.sync_all().map_err(file_error(&partial))?;
        std::fs::rename(&partial, file).map_err(file_error(file))?;
        Ok(summary)
    }
    .await;
    if outcome.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    store.close().await;
    outcome
}

/// Loads the ledger in `file` into `database_url` (created and migrated if
/// needed), whose ledger must be empty.
pub async fn restore_from_file(
    database_url: &str,
    file: &Path,
) -> Result<BackupSummary, ToolError> {
    let opened = std::fs::File::open(file).map_err(|source| ToolError::File {
        path: file.to_owned(),
        source,
    })?;
    let store = Store::open(database_url).await?;
    let outcome = store
        .restore(&mut std::io::BufReader::new(opened))
        .await
        .map_err(ToolError::from);
    store.close().await;
    outcome
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

//! Server configuration: what the server needs to start, its defaults and
//! the combinations refused. The command line that fills it is in
//! [`crate::cli`].

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::identity::ClaimMapping;

/// The signing key used in development mode when none is given. It is public
/// (it is in the source), so tokens signed with it prove nothing.
pub const DEVELOPMENT_SIGNING_KEY: &str = "development-only-signing-key-never-use-in-production";

/// Outside development mode a signing key must be at least this long (HS256).
pub const MIN_SIGNING_KEY_BYTES: usize = 32;

/// The `iss` claim of tokens this server issues and accepts by default.
pub const DEFAULT_TOKEN_ISSUER: &str = "consent-api";

/// The `aud` claim of tokens this server issues and accepts by default.
pub const DEFAULT_TOKEN_AUDIENCE: &str = "tenant-settings";

/// How often, by default, the server records deletions whose deadline passed.
pub const DEFAULT_SWEEP_INTERVAL_SECS: u64 = 60;

/// How often, by default, the identity provider's keys are fetched again.
pub const DEFAULT_JWKS_REFRESH_SECS: u64 = 3600;

/// Changes one tenant may record per minute, by default (all processes together).
pub const DEFAULT_CHANGES_PER_MINUTE: u32 = 30;

/// Requests one caller may make per second, by default (per process).
pub const DEFAULT_REQUESTS_PER_SECOND: u32 = 50;

/// Requests one caller may make at once above the steady rate, by default.
pub const DEFAULT_REQUEST_BURST: u32 = 100;

/// How long, by default, a pipeline may reuse a decision, in seconds.
pub const DEFAULT_DECISION_MAX_AGE_SECS: u64 = 5;

/// Who may frame the API's responses, by default: no one.
pub const DEFAULT_FRAME_ANCESTORS: &str = "'none'";

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Development mode: demo tenants, the dev token route, a development signing key.
    pub dev: bool,
    /// Where to listen.
    pub bind: SocketAddr,
    /// Where to serve `GET /metrics`, apart from the API; `None`: no metrics.
    pub metrics_bind: Option<SocketAddr>,
    /// Directory of the default SQLite database (created if missing).
    pub data_dir: PathBuf,
    /// An explicit database URL; `None` means `sqlite://<data_dir>/consent.db`.
    pub database_url: Option<String>,
    /// Directory of notice documents (`<notice-id>/<version>.<lang>.json`).
    pub content_dir: PathBuf,
    /// The data stores that hold shared data (`stores.json`); `None`: the
    /// content directory's `stores.json`.
    pub stores_file: Option<PathBuf>,
    /// HS256 key for bearer tokens; `None` is allowed only in development mode.
    pub signing_key: Option<String>,
    /// The ledger's Ed25519 key file; `None` (development mode only) signs
    /// with the public development key.
    pub ledger_key_file: Option<PathBuf>,
    /// Allow CORS from loopback origins (development mode only).
    pub cors_loopback: bool,
    /// The `iss` claim tokens must carry.
    pub token_issuer: String,
    /// The `aud` claim tokens must carry.
    pub token_audience: String,
    /// Where the identity provider's public keys are; `None`: HS256 only.
    pub identity_provider: Option<IdentityProvider>,
    /// Seconds between fetches of the provider's keys (when fetched from an address).
    pub jwks_refresh_secs: u64,
    /// Which claims name the tenant and roles, and which roles count.
    pub claims: ClaimMapping,
    /// Changes per tenant per minute; 0 turns the limit off.
    pub changes_per_minute: u32,
    /// Requests per caller per second, per process; 0 turns the limit off.
    pub requests_per_second: u32,
    /// Requests a caller may make at once above the steady rate.
    pub request_burst: u32,
    /// How long pipelines may reuse a decision (`Cache-Control: max-age`), in seconds.
    pub decision_max_age_secs: u64,
    /// Seconds between background deletion sweeps; 0 turns them off.
    pub sweep_interval_secs: u64,
    /// The `frame-ancestors` sources of the Content-Security-Policy header.
    pub frame_ancestors: String,
    /// The built web app to serve beside the API; `None` serves the API only.
    pub static_dir: Option<PathBuf>,
    /// How log lines are written.
    pub log_format: LogFormat,
}

/// Where the identity provider's public keys (a JWKS) are found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityProvider {
    /// `--jwks-url`: fetched at start and refreshed.
    JwksUrl(String),
    /// `--jwks-file`: read once at start.
    JwksFile(PathBuf),
    /// `--oidc-issuer`: the JWKS address from the issuer's OpenID
    /// configuration; tokens must carry this issuer.
    OidcIssuer(String),
}

/// How log lines are written (to stderr).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// What the executable is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the server.
    Serve(Box<Config>),
    /// Write the ledger of `database_url` to `file`.
    Backup { database_url: String, file: PathBuf },
    /// Load the ledger in `file` into `database_url`.
    Restore { database_url: String, file: PathBuf },
    /// Register the tenants of the CSV `file` in `database_url`.
    ImportTenants {
        database_url: String,
        file: PathBuf,
        content_dir: PathBuf,
    },
    /// Write the tenants of `database_url` as CSV to stdout.
    ListTenants { database_url: String },
    /// Check every tenant's ledger chain in `database_url`.
    VerifyLedger { database_url: String },
    /// Check the export `file` offline against the public keys in `jwks`.
    VerifyExport { file: PathBuf, jwks: PathBuf },
    /// Write `tenant`'s ledger from `database_url` to stdout, signed with `key_file`.
    ExportLedger {
        database_url: String,
        tenant: String,
        key_file: PathBuf,
    },
    /// Add a new ledger key to the key `file` and make it the signing one.
    GenerateKey { file: PathBuf },
}

/// Why the configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `--help` was asked for: not an error, but nothing to start.
    #[error("help requested")]
    HelpRequested,
    #[error("unknown argument {0:?}")]
    UnknownArgument(String),
    #[error("{0} needs a value")]
    MissingValue(&'static str),
    #[error("{flag}: {value:?} is not a socket address such as 127.0.0.1:3000")]
    BadAddress { flag: &'static str, value: String },
    #[error(
        "--metrics-bind {0} is the API's own address: metrics are served apart from the API, \
         so that they are never public with it; give another port (a bare port means 127.0.0.1)"
    )]
    MetricsOnApiAddress(SocketAddr),
    #[error(
        "no way to verify tokens: pass --oidc-issuer URL, --jwks-url URL or --jwks-file PATH \
         for an identity provider's keys, or --signing-key KEY (CONSENT_SIGNING_KEY) for HS256 \
         tokens, or run with --dev to use the public development key"
    )]
    MissingSigningKey,
    #[error(
        "no ledger key to sign receipts and checkpoints: make one with \
         `consent-api keys generate --out FILE` and pass --ledger-key-file FILE \
         (CONSENT_LEDGER_KEY_FILE), or run with --dev to sign with the public development key"
    )]
    MissingLedgerKey,
    #[error(
        "--oidc-issuer, --jwks-url and --jwks-file each name the provider's keys: give only one"
    )]
    SeveralKeySources,
    #[error("{flag}: {value:?} must be an https:// address (http:// only on loopback)")]
    InsecureAddress { flag: &'static str, value: String },
    #[error("{0} must be more than 0")]
    Zero(&'static str),
    #[error("the signing key must be at least {MIN_SIGNING_KEY_BYTES} bytes long")]
    WeakSigningKey,
    #[error("--cors-loopback is only allowed together with --dev")]
    CorsWithoutDev,
    #[error("{flag}: {value:?} is not a whole number of seconds")]
    BadNumber { flag: &'static str, value: String },
    #[error("{flag}: {value:?} is not a log format: text or json")]
    BadLogFormat { flag: &'static str, value: String },
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// Any other mistake on the command line, in the parser's words.
    #[error("{0}")]
    Usage(String),
    #[error(
        "--frame-ancestors: {0:?} is not a list of CSP sources (no ';', ',' or control characters)"
    )]
    BadFrameAncestors(String),
}

impl Config {
    /// The stores file to read: the one given, or the content directory's.
    pub fn stores_file(&self) -> PathBuf {
        self.stores_file
            .clone()
            .unwrap_or_else(|| self.content_dir.join("stores.json"))
    }
}

impl Default for Config {
    /// The defaults of the command line, before any flag (not yet valid: no mode, no key).
    fn default() -> Config {
        Config {
            dev: false,
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            metrics_bind: None,
            data_dir: PathBuf::from("./data"),
            database_url: None,
            content_dir: PathBuf::from("./content"),
            stores_file: None,
            signing_key: None,
            ledger_key_file: None,
            cors_loopback: false,
            token_issuer: DEFAULT_TOKEN_ISSUER.to_owned(),
            token_audience: DEFAULT_TOKEN_AUDIENCE.to_owned(),
            identity_provider: None,
            jwks_refresh_secs: DEFAULT_JWKS_REFRESH_SECS,
            claims: ClaimMapping::default(),
            changes_per_minute: DEFAULT_CHANGES_PER_MINUTE,
            requests_per_second: DEFAULT_REQUESTS_PER_SECOND,
            request_burst: DEFAULT_REQUEST_BURST,
            decision_max_age_secs: DEFAULT_DECISION_MAX_AGE_SECS,
            sweep_interval_secs: DEFAULT_SWEEP_INTERVAL_SECS,
            frame_ancestors: DEFAULT_FRAME_ANCESTORS.to_owned(),
            log_format: LogFormat::Text,
            static_dir: None,
        }
    }
}

impl Config {
    /// Checks the combinations that must never start: no key outside
    /// development mode, loopback CORS outside development mode, an empty
    /// issuer or audience, and frame-ancestors that would break the header.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.token_issuer.trim().is_empty() {
            return Err(ConfigError::Empty("--token-issuer"));
        }
        if self.token_audience.trim().is_empty() {
            return Err(ConfigError::Empty("--token-audience"));
        }
        let sources = self.frame_ancestors.trim();
        if sources.is_empty()
            || !sources
                .bytes()
                .all(|b| (b' '..=b'~').contains(&b) && b != b';' && b != b',')
        {
            return Err(ConfigError::BadFrameAncestors(self.frame_ancestors.clone()));
        }
        match &self.identity_provider {
            Some(IdentityProvider::JwksUrl(url)) => secure_address("--jwks-url", url)?,
            Some(IdentityProvider::OidcIssuer(url)) => secure_address("--oidc-issuer", url)?,
            Some(IdentityProvider::JwksFile(_)) | None => {}
        }
        if let Some(metrics) = self.metrics_bind {
            if metrics.port() != 0 && metrics == self.bind {
                return Err(ConfigError::MetricsOnApiAddress(metrics));
            }
        }
        if self.jwks_refresh_secs == 0 {
            return Err(ConfigError::Zero("--jwks-refresh-secs"));
        }
        if self.claims.tenant_claim.trim().is_empty() {
            return Err(ConfigError::Empty("--tenant-claim"));
        }
        if self.claims.roles_claim.trim().is_empty() {
            return Err(ConfigError::Empty("--roles-claim"));
        }
        let roles = self
            .claims
            .admin_roles
            .iter()
            .chain(&self.claims.reader_roles);
        if self.claims.admin_roles.is_empty() || roles.into_iter().any(|r| r.trim().is_empty()) {
            return Err(ConfigError::Empty("--admin-role"));
        }
        if !self.dev {
            match &self.signing_key {
                None if self.identity_provider.is_none() => {
                    return Err(ConfigError::MissingSigningKey)
                }
                Some(key) if key.len() < MIN_SIGNING_KEY_BYTES => {
                    return Err(ConfigError::WeakSigningKey)
                }
                _ => {}
            }
            if self.cors_loopback {
                return Err(ConfigError::CorsWithoutDev);
            }
            if self.ledger_key_file.is_none() {
                return Err(ConfigError::MissingLedgerKey);
            }
        }
        Ok(())
    }

    /// The database URL in use: the explicit one, or the file under the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("consent.db").display()),
        }
    }

    /// The background deletion sweep's period; `None` when it is off.
    pub fn sweep_interval(&self) -> Option<std::time::Duration> {
        (self.sweep_interval_secs > 0)
            .then(|| std::time::Duration::from_secs(self.sweep_interval_secs))
    }

    /// The HS256 key: the configured one, else in development mode the
    /// public development key; `None` when only the provider's keys count.
    pub fn signing_key(&self) -> Option<&str> {
        match &self.signing_key {
            Some(key) => Some(key),
            None if self.dev => Some(DEVELOPMENT_SIGNING_KEY),
            None => None,
        }
    }

    /// The `iss` the identity provider's tokens carry: the OpenID issuer,
    /// else the configured token issuer.
    pub fn provider_issuer(&self) -> &str {
        match &self.identity_provider {
            Some(IdentityProvider::OidcIssuer(issuer)) => issuer,
            _ => &self.token_issuer,
        }
    }
}

/// Keys are fetched only over TLS, except from this machine (tests, a local provider).
fn secure_address(flag: &'static str, url: &str) -> Result<(), ConfigError> {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|host| {
            url.strip_prefix(host)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    if url.starts_with("https://") && url.len() > "https://".len() || loopback {
        Ok(())
    } else {
        Err(ConfigError::InsecureAddress {
            flag,
            value: url.to_owned(),
        })
    }
}

//! Server configuration: what the server needs to start, its defaults and
//! the combinations refused. The command line that fills it is in
//! [`crate::cli`].

use std::net::SocketAddr;
use std::path::PathBuf;

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

/// Who may frame the API's responses, by default: no one.
pub const DEFAULT_FRAME_ANCESTORS: &str = "'none'";

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Development mode: demo tenants, the dev token route, a development signing key.
    pub dev: bool,
    /// Where to listen.
    pub bind: SocketAddr,
    /// Directory of the default SQLite database (created if missing).
    pub data_dir: PathBuf,
    /// An explicit database URL; `None` means `sqlite://<data_dir>/consent.db`.
    pub database_url: Option<String>,
    /// Directory of notice documents (`<notice-id>/<version>.<lang>.json`).
    pub content_dir: PathBuf,
    /// HS256 key for bearer tokens; `None` is allowed only in development mode.
    pub signing_key: Option<String>,
    /// Allow CORS from loopback origins (development mode only).
    pub cors_loopback: bool,
    /// The `iss` claim tokens must carry.
    pub token_issuer: String,
    /// The `aud` claim tokens must carry.
    pub token_audience: String,
    /// Seconds between background deletion sweeps; 0 turns them off.
    pub sweep_interval_secs: u64,
    /// The `frame-ancestors` sources of the Content-Security-Policy header.
    pub frame_ancestors: String,
    /// The built web app to serve beside the API; `None` serves the API only.
    pub static_dir: Option<PathBuf>,
    /// How log lines are written.
    pub log_format: LogFormat,
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
    Serve(Config),
    /// Write the ledger of `database_url` to `file`.
    Backup { database_url: String, file: PathBuf },
    /// Load the ledger in `file` into `database_url`.
    Restore { database_url: String, file: PathBuf },
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
        "no signing key: pass --signing-key KEY (or set CONSENT_SIGNING_KEY), \
         or run with --dev to use the public development key"
    )]
    MissingSigningKey,
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

impl Default for Config {
    /// The defaults of the command line, before any flag (not yet valid: no mode, no key).
    fn default() -> Config {
        Config {
            dev: false,
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            content_dir: PathBuf::from("./content"),
            signing_key: None,
            cors_loopback: false,
            token_issuer: DEFAULT_TOKEN_ISSUER.to_owned(),
            token_audience: DEFAULT_TOKEN_AUDIENCE.to_owned(),
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
        if !self.dev {
            match &self.signing_key {
                None => return Err(ConfigError::MissingSigningKey),
                Some(key) if key.len() < MIN_SIGNING_KEY_BYTES => {
                    return Err(ConfigError::WeakSigningKey)
                }
                Some(_) => {}
            }
            if self.cors_loopback {
                return Err(ConfigError::CorsWithoutDev);
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

    /// The key tokens are signed with: the configured one, else (development
    /// mode only, see [`Config::validate`]) the public development key.
    pub fn signing_key(&self) -> &str {
        self.signing_key
            .as_deref()
            .unwrap_or(DEVELOPMENT_SIGNING_KEY)
    }
}

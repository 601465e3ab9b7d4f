//! Server configuration from the command line and the environment.
//!
//! Hand-parsed: a handful of flags does not justify a parser dependency.
//! A flag given on the command line wins over its environment variable.

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

/// The command-line summary printed by `--help` and after a usage error.
pub const USAGE: &str = "\
usage: consent-api [--dev] [--bind ADDR] [--data-dir DIR] [--database-url URL]
                   [--content-dir DIR] [--signing-key KEY] [--cors-loopback]
                   [--token-issuer ISS] [--token-audience AUD]
                   [--sweep-interval-secs N] [--frame-ancestors SOURCES]
                   [--log-format text|json]
                   [--static-dir DIR]
       consent-api backup  [--data-dir DIR | --database-url URL] --out FILE
       consent-api restore [--data-dir DIR | --database-url URL] --in FILE

  --dev              development mode: seeds demo tenants, enables POST /api/v1/dev/token,
                     uses a public development signing key unless one is given  [CONSENT_DEV=1]
  --bind ADDR        address to listen on (default 127.0.0.1:3000; port 0 picks a free one)  [CONSENT_BIND]
  --data-dir DIR     where the default SQLite database lives (default ./data)  [CONSENT_DATA_DIR]
  --database-url URL database: sqlite://FILE or postgres://USER@HOST:PORT/DB
                     (default sqlite://<data-dir>/consent.db)  [CONSENT_DATABASE_URL]
  --content-dir DIR  notice documents, one file per published version (default ./content)  [CONSENT_CONTENT_DIR]
  --signing-key KEY  HS256 key for bearer tokens; required outside --dev  [CONSENT_SIGNING_KEY]
  --cors-loopback    allow browser calls from http://127.0.0.1:* and http://localhost:* (with --dev only)
  --token-issuer ISS the iss claim bearer tokens must carry (default consent-api)  [CONSENT_TOKEN_ISSUER]
  --token-audience AUD
                     the aud claim bearer tokens must carry (default tenant-settings)  [CONSENT_TOKEN_AUDIENCE]
  --sweep-interval-secs N
                     how often to record deletions whose deadline passed (default 60; 0 turns
                     the background sweep off)  [CONSENT_SWEEP_INTERVAL_SECS]
  --frame-ancestors SOURCES
                     the CSP frame-ancestors sources allowed to frame responses
                     (default 'none')  [CONSENT_FRAME_ANCESTORS]
  --log-format FORMAT
                     text (default) or json: one JSON object per line, each carrying
                     the request id of the request it belongs to  [CONSENT_LOG_FORMAT]
  --static-dir DIR   also serve the built web app (`cargo xtask dist` writes dist/) from
                     this port: its pages, content-hashed assets and .br/.gz copies
                     [CONSENT_STATIC_DIR]

  backup             writes every row of the consent ledger, from one consistent snapshot,
                     to FILE as JSON lines (safe while servers run)
  restore            loads such a file into a database whose ledger is empty, all or
                     nothing; SQLite and PostgreSQL backups restore into either";

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

impl Command {
    /// Reads the process's own arguments and environment.
    pub fn from_process() -> Result<Command, ConfigError> {
        Command::parse(std::env::args().skip(1), |name| std::env::var(name).ok())
    }

    /// `backup …` and `restore …` are tools; anything else configures the server.
    pub fn parse<I, E>(args: I, env: E) -> Result<Command, ConfigError>
    where
        I: IntoIterator<Item = String>,
        E: Fn(&str) -> Option<String>,
    {
        let mut args = args.into_iter().peekable();
        let tool = match args.peek().map(String::as_str) {
            Some("backup") => "backup",
            Some("restore") => "restore",
            _ => return Config::parse(args, env).map(Command::Serve),
        };
        args.next();
        let file_flag = if tool == "backup" { "--out" } else { "--in" };
        let mut data_dir = env("CONSENT_DATA_DIR").map(PathBuf::from);
        let mut database_url = env("CONSENT_DATABASE_URL");
        let mut file = None;
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_owned(), Some(value.to_owned()))
                }
                _ => (arg.clone(), None),
            };
            let mut value = |name: &'static str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or(ConfigError::MissingValue(name))
            };
            match flag.as_str() {
                "-h" | "--help" => return Err(ConfigError::HelpRequested),
                "--data-dir" => data_dir = Some(value("--data-dir")?.into()),
                "--database-url" => database_url = Some(value("--database-url")?),
                "--out" if tool == "backup" => file = Some(PathBuf::from(value("--out")?)),
                "--in" if tool == "restore" => file = Some(PathBuf::from(value("--in")?)),
                _ => return Err(ConfigError::UnknownArgument(arg)),
            }
        }
        let file = file.ok_or(ConfigError::MissingValue(file_flag))?;
        let database_url = Config {
            data_dir: data_dir.unwrap_or_else(|| Config::default().data_dir),
            database_url,
            ..Config::default()
        }
        .database_url();
        Ok(if tool == "backup" {
            Command::Backup { database_url, file }
        } else {
            Command::Restore { database_url, file }
        })
    }
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
    /// Reads the process's own arguments and environment, then validates.
    pub fn from_process() -> Result<Config, ConfigError> {
        Config::parse(std::env::args().skip(1), |name| std::env::var(name).ok())
    }

    /// Builds a configuration from `args` (without the program name) and an
    /// environment lookup, then validates it.
    pub fn parse<I, E>(args: I, env: E) -> Result<Config, ConfigError>
    where
        I: IntoIterator<Item = String>,
        E: Fn(&str) -> Option<String>,
    {
        let mut config = Config::default();
        let flag_set =
            |name: &str| env(name).is_some_and(|v| matches!(v.trim(), "1" | "true" | "yes"));
        config.dev = flag_set("CONSENT_DEV");
        config.cors_loopback = flag_set("CONSENT_CORS_LOOPBACK");
        if let Some(bind) = env("CONSENT_BIND") {
            config.bind = parse_address("CONSENT_BIND", &bind)?;
        }
        if let Some(dir) = env("CONSENT_DATA_DIR") {
            config.data_dir = dir.into();
        }
        config.database_url = env("CONSENT_DATABASE_URL");
        if let Some(dir) = env("CONSENT_CONTENT_DIR") {
            config.content_dir = dir.into();
        }
        config.signing_key = env("CONSENT_SIGNING_KEY");
        if let Some(issuer) = env("CONSENT_TOKEN_ISSUER") {
            config.token_issuer = issuer;
        }
        if let Some(audience) = env("CONSENT_TOKEN_AUDIENCE") {
            config.token_audience = audience;
        }
        if let Some(secs) = env("CONSENT_SWEEP_INTERVAL_SECS") {
            config.sweep_interval_secs = parse_seconds("CONSENT_SWEEP_INTERVAL_SECS", &secs)?;
        }
        if let Some(sources) = env("CONSENT_FRAME_ANCESTORS") {
            config.frame_ancestors = sources;
        }
        if let Some(format) = env("CONSENT_LOG_FORMAT") {
            config.log_format = parse_log_format("CONSENT_LOG_FORMAT", &format)?;
        }
        config.static_dir = env("CONSENT_STATIC_DIR").map(PathBuf::from);

        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            // Accept both `--flag value` and `--flag=value`.
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_owned(), Some(value.to_owned()))
                }
                _ => (arg.clone(), None),
            };
            let mut value = |name: &'static str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or(ConfigError::MissingValue(name))
            };
            match flag.as_str() {
                "-h" | "--help" => return Err(ConfigError::HelpRequested),
                "--dev" => config.dev = true,
                "--cors-loopback" => config.cors_loopback = true,
                "--bind" => config.bind = parse_address("--bind", &value("--bind")?)?,
                "--data-dir" => config.data_dir = value("--data-dir")?.into(),
                "--database-url" => config.database_url = Some(value("--database-url")?),
                "--content-dir" => config.content_dir = value("--content-dir")?.into(),
                "--signing-key" => config.signing_key = Some(value("--signing-key")?),
                "--token-issuer" => config.token_issuer = value("--token-issuer")?,
                "--token-audience" => config.token_audience = value("--token-audience")?,
                "--sweep-interval-secs" => {
                    config.sweep_interval_secs =
                        parse_seconds("--sweep-interval-secs", &value("--sweep-interval-secs")?)?
                }
                "--frame-ancestors" => config.frame_ancestors = value("--frame-ancestors")?,
                "--log-format" => {
                    config.log_format = parse_log_format("--log-format", &value("--log-format")?)?
                }
                "--static-dir" => config.static_dir = Some(value("--static-dir")?.into()),
                _ => return Err(ConfigError::UnknownArgument(arg)),
            }
        }
        config.validate()?;
        Ok(config)
    }

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

fn parse_seconds(flag: &'static str, value: &str) -> Result<u64, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::BadNumber {
        flag,
        value: value.to_owned(),
    })
}

fn parse_log_format(flag: &'static str, value: &str) -> Result<LogFormat, ConfigError> {
    match value.trim() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err(ConfigError::BadLogFormat {
            flag,
            value: value.to_owned(),
        }),
    }
}

fn parse_address(flag: &'static str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::BadAddress {
        flag,
        value: value.to_owned(),
    })
}

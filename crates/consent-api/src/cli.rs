//! The command line: `consent-api [FLAGS]` serves, `consent-api backup` and
//! `consent-api restore` are tools. Every server flag also reads its
//! environment variable; a flag given on the command line wins over it.
//!
//! The environment is looked up through a function, so tests can hand in
//! their own without touching the process's: each variable found becomes
//! its flag's default before the arguments are parsed.
//!
//! Over 400 lines because every flag's help text is written here, once,
//! where clap generates `--help` from it.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::{Command, Config, ConfigError, IdentityProvider, LogFormat};
use crate::identity::ClaimMapping;

/// Reads and changes a tenant's data-sharing settings over HTTP, with an
/// append-only consent history and a receipt per change.
#[derive(Debug, Parser)]
#[command(
    name = "consent-api",
    args_override_self = true,
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    tool: Option<Tool>,
    #[command(flatten)]
    serve: ServeArgs,
}

/// The server's flags.
#[derive(Debug, Args)]
struct ServeArgs {
    /// Development mode: seeds demo tenants, enables POST /api/v1/dev/token, uses a public
    /// development signing key unless one is given
    #[arg(long, env = "CONSENT_DEV", value_parser = switch)]
    dev: bool,
    /// Address to listen on (default 127.0.0.1:3000; port 0 picks a free one)
    #[arg(
        long,
        env = "CONSENT_BIND",
        value_name = "ADDR",
        allow_hyphen_values = true
    )]
    bind: Option<String>,
    /// Serve Prometheus metrics at GET /metrics on this address, apart from the API (default
    /// off; a bare port such as 9464 means 127.0.0.1:9464)
    #[arg(
        long,
        env = "CONSENT_METRICS_BIND",
        value_name = "ADDR",
        allow_hyphen_values = true
    )]
    metrics_bind: Option<String>,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Notice documents, one file per published version (default ./content)
    #[arg(
        long,
        env = "CONSENT_CONTENT_DIR",
        value_name = "DIR",
        allow_hyphen_values = true
    )]
    content_dir: Option<PathBuf>,
    /// The data stores that hold shared data and the client each attests with
    /// (default: stores.json in the content directory)
    #[arg(
        long,
        env = "CONSENT_STORES_FILE",
        value_name = "FILE",
        allow_hyphen_values = true
    )]
    stores_file: Option<PathBuf>,
    /// HS256 key for bearer tokens; required outside --dev
    #[arg(
        long,
        env = "CONSENT_SIGNING_KEY",
        value_name = "KEY",
        allow_hyphen_values = true,
        hide_env_values = true
    )]
    signing_key: Option<String>,
    /// Ed25519 key file that signs receipts and ledger checkpoints (made with `consent-api keys
    /// generate`); required outside --dev, where a public development key signs
    #[arg(
        long,
        env = "CONSENT_LEDGER_KEY_FILE",
        value_name = "FILE",
        allow_hyphen_values = true
    )]
    ledger_key_file: Option<PathBuf>,
    /// Verify tokens with the keys of this OpenID issuer (found through its
    /// /.well-known/openid-configuration); tokens must carry it as iss
    #[arg(
        long,
        env = "CONSENT_OIDC_ISSUER",
        value_name = "URL",
        allow_hyphen_values = true
    )]
    oidc_issuer: Option<String>,
    /// Verify tokens with the JWKS at this address (fetched at start, again every
    /// --jwks-refresh-secs and when a token names an unknown key)
    #[arg(
        long,
        env = "CONSENT_JWKS_URL",
        value_name = "URL",
        allow_hyphen_values = true
    )]
    jwks_url: Option<String>,
    /// Verify tokens with the JWKS in this file (read at start)
    #[arg(
        long,
        env = "CONSENT_JWKS_FILE",
        value_name = "PATH",
        allow_hyphen_values = true
    )]
    jwks_file: Option<PathBuf>,
    /// How often to fetch the provider's keys again, in seconds (default 3600)
    #[arg(
        long,
        env = "CONSENT_JWKS_REFRESH_SECS",
        value_name = "N",
        allow_hyphen_values = true
    )]
    jwks_refresh_secs: Option<String>,
    /// The claim naming the user's tenant (default tenant; Entra ID: tid); a dotted name reads
    /// a nested claim
    #[arg(
        long,
        env = "CONSENT_TENANT_CLAIM",
        value_name = "CLAIM",
        allow_hyphen_values = true
    )]
    tenant_claim: Option<String>,
    /// The claim listing the user's roles (default roles; Keycloak: realm_access.roles)
    #[arg(
        long,
        env = "CONSENT_ROLES_CLAIM",
        value_name = "CLAIM",
        allow_hyphen_values = true
    )]
    roles_claim: Option<String>,
    /// A role name that may change settings; repeat for several (default admin; the variable
    /// takes a comma-separated list)
    #[arg(
        long = "admin-role",
        env = "CONSENT_ADMIN_ROLES",
        value_name = "NAME",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    admin_roles: Vec<String>,
    /// A role name that may only read; repeat for several (default reader)
    #[arg(
        long = "reader-role",
        env = "CONSENT_READER_ROLES",
        value_name = "NAME",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    reader_roles: Vec<String>,
    /// Changes one tenant may make per minute, across all processes (default 30; 0: no limit)
    #[arg(
        long,
        env = "CONSENT_CHANGES_PER_MINUTE",
        value_name = "N",
        allow_hyphen_values = true
    )]
    changes_per_minute: Option<String>,
    /// Requests one caller may make per second, per process (default 50; 0: no limit)
    #[arg(
        long,
        env = "CONSENT_REQUESTS_PER_SECOND",
        value_name = "N",
        allow_hyphen_values = true
    )]
    requests_per_second: Option<String>,
    /// Requests one caller may make at once above that rate (default 100)
    #[arg(
        long,
        env = "CONSENT_REQUEST_BURST",
        value_name = "N",
        allow_hyphen_values = true
    )]
    request_burst: Option<String>,
    /// How long pipelines may reuse a decision, in seconds (Cache-Control: max-age; default 5)
    #[arg(
        long,
        env = "CONSENT_DECISION_MAX_AGE_SECS",
        value_name = "N",
        allow_hyphen_values = true
    )]
    decision_max_age_secs: Option<String>,
    /// Allow browser calls from http://127.0.0.1:* and http://localhost:* (with --dev only)
    #[arg(long, env = "CONSENT_CORS_LOOPBACK", value_parser = switch)]
    cors_loopback: bool,
    /// The iss claim bearer tokens must carry (default consent-api)
    #[arg(
        long,
        env = "CONSENT_TOKEN_ISSUER",
        value_name = "ISS",
        allow_hyphen_values = true
    )]
    token_issuer: Option<String>,
    /// The aud claim bearer tokens must carry (default tenant-settings)
    #[arg(
        long,
        env = "CONSENT_TOKEN_AUDIENCE",
        value_name = "AUD",
        allow_hyphen_values = true
    )]
    token_audience: Option<String>,
    /// How often to record deletions whose deadline passed, in seconds (default 60; 0 turns the
    /// background sweep off)
    #[arg(
        long,
        env = "CONSENT_SWEEP_INTERVAL_SECS",
        value_name = "N",
        allow_hyphen_values = true
    )]
    sweep_interval_secs: Option<String>,
    /// The CSP frame-ancestors sources allowed to frame responses (default 'none')
    #[arg(
        long,
        env = "CONSENT_FRAME_ANCESTORS",
        value_name = "SOURCES",
        allow_hyphen_values = true
    )]
    frame_ancestors: Option<String>,
    /// text (default) or json: one JSON object per line, each carrying the request id of the
    /// request it belongs to
    #[arg(
        long,
        env = "CONSENT_LOG_FORMAT",
        value_name = "FORMAT",
        allow_hyphen_values = true
    )]
    log_format: Option<String>,
    /// Also serve the built web app (`cargo xtask dist` writes dist/) from this port: its pages,
    /// content-hashed assets and .br/.gz copies
    #[arg(
        long,
        env = "CONSENT_STATIC_DIR",
        value_name = "DIR",
        allow_hyphen_values = true
    )]
    static_dir: Option<PathBuf>,
}

/// The tools.
#[derive(Debug, Subcommand)]
enum Tool {
    /// Writes every row of the consent ledger, from one consistent snapshot, to FILE as JSON
    /// lines (safe while servers run)
    Backup {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The file to write
        #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
        out: PathBuf,
    },
    /// Loads such a file into a database whose ledger is empty, all or nothing; SQLite and
    /// PostgreSQL backups restore into either
    Restore {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The file to read
        #[arg(long = "in", value_name = "FILE", allow_hyphen_values = true)]
        file: PathBuf,
    },
    /// Registers and lists tenants (the operator's side of tenant provisioning)
    Tenants {
        #[command(subcommand)]
        tool: TenantsTool,
    },
    /// Checks the consent ledger's evidence
    Ledger {
        #[command(subcommand)]
        tool: LedgerTool,
    },
    /// Manages the ledger's signing keys
    Keys {
        #[command(subcommand)]
        tool: KeysTool,
    },
}

/// The key tools.
#[derive(Debug, Subcommand)]
enum KeysTool {
    /// Makes a new Ed25519 ledger key in FILE (created readable by its owner only) and makes it
    /// the one that signs; keys already in the file stay, published for checking what they
    /// signed. Run again to rotate
    Generate {
        /// The key file to create or add to
        #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
        out: PathBuf,
    },
}

/// The ledger tools.
#[derive(Debug, Subcommand)]
enum LedgerTool {
    /// Checks every tenant's hash chain in a database: each event still hashes to what was
    /// recorded, and follows the one before it. Names the first break of each tenant (edited,
    /// missing, inserted, reordered); exits 0 only when every chain holds
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Check this export file instead, offline (no database, no network): every hash link,
        /// every signature, the closing checkpoint's count and newest hash. A file holding one
        /// signed document (a signed receipt) has its signature checked
        #[arg(
            long = "in",
            value_name = "FILE",
            requires = "jwks",
            allow_hyphen_values = true
        )]
        file: Option<PathBuf>,
        /// The published public keys (the server's /.well-known/jwks.json), for --in
        #[arg(
            long,
            value_name = "FILE",
            requires = "file",
            allow_hyphen_values = true
        )]
        jwks: Option<PathBuf>,
    },
    /// Writes one tenant's ledger to stdout as JSON lines, each event with its link and signed
    /// receipt, ending with a checkpoint signed now (the same as the export route)
    Export {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The tenant whose ledger to write
        #[arg(long, value_name = "ID")]
        tenant: String,
        /// The ledger key file that signs the receipts and the checkpoint
        #[arg(
            long,
            env = "CONSENT_LEDGER_KEY_FILE",
            value_name = "FILE",
            allow_hyphen_values = true
        )]
        ledger_key_file: PathBuf,
    },
}

/// The tenant tools.
#[derive(Debug, Subcommand)]
enum TenantsTool {
    /// Registers every tenant of a CSV file (header id,name,region; RFC 4180) in one
    /// transaction: new ones are created, known ones renamed or moved (a move out of the US
    /// turns Copilot off). A bad line stops the import, naming its line; nothing is stored
    Import {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The CSV file to read
        #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
        file: PathBuf,
        /// Notice documents, for the receipts of the events a move records (default ./content)
        #[arg(
            long,
            env = "CONSENT_CONTENT_DIR",
            value_name = "DIR",
            allow_hyphen_values = true
        )]
        content_dir: Option<PathBuf>,
    },
    /// Writes every registered tenant as CSV (id,name,region,created_at) to stdout
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// The database a tool works on.
#[derive(Debug, Args)]
struct DatabaseArgs {
    /// Where the default SQLite database lives (default ./data)
    #[arg(
        long,
        env = "CONSENT_DATA_DIR",
        value_name = "DIR",
        allow_hyphen_values = true
    )]
    data_dir: Option<PathBuf>,
    /// Database: sqlite://FILE or postgres://USER@HOST:PORT/DB (default sqlite://<data-dir>/consent.db)
    #[arg(
        long,
        env = "CONSENT_DATABASE_URL",
        value_name = "URL",
        allow_hyphen_values = true
    )]
    database_url: Option<String>,
}

impl DatabaseArgs {
    fn url(self) -> String {
        Config {
            data_dir: self.data_dir.unwrap_or_else(|| Config::default().data_dir),
            database_url: self.database_url,
            ..Config::default()
        }
        .database_url()
    }
}

/// `1`, `true` or `yes` turn a switch on; any other value leaves it off.
fn switch(value: &str) -> Result<bool, std::convert::Infallible> {
    Ok(matches!(value.trim(), "1" | "true" | "yes"))
}

/// Every flag, by the name errors give it.
const FLAGS: [&str; 29] = [
    "--dev",
    "--metrics-bind",
    "--decision-max-age-secs",
    "--oidc-issuer",
    "--jwks-url",
    "--jwks-file",
    "--jwks-refresh-secs",
    "--tenant-claim",
    "--roles-claim",
    "--admin-role",
    "--reader-role",
    "--changes-per-minute",
    "--requests-per-second",
    "--request-burst",
    "--bind",
    "--data-dir",
    "--database-url",
    "--content-dir",
    "--signing-key",
    "--cors-loopback",
    "--token-issuer",
    "--token-audience",
    "--sweep-interval-secs",
    "--frame-ancestors",
    "--log-format",
    "--static-dir",
    "--out",
    "--in",
    "--file",
];

/// The full `--help` text, generated from the flags.
pub fn help() -> String {
    Cli::command().render_long_help().to_string()
}

/// The one-paragraph summary shown after a usage error.
pub fn usage() -> String {
    Cli::command().render_usage().to_string()
}

impl Command {
    /// Reads the process's own arguments and environment.
    pub fn from_process() -> Result<Command, ConfigError> {
        Command::parse(std::env::args().skip(1), |name| std::env::var(name).ok())
    }

    /// `backup …` and `restore …` are tools; anything else configures the
    /// server (validated).
    pub fn parse<I, E>(args: I, env: E) -> Result<Command, ConfigError>
    where
        I: IntoIterator<Item = String>,
        E: Fn(&str) -> Option<String>,
    {
        let matches = matches(args, &env)?;
        let cli = Cli::from_arg_matches(&matches).map_err(config_error)?;
        Ok(match cli.tool {
            Some(Tool::Backup { database, out }) => Command::Backup {
                database_url: database.url(),
                file: out,
            },
            Some(Tool::Restore { database, file }) => Command::Restore {
                database_url: database.url(),
                file,
            },
            Some(Tool::Tenants {
                tool:
                    TenantsTool::Import {
                        database,
                        file,
                        content_dir,
                    },
            }) => Command::ImportTenants {
                database_url: database.url(),
                file,
                content_dir: content_dir.unwrap_or_else(|| Config::default().content_dir),
            },
            Some(Tool::Tenants {
                tool: TenantsTool::List { database },
            }) => Command::ListTenants {
                database_url: database.url(),
            },
            Some(Tool::Ledger {
                tool:
                    LedgerTool::Verify {
                        file: Some(file),
                        jwks: Some(jwks),
                        ..
                    },
            }) => Command::VerifyExport { file, jwks },
            Some(Tool::Ledger {
                tool: LedgerTool::Verify { database, .. },
            }) => Command::VerifyLedger {
                database_url: database.url(),
            },
            Some(Tool::Ledger {
                tool:
                    LedgerTool::Export {
                        database,
                        tenant,
                        ledger_key_file,
                    },
            }) => Command::ExportLedger {
                database_url: database.url(),
                tenant,
                key_file: ledger_key_file,
            },
            Some(Tool::Keys {
                tool: KeysTool::Generate { out },
            }) => Command::GenerateKey { file: out },
            None => Command::Serve(Box::new(config(cli.serve, &matches)?)),
        })
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
        match Command::parse(args, env)? {
            Command::Serve(config) => Ok(*config),
            Command::Backup { .. } => Err(ConfigError::UnknownArgument("backup".to_owned())),
            Command::Restore { .. } => Err(ConfigError::UnknownArgument("restore".to_owned())),
            Command::ImportTenants { .. } | Command::ListTenants { .. } => {
                Err(ConfigError::UnknownArgument("tenants".to_owned()))
            }
            Command::VerifyLedger { .. }
            | Command::VerifyExport { .. }
            | Command::ExportLedger { .. } => {
                Err(ConfigError::UnknownArgument("ledger".to_owned()))
            }
            Command::GenerateKey { .. } => Err(ConfigError::UnknownArgument("keys".to_owned())),
        }
    }
}

/// Parses `args` with each flag's environment variable read through `env`.
fn matches<I, E>(args: I, env: &E) -> Result<ArgMatches, ConfigError>
where
    I: IntoIterator<Item = String>,
    E: Fn(&str) -> Option<String>,
{
    let mut command = with_environment(Cli::command(), env);
    for tool in ["backup", "restore"] {
        command = command.mut_subcommand(tool, |sub| with_environment(sub, env));
    }
    command = command.mut_subcommand("tenants", |tenants| {
        ["import", "list"]
            .into_iter()
            .fold(tenants, |tenants, tool| {
                tenants.mut_subcommand(tool, |sub| with_environment(sub, env))
            })
    });
    let args = std::iter::once("consent-api".to_owned()).chain(args);
    command.try_get_matches_from(args).map_err(config_error)
}

/// `command` reading its flags' variables through `env` instead of the process's.
fn with_environment<E>(mut command: clap::Command, env: &E) -> clap::Command
where
    E: Fn(&str) -> Option<String>,
{
    let variables: Vec<(clap::Id, String)> = command
        .get_arguments()
        .filter_map(|arg| {
            let name = arg.get_env()?.to_str()?.to_owned();
            Some((arg.get_id().clone(), name))
        })
        .collect();
    for (id, name) in variables {
        let value = env(&name);
        command = command.mut_arg(id, move |arg| {
            let arg = arg.env(None::<&str>);
            match value {
                Some(value) => arg.default_value(value),
                None => arg,
            }
        });
    }
    command
}

/// The server's configuration from its parsed flags, validated.
fn config(args: ServeArgs, matches: &ArgMatches) -> Result<Config, ConfigError> {
    // A value that came from the environment is named by its variable.
    let source = |id: &str, flag: &'static str, variable: &'static str| {
        if matches.value_source(id) == Some(ValueSource::CommandLine) {
            flag
        } else {
            variable
        }
    };
    let defaults = Config::default();
    let bind = match args.bind {
        Some(value) => parse_address(source("bind", "--bind", "CONSENT_BIND"), &value)?,
        None => defaults.bind,
    };
    let metrics_bind = args
        .metrics_bind
        .map(|value| {
            let flag = source("metrics_bind", "--metrics-bind", "CONSENT_METRICS_BIND");
            // A bare port stays on this machine.
            match value.trim().parse::<u16>() {
                Ok(port) => Ok(SocketAddr::from(([127, 0, 0, 1], port))),
                Err(_) => parse_address(flag, &value),
            }
        })
        .transpose()?;
    let sweep_interval_secs = match args.sweep_interval_secs {
        Some(value) => parse_seconds(
            source(
                "sweep_interval_secs",
                "--sweep-interval-secs",
                "CONSENT_SWEEP_INTERVAL_SECS",
            ),
            &value,
        )?,
        None => defaults.sweep_interval_secs,
    };
    let log_format = match args.log_format {
        Some(value) => parse_log_format(
            source("log_format", "--log-format", "CONSENT_LOG_FORMAT"),
            &value,
        )?,
        None => defaults.log_format,
    };
    let number = |value: Option<String>, id: &str, flag, variable, default: u64| match value {
        Some(value) => parse_seconds(source(id, flag, variable), &value),
        None => Ok(default),
    };
    let jwks_refresh_secs = number(
        args.jwks_refresh_secs,
        "jwks_refresh_secs",
        "--jwks-refresh-secs",
        "CONSENT_JWKS_REFRESH_SECS",
        defaults.jwks_refresh_secs,
    )?;
    let limit = |value: Option<String>, id: &str, flag, variable, default: u32| {
        let n = number(value, id, flag, variable, u64::from(default))?;
        u32::try_from(n).map_err(|_| ConfigError::BadNumber {
            flag,
            value: n.to_string(),
        })
    };
    let changes_per_minute = limit(
        args.changes_per_minute,
        "changes_per_minute",
        "--changes-per-minute",
        "CONSENT_CHANGES_PER_MINUTE",
        defaults.changes_per_minute,
    )?;
    let requests_per_second = limit(
        args.requests_per_second,
        "requests_per_second",
        "--requests-per-second",
        "CONSENT_REQUESTS_PER_SECOND",
        defaults.requests_per_second,
    )?;
    let request_burst = limit(
        args.request_burst,
        "request_burst",
        "--request-burst",
        "CONSENT_REQUEST_BURST",
        defaults.request_burst,
    )?;
    let decision_max_age_secs = number(
        args.decision_max_age_secs,
        "decision_max_age_secs",
        "--decision-max-age-secs",
        "CONSENT_DECISION_MAX_AGE_SECS",
        defaults.decision_max_age_secs,
    )?;
    let identity_provider = match (args.oidc_issuer, args.jwks_url, args.jwks_file) {
        (None, None, None) => None,
        (Some(issuer), None, None) => Some(IdentityProvider::OidcIssuer(issuer)),
        (None, Some(url), None) => Some(IdentityProvider::JwksUrl(url)),
        (None, None, Some(path)) => Some(IdentityProvider::JwksFile(path)),
        _ => return Err(ConfigError::SeveralKeySources),
    };
    let claims = ClaimMapping {
        tenant_claim: args.tenant_claim.unwrap_or(defaults.claims.tenant_claim),
        roles_claim: args.roles_claim.unwrap_or(defaults.claims.roles_claim),
        admin_roles: or_default(args.admin_roles, defaults.claims.admin_roles),
        reader_roles: or_default(args.reader_roles, defaults.claims.reader_roles),
    };
    let config = Config {
        dev: args.dev,
        bind,
        metrics_bind,
        data_dir: args.database.data_dir.unwrap_or(defaults.data_dir),
        database_url: args.database.database_url,
        content_dir: args.content_dir.unwrap_or(defaults.content_dir),
        stores_file: args.stores_file,
        signing_key: args.signing_key,
        ledger_key_file: args.ledger_key_file,
        cors_loopback: args.cors_loopback,
        token_issuer: args.token_issuer.unwrap_or(defaults.token_issuer),
        token_audience: args.token_audience.unwrap_or(defaults.token_audience),
        identity_provider,
        jwks_refresh_secs,
        claims,
        changes_per_minute,
        requests_per_second,
        request_burst,
        decision_max_age_secs,
        sweep_interval_secs,
        frame_ancestors: args.frame_ancestors.unwrap_or(defaults.frame_ancestors),
        static_dir: args.static_dir,
        log_format,
    };
    config.validate()?;
    Ok(config)
}

/// The names given, trimmed, or the default when none is.
fn or_default(given: Vec<String>, default: Vec<String>) -> Vec<String> {
    let given: Vec<String> = given.iter().map(|n| n.trim().to_owned()).collect();
    if given.is_empty() {
        default
    } else {
        given
    }
}

/// The parser's error in the server's terms.
fn config_error(error: clap::Error) -> ConfigError {
    let argument = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(argument)) => Some(argument.clone()),
        Some(ContextValue::Strings(arguments)) => arguments.first().cloned(),
        _ => None,
    };
    // "--bind <ADDR>" names the flag "--bind".
    let flag = argument
        .as_deref()
        .and_then(|a| a.split([' ', '=']).next())
        .and_then(|name| FLAGS.iter().copied().find(|flag| *flag == name));
    match (error.kind(), flag, argument) {
        (ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand, _, _) => {
            ConfigError::HelpRequested
        }
        (ErrorKind::InvalidValue | ErrorKind::MissingRequiredArgument, Some(flag), _) => {
            ConfigError::MissingValue(flag)
        }
        (ErrorKind::UnknownArgument, _, Some(argument)) => ConfigError::UnknownArgument(argument),
        _ => ConfigError::Usage(
            error
                .kind()
                .as_str()
                .map_or_else(|| error.to_string(), str::to_owned),
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    // Guards the generated command line itself (clap's own consistency checks).
    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    // Guards that --help names every flag and the variable it reads.
    #[test]
    fn help_lists_every_flag_and_its_variable() {
        let help = help();
        for flag in FLAGS {
            if !matches!(flag, "--out" | "--in" | "--file") {
                assert!(help.contains(flag), "{flag} in {help}");
            }
        }
        for variable in ["CONSENT_DEV", "CONSENT_BIND", "CONSENT_SIGNING_KEY"] {
            assert!(help.contains(variable), "{variable} in {help}");
        }
        assert!(
            help.contains("backup") && help.contains("restore"),
            "{help}"
        );
    }
}

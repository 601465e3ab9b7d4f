//! A real server for tests: in-process, on a free loopback port, over a
//! fresh database, with a clock tests can move.
//!
//! The database is a SQLite file in a temporary directory, or, when
//! `CONSENT_TEST_DATABASE_URL` names a PostgreSQL server (`cargo xtask test`
//! sets it for its second run of this suite), a database created on that
//! server for the one test and dropped after it.
//!
//! Over 400 lines: it is the one harness every API test file shares (an
//! in-process server, a server process, tokens, and the opt-in/opt-out
//! sequence), kept together so each test file reads as its scenario only.

#![allow(dead_code)] // each test file uses a different part of this harness

pub mod oidc;
pub mod webhooks;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Duration;
use consent_api::config::{DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER, DEVELOPMENT_SIGNING_KEY};
use consent_api::identity::{Claims, TokenKeys};
use consent_api::state::AppState;
use consent_api::store::{Backend, Store};
use consent_api::{App, Clock, Config, ServerError};
use consent_core::Timestamp;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The variable naming the PostgreSQL server tests run on (a URL whose
/// user may create databases); unset, they run on SQLite.
pub const TEST_DATABASE_VAR: &str = "CONSENT_TEST_DATABASE_URL";

/// A fresh, empty database for one test; removed when dropped.
pub struct TestDatabase {
    /// What to hand the server as its database URL.
    pub url: String,
    pub backend: Backend,
    /// The PostgreSQL server's URL and the database made on it, to drop.
    postgres: Option<(String, String)>,
    /// The SQLite file's directory.
    _dir: Option<TempDir>,
}

impl TestDatabase {
    /// A database on the backend this run of the suite is for.
    pub async fn fresh() -> TestDatabase {
        match std::env::var(TEST_DATABASE_VAR) {
            Ok(server) if !server.trim().is_empty() => TestDatabase::postgres(&server).await,
            _ => TestDatabase::sqlite(),
        }
    }

    /// A SQLite file in a new temporary directory.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("a temporary directory");
        TestDatabase {
            url: format!("sqlite://{}/consent.db", dir.path().display()),
            backend: Backend::Sqlite,
            postgres: None,
            _dir: Some(dir),
        }
    }

    /// A new database on the PostgreSQL server at `server_url`. Panics when
    /// the server cannot be reached: a run asked to test PostgreSQL must not
    /// pass without it.
    pub async fn postgres(server_url: &str) -> TestDatabase {
        use sqlx::Connection;
        let name = format!("test_{}", uuid_like());
        let mut admin = sqlx::postgres::PgConnection::connect(server_url)
            .await
            .unwrap_or_else(|e| {
                panic!("{TEST_DATABASE_VAR} is set, but its PostgreSQL server does not answer: {e}")
            });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        let _ = admin.close().await;
        TestDatabase {
            url: with_database(server_url, &name),
            backend: Backend::Postgres,
            postgres: Some((server_url.to_owned(), name)),
            _dir: None,
        }
    }

    /// The PostgreSQL server's URL when this run of the suite has one.
    pub fn postgres_server() -> Option<String> {
        std::env::var(TEST_DATABASE_VAR)
            .ok()
            .filter(|url| !url.trim().is_empty())
    }

    /// A direct connection, to look at (or tamper with) what is stored.
    pub async fn sql(&self) -> sqlx::AnyPool {
        sql_pool(&self.url).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside any async context it could use; a thread of its own can wait.
        let dropped = std::thread::spawn(move || {
            use sqlx::Connection;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let mut admin = sqlx::postgres::PgConnection::connect(&server).await?;
                // FORCE ends the connections of servers still closing.
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
        })
        .join();
        if let Ok(Err(error)) = dropped {
            eprintln!("could not drop a test database: {error}");
        }
    }
}

/// A pool on any database URL the server accepts, for tests' own SQL.
pub async fn sql_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot open {url}: {e}"))
}

/// `server_url` with its database replaced by `database`.
pub fn with_database(server_url: &str, database: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server_url, String::new()),
    };
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|i| start + i))
        .unwrap_or(base.len());
    format!("{}/{database}{query}", &base[..authority_end])
}

/// 16 random-enough lowercase hex digits (a name no other test picks).
pub fn uuid_like() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    format!("{:016x}", hasher.finish())
}

/// When every test server's clock starts.
pub const START: &str = "2026-11-21T09:30:00Z";

/// The notice fixtures (not the real wording, which may change freely).
pub fn fixture_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content")
}

/// A parsed RFC 3339 instant.
pub fn at(text: &str) -> Timestamp {
    text.parse().expect("an RFC 3339 time")
}

/// A clock that stands still until a test moves it.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<Timestamp>>);

impl TestClock {
    pub fn new(start: Timestamp) -> TestClock {
        TestClock(Arc::new(Mutex::new(start)))
    }

    pub fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }

    pub fn clock(&self) -> Clock {
        let now = self.0.clone();
        Arc::new(move || *now.lock().unwrap())
    }
}

/// A development-mode configuration over `data_dir` and the fixture content.
pub fn dev_config(data_dir: &Path) -> Config {
    Config {
        dev: true,
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.to_owned(),
        content_dir: fixture_content(),
        // Tests sweep deletions themselves, at the moment they choose.
        sweep_interval_secs: 0,
        ..Config::default()
    }
}

/// A running server; stopped when dropped.
pub struct TestServer {
    pub base: String,
    /// The configuration it runs with (its database URL included).
    /// The metrics listener's address, when the configuration asks for metrics.
    pub metrics_base: Option<String>,
    pub config: Config,
    pub store: Store,
    /// The server's shared state, to run its work (deletion sweeps) directly.
    pub state: AppState,
    pub clock: TestClock,
    pub client: Client,
    pub data_dir: TempDir,
    stop: Option<oneshot::Sender<()>>,
    /// Dropped after the server is told to stop (fields drop in order).
    pub database: TestDatabase,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A server answering an HTTP response in a shape tests read easily.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `code` of a problem+json body, checking it is one.
    pub fn problem_code(&self) -> &str {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.body
        );
        assert_eq!(
            self.body["status"],
            self.status.as_u16(),
            "body: {}",
            self.body
        );
        for key in ["type", "title", "detail"] {
            assert!(
                self.body[key].is_string(),
                "problem without {key}: {}",
                self.body
            );
        }
        self.body["code"].as_str().expect("a problem has a code")
    }
}

impl TestServer {
    /// A development-mode server.
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {})
            .await
            .expect("the test server starts")
    }

    /// A server whose development configuration `adjust` may change.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Result<TestServer, ServerError> {
        let data_dir = tempfile::tempdir().expect("a temporary directory");
        let database = TestDatabase::fresh().await;
        let mut config = dev_config(data_dir.path());
        config.database_url = Some(database.url.clone());
        adjust(&mut config);
        let clock = TestClock::new(at(START));
        let mut app = App::start(&config, clock.clock()).await?;
        let store = app.store().clone();
        let state = app.state();
        let mut metrics_base = None;
        if app.has_metrics() {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
            metrics_base = Some(format!("http://{}", listener.local_addr().unwrap()));
            app = app.with_metrics_listener(listener);
        }
        let listener = TcpListener::bind(config.bind).await.expect("a free port");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.serve(listener, async move {
            let _ = stopped.await;
        }));
        Ok(TestServer {
            base,
            metrics_base,
            config,
            store,
            state,
            clock,
            client: Client::new(),
            data_dir,
            stop: Some(stop),
            database,
        })
    }

    /// What `GET /metrics` answers on the metrics listener.
    pub async fn metrics(&self) -> String {
        let base = self
            .metrics_base
            .as_deref()
            .expect("a server started with metrics_bind");
        let response = self
            .client
            .get(format!("{base}/metrics"))
            .send()
            .await
            .expect("the metrics listener answers");
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.expect("a text answer")
    }

    /// A direct connection to the server's database.
    pub async fn sql(&self) -> sqlx::AnyPool {
        sql_pool(&self.config.database_url()).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Any request; `body` is sent as JSON when given.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.client.request(method, self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        answer(request.send().await.expect("the server answers")).await
    }

    /// The body of a successful `GET` as text (CSV, a JWS, JSON lines).
    pub async fn get_text(&self, path: &str, token: &str) -> String {
        let response = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("the server answers");
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.text().await.expect("a text body")
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(
            Method::GET,
            path,
            &[("authorization", &format!("Bearer {token}"))],
            None,
        )
        .await
    }

    /// A development token for the demo tenant's admin or reader.
    pub async fn token(&self, tenant: &str, role: &str) -> String {
        let answer = self
            .call(
                Method::POST,
                "/api/v1/dev/token",
                &[],
                Some(json!({"tenant": tenant, "role": role})),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "token for {tenant} {role}: {}",
            answer.body
        );
        answer.body["token"].as_str().unwrap().to_owned()
    }

    /// The tenant's document and its ETag.
    pub async fn document(&self, tenant: &str, token: &str) -> (Value, String) {
        let answer = self
            .get(&format!("/api/v1/tenants/{tenant}/data-sharing"), token)
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let etag = answer.header("etag").expect("an ETag").to_owned();
        (answer.body, etag)
    }

    /// `PUT` a change to one program.
    pub async fn change(
        &self,
        tenant: &str,
        program: &str,
        token: &str,
        if_match: Option<&str>,
        body: Value,
    ) -> Answer {
        let auth = format!("Bearer {token}");
        let mut headers = vec![("authorization", auth.as_str())];
        if let Some(etag) = if_match {
            headers.push(("if-match", etag));
        }
        self.call(
            Method::PUT,
            &format!("/api/v1/tenants/{tenant}/data-sharing/{program}"),
            &headers,
            Some(body),
        )
        .await
    }

    /// Turns `program` of `tenant` on, accepting its current notices, on the
    /// current version; the change must be stored (200). Its answer.
    pub async fn opt_in(&self, tenant: &str, program: &str, token: &str) -> Answer {
        let (document, etag) = self.document(tenant, token).await;
        let notices = program_view(&document, program)["notices"].clone();
        let body = json!({"enabled": true, "accept_notices": notices});
        let on = self.change(tenant, program, token, Some(&etag), body).await;
        assert_eq!(on.status, StatusCode::OK, "{}", on.body);
        on
    }

    /// Turns `program` of `tenant` off on the current version; the change
    /// must be stored (200). Its answer.
    pub async fn opt_out(&self, tenant: &str, program: &str, token: &str) -> Answer {
        let (_, etag) = self.document(tenant, token).await;
        let body = json!({"enabled": false});
        let off = self.change(tenant, program, token, Some(&etag), body).await;
        assert_eq!(off.status, StatusCode::OK, "{}", off.body);
        off
    }

    /// The current references of a program's notices, as the document lists them.
    pub async fn current_notices(&self, tenant: &str, program: &str, token: &str) -> Value {
        let (document, _) = self.document(tenant, token).await;
        program_view(&document, program)["notices"].clone()
    }

    pub async fn event_count(&self, tenant: &str) -> i64 {
        self.store
            .event_count(tenant)
            .await
            .expect("events can be counted")
    }
}

/// Reads a reqwest response into an [`Answer`].
pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// One program's view inside a document.
pub fn program_view<'a>(document: &'a Value, program: &str) -> &'a Value {
    document["programs"]
        .as_array()
        .and_then(|programs| programs.iter().find(|p| p["id"] == program))
        .unwrap_or_else(|| panic!("no program {program} in {document}"))
}

/// Signs `claims` with `key` the way the server's tokens are signed.
pub fn sign(key: &str, claims: &Claims) -> String {
    TokenKeys::new(key, DEFAULT_TOKEN_ISSUER, DEFAULT_TOKEN_AUDIENCE)
        .sign(claims)
        .unwrap()
}

/// Claims of a contoso admin, expiring `expires_in_secs` from the wall clock.
pub fn admin_claims(expires_in_secs: i64) -> Claims {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    Claims {
        sub: "contoso-admin".into(),
        name: "Ada Admin".into(),
        tenant: "contoso".into(),
        roles: vec!["admin".into()],
        exp: (now + expires_in_secs) as u64,
        iat: now as u64,
        iss: DEFAULT_TOKEN_ISSUER.into(),
        aud: DEFAULT_TOKEN_AUDIENCE.into(),
    }
}

/// The development signing key, for tokens the dev server accepts.
pub const DEV_KEY: &str = DEVELOPMENT_SIGNING_KEY;

/// Signs arbitrary JSON `claims` with `key` under algorithm `alg`, for
/// tokens the server must refuse (odd claims, other algorithms).
pub fn sign_json(alg: jsonwebtoken::Algorithm, key: &str, claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

/// An unsigned token (`alg: none`) carrying `claims`.
pub fn unsigned(claims: &Value) -> String {
    let header = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    format!("{header}.{}.", base64url(claims.to_string().as_bytes()))
}

/// Base64url without padding (RFC 4648 section 5), as JWTs use it.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The claims of [`admin_claims`] as JSON, to take apart.
pub fn admin_claims_json(expires_in_secs: i64) -> Value {
    serde_json::to_value(admin_claims(expires_in_secs)).unwrap()
}

/// The built `consent-api` executable.
pub const BINARY: &str = env!("CARGO_BIN_EXE_consent-api");

/// A `consent-api` process in development mode over `database_url`, on a
/// free port, its log in a file; killed when dropped. Started by the
/// workspace's launcher (`crates/server-launcher`, which xtask uses too);
/// the process itself (`child`, `kill`, `wait_exit`, …) is reached through it.
pub struct ServerProcess {
    server: server_launcher::Server,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// Where its stderr (the log) goes.
    pub log: PathBuf,
    _log_dir: TempDir,
}

impl std::ops::Deref for ServerProcess {
    type Target = server_launcher::Server;
    fn deref(&self) -> &server_launcher::Server {
        &self.server
    }
}

impl std::ops::DerefMut for ServerProcess {
    fn deref_mut(&mut self) -> &mut server_launcher::Server {
        &mut self.server
    }
}

impl ServerProcess {
    /// Starts the binary and waits (at most 60 s) for its `listening on` line.
    pub fn start(database_url: &str, extra_args: &[&str]) -> ServerProcess {
        let log_dir = tempfile::tempdir().expect("a temporary directory");
        let log = log_dir.path().join("consent-api.log");
        let server = server_launcher::Launch::new(BINARY)
            .args([
                "--dev",
                "--bind",
                "127.0.0.1:0",
                "--sweep-interval-secs",
                "0",
                // Process tests drive load that must go through; the limits
                // are tested on their own (tests/limits.rs).
                "--changes-per-minute",
                "0",
                "--requests-per-second",
                "0",
            ])
            .arg("--content-dir")
            .arg(fixture_content())
            .args(["--database-url", database_url])
            .args(extra_args)
            .log_to(&log)
            .start()
            .unwrap_or_else(|e| panic!("the server did not start: {e}"));
        ServerProcess {
            base: server.url.clone(),
            server,
            log,
            _log_dir: log_dir,
        }
    }

    /// The current references of a program's notices, as the process lists them to `token`.
    pub async fn current_notices(
        &self,
        client: &reqwest::Client,
        tenant: &str,
        program: &str,
        token: &str,
    ) -> Value {
        let document: Value = client
            .get(self.url(&format!("/api/v1/tenants/{tenant}/data-sharing")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        program_view(&document, program)["notices"].clone()
    }

    /// Sends `signal` (e.g. `libc::SIGTERM`).
    pub fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).expect("a pid");
        // SAFETY: kill(2) on our own child's pid has no memory effects.
        let sent = unsafe { libc::kill(pid, signal) };
        assert_eq!(sent, 0, "signal {signal} could not be sent");
    }

    /// Its log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// A development token from a server at `base`.
pub async fn dev_token(client: &Client, base: &str, tenant: &str, role: &str) -> String {
    let answer = answer(
        client
            .post(format!("{base}/api/v1/dev/token"))
            .json(&json!({"tenant": tenant, "role": role}))
            .send()
            .await
            .expect("the server answers"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["token"].as_str().unwrap().to_owned()
}

/// A fresh, empty US tenant made by the server at `base`, and a token of its admin.
pub async fn dev_tenant(client: &Client, base: &str) -> (String, String) {
    let made = answer(
        client
            .post(format!("{base}/api/v1/dev/tenants"))
            .json(&json!({"region": "US"}))
            .send()
            .await
            .expect("the server answers"),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let tenant = made.body["id"].as_str().unwrap().to_owned();
    let token = dev_token(client, base, &tenant, "admin").await;
    (tenant, token)
}

/// Prints a fault test's figures and keeps them in
/// `target/tmp/fault-figures/<name>.txt`, where `cargo xtask test` reads
/// them back to show after the suites (a passing test's output is hidden).
pub fn report_figures(name: &str, figures: &str) {
    eprintln!("{figures}");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fault-figures");
    let kept = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(format!("{name}.txt")), format!("{figures}\n")));
    if let Err(error) = kept {
        eprintln!("cannot keep the figures in {}: {error}", dir.display());
    }
}

/// Production mode for an in-process server: no development identities,
/// `hs256` (if any) for HS256 tokens, and a ledger key file made in its
/// data directory.
pub fn production(config: &mut Config, hs256: Option<&str>) {
    config.dev = false;
    config.signing_key = hs256.map(str::to_owned);
    let file = config.data_dir.join("ledger-key.json");
    consent_api::ledger::LedgerKeys::generate(&file, chrono::Utc::now()).expect("a ledger key");
    config.ledger_key_file = Some(file);
}

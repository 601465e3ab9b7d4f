//! Starting the server: configuration, content loading, probes and fallbacks.

mod common;

use common::{fixture_content, TestServer};
use consent_api::{Config, ConfigError};
use reqwest::{Method, StatusCode};

/// Parses as the executable would, with a ledger key file named in the
/// environment (production needs one; binary.rs checks the refusal without).
fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env: Vec<(String, String)> = env
        .iter()
        .chain([&("CONSENT_LEDGER_KEY_FILE", "/keys/ledger.json")])
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::parse(args.iter().map(|a| a.to_string()), |name| {
        env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
}

const KEY: &str = "a-production-signing-key-of-at-least-32-bytes";

// Guards the command line that xtask and the browser tests rely on, and the
// refusals: no signing key outside --dev, loopback CORS outside --dev.
#[test]
fn configuration_is_parsed_and_validated() {
    let dev = parse(
        &[
            "--dev",
            "--bind",
            "127.0.0.1:0",
            "--data-dir",
            "/tmp/d",
            "--content-dir",
            "/c",
            "--cors-loopback",
        ],
        &[],
    )
    .unwrap();
    assert!(dev.dev && dev.cors_loopback);
    assert_eq!(dev.bind.port(), 0);
    assert_eq!(dev.database_url(), "sqlite:///tmp/d/consent.db");
    assert_eq!(dev.content_dir.to_str(), Some("/c"));
    assert_eq!(
        dev.signing_key(),
        Some(consent_api::config::DEVELOPMENT_SIGNING_KEY)
    );

    let prod = parse(
        &[
            "--signing-key",
            KEY,
            "--ledger-key-file",
            "/keys/ledger.json",
            "--database-url=sqlite://x.db",
        ],
        &[],
    )
    .unwrap();
    assert!(!prod.dev);
    assert_eq!(prod.bind.to_string(), "127.0.0.1:3000");
    assert_eq!(prod.database_url(), "sqlite://x.db");
    assert_eq!(prod.signing_key(), Some(KEY));

    let from_env = parse(
        &[],
        &[
            ("CONSENT_DEV", "1"),
            ("CONSENT_BIND", "127.0.0.1:4000"),
            ("CONSENT_DATABASE_URL", "sqlite://e.db"),
            ("CONSENT_CONTENT_DIR", "/e"),
        ],
    )
    .unwrap();
    assert!(from_env.dev);
    assert_eq!(from_env.bind.port(), 4000);
    assert_eq!(from_env.database_url(), "sqlite://e.db");
    let flag_wins = parse(
        &["--bind", "127.0.0.1:5000"],
        &[("CONSENT_DEV", "1"), ("CONSENT_BIND", "127.0.0.1:4000")],
    )
    .unwrap();
    assert_eq!(flag_wins.bind.port(), 5000);

    let refused: [(&[&str], ConfigError); 8] = [
        (&[], ConfigError::MissingSigningKey),
        (&["--bind", "127.0.0.1:0"], ConfigError::MissingSigningKey),
        (&["--signing-key", "short"], ConfigError::WeakSigningKey),
        (
            &["--signing-key", KEY, "--cors-loopback"],
            ConfigError::CorsWithoutDev,
        ),
        (&["--cors-loopback"], ConfigError::MissingSigningKey),
        (
            &["--dev", "--bind", "nowhere"],
            ConfigError::BadAddress {
                flag: "--bind",
                value: "nowhere".into(),
            },
        ),
        (&["--dev", "--bind"], ConfigError::MissingValue("--bind")),
        (
            &["--dev", "--verbose"],
            ConfigError::UnknownArgument("--verbose".into()),
        ),
    ];
    for (args, error) in refused {
        assert_eq!(parse(args, &[]), Err(error), "{args:?}");
    }
    assert_eq!(parse(&["--help"], &[]), Err(ConfigError::HelpRequested));
    let message = ConfigError::MissingSigningKey.to_string();
    assert!(
        message.contains("--signing-key") && message.contains("--dev"),
        "{message}"
    );
}

// Guards the token, sweep and framing flags: their defaults, flags and
// environment variables, and the values refused at the door.
#[test]
fn token_sweep_and_framing_flags() {
    let defaults = parse(&["--dev"], &[]).unwrap();
    assert_eq!(
        (
            defaults.token_issuer.as_str(),
            defaults.token_audience.as_str()
        ),
        ("consent-api", "tenant-settings")
    );
    assert_eq!(
        defaults.sweep_interval(),
        Some(std::time::Duration::from_secs(60))
    );
    assert_eq!(defaults.frame_ancestors, "'none'");

    let flags = parse(
        &[
            "--dev",
            "--token-issuer",
            "https://idp.example",
            "--token-audience=portal",
            "--sweep-interval-secs",
            "0",
            "--frame-ancestors",
            "'self' https://portal.example",
        ],
        &[],
    )
    .unwrap();
    assert_eq!(flags.token_issuer, "https://idp.example");
    assert_eq!(flags.token_audience, "portal");
    assert_eq!(flags.sweep_interval(), None, "0 turns the sweep off");
    assert_eq!(flags.frame_ancestors, "'self' https://portal.example");

    let env = parse(
        &[],
        &[
            ("CONSENT_DEV", "1"),
            ("CONSENT_TOKEN_ISSUER", "iss-env"),
            ("CONSENT_TOKEN_AUDIENCE", "aud-env"),
            ("CONSENT_SWEEP_INTERVAL_SECS", "5"),
            ("CONSENT_FRAME_ANCESTORS", "'self'"),
        ],
    )
    .unwrap();
    assert_eq!(
        (env.token_issuer.as_str(), env.token_audience.as_str()),
        ("iss-env", "aud-env")
    );
    assert_eq!(
        env.sweep_interval(),
        Some(std::time::Duration::from_secs(5))
    );
    assert_eq!(env.frame_ancestors, "'self'");

    let refused: [(&[&str], ConfigError); 6] = [
        (
            &["--dev", "--sweep-interval-secs", "soon"],
            ConfigError::BadNumber {
                flag: "--sweep-interval-secs",
                value: "soon".into(),
            },
        ),
        (
            &["--dev", "--token-issuer", " "],
            ConfigError::Empty("--token-issuer"),
        ),
        (
            &["--dev", "--token-audience", ""],
            ConfigError::Empty("--token-audience"),
        ),
        (
            &["--dev", "--frame-ancestors", ""],
            ConfigError::BadFrameAncestors("".into()),
        ),
        (
            &["--dev", "--frame-ancestors", "'none'; script-src *"],
            ConfigError::BadFrameAncestors("'none'; script-src *".into()),
        ),
        (
            &["--dev", "--frame-ancestors", "a\nb"],
            ConfigError::BadFrameAncestors("a\nb".into()),
        ),
    ];
    for (args, error) in refused {
        assert_eq!(parse(args, &[]), Err(error), "{args:?}");
    }
}

// Guards the probes: /healthz always, /readyz when the database answers.
#[tokio::test]
async fn health_and_readiness() {
    let server = TestServer::start().await;
    for path in ["/healthz", "/readyz"] {
        let answer = server.call(Method::GET, path, &[], None).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(answer.body, serde_json::json!({"status": "ok"}), "{path}");
    }
}

// Guards that unknown addresses and methods answer problem+json, not plain text.
#[tokio::test]
async fn unknown_routes_are_problems() {
    let server = TestServer::start().await;
    let cases = [
        (Method::GET, "/nowhere", StatusCode::NOT_FOUND),
        (Method::GET, "/api/v1/tenant", StatusCode::NOT_FOUND),
        (
            Method::DELETE,
            "/api/v1/notices",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            Method::GET,
            "/api/v1/notices/copilot-data-sharing/versions/one",
            StatusCode::NOT_FOUND,
        ),
    ];
    for (method, path, status) in cases {
        let answer = server.call(method.clone(), path, &[], None).await;
        assert_eq!(answer.status, status, "{method} {path}");
        assert_eq!(answer.problem_code(), "not_found", "{method} {path}");
    }
}

/// Copies the fixture content into a new directory so a test can break it.
fn content_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for notice in std::fs::read_dir(fixture_content()).unwrap() {
        let notice = notice.unwrap().path();
        let target = dir.path().join(notice.file_name().unwrap());
        if notice.is_file() {
            std::fs::copy(&notice, &target).unwrap();
            continue;
        }
        std::fs::create_dir(&target).unwrap();
        for file in std::fs::read_dir(&notice).unwrap() {
            let file = file.unwrap().path();
            std::fs::copy(&file, target.join(file.file_name().unwrap())).unwrap();
        }
    }
    dir
}

// Guards that a broken notice file stops start-up, naming the file and the problem.
#[tokio::test]
async fn malformed_content_stops_start_up() {
    let original =
        std::fs::read_to_string(fixture_content().join("marketing-nda/1.en.json")).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "marketing-nda/2.en.json",
            "{ not json".into(),
            "not a notice document",
        ),
        (
            "marketing-nda/3.en.json",
            original.clone(),
            "differs from its file name",
        ),
        (
            "copilot-faq/1.en.json",
            original.clone(),
            "differs from its folder",
        ),
        (
            "marketing-nda/1.en.json",
            original.replace("both parties keep secrets", "edited words"),
            "does not match",
        ),
        (
            "marketing-nda/1.en.json",
            original.replace("\"sha256\"", "\"sha256_\""),
            "unknown field",
        ),
        (
            "marketing-nda/v1.json",
            original.clone(),
            "<version>.<language>.json",
        ),
    ];
    for (file, text, problem) in cases {
        let content = content_copy();
        std::fs::write(content.path().join(file), text).unwrap();
        let dir = content.path().to_owned();
        let error = TestServer::start_with(|c| c.content_dir = dir)
            .await
            .err()
            .expect("start-up is refused")
            .to_string();
        assert!(error.contains(file), "{file}: {error}");
        assert!(error.contains(problem), "{file}: {error}");
    }
}

// Guards that a program cannot be served without its notices.
#[tokio::test]
async fn missing_required_notice_stops_start_up() {
    let content = content_copy();
    std::fs::remove_dir_all(content.path().join("marketing-nda")).unwrap();
    let dir = content.path().to_owned();
    let error = TestServer::start_with(|c| c.content_dir = dir)
        .await
        .err()
        .expect("start-up is refused")
        .to_string();
    assert!(
        error.contains("marketing-nda") && error.contains("marketing"),
        "{error}"
    );
}

// Guards that a published notice version is never edited in place: a
// restart over the same database with different words is refused.
#[tokio::test]
async fn editing_a_published_notice_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/consent.db", data.path().display());
    let first = TestServer::start_with(|c| c.database_url = Some(url.clone()))
        .await
        .expect("first start");
    drop(first);

    let content = content_copy();
    let file = content.path().join("marketing-nda/1.en.json");
    let mut document: consent_core::NoticeDocument =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    document.title = "A new title".into();
    document.sha256 = document.canonical_sha256();
    std::fs::write(&file, serde_json::to_string_pretty(&document).unwrap()).unwrap();
    let dir = content.path().to_owned();
    let error = TestServer::start_with(|c| {
        c.content_dir = dir;
        c.database_url = Some(url);
    })
    .await
    .err()
    .expect("start-up is refused")
    .to_string();
    assert!(
        error.contains("marketing-nda") && error.contains("never edited"),
        "{error}"
    );
}

// Guards readiness: when the database is gone, /readyz says so (503) while /healthz stays up.
#[tokio::test]
async fn readiness_fails_without_the_database() {
    let server = TestServer::start().await;
    server.store.close().await;
    let ready = server.call(Method::GET, "/readyz", &[], None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.problem_code(), "internal");
    assert_eq!(
        server.call(Method::GET, "/healthz", &[], None).await.status,
        StatusCode::OK
    );
}

// Guards loopback CORS: browser tests on another loopback port may call the
// API with the headers it needs and read the ETag; other origins may not.
#[tokio::test]
async fn loopback_cors_only_when_asked() {
    let with_cors = TestServer::start_with(|c| c.cors_loopback = true)
        .await
        .unwrap();
    let without_cors = TestServer::start().await;
    let preflight = |server: &TestServer, origin: &str| {
        server
            .client
            .request(
                Method::OPTIONS,
                server.url("/api/v1/tenants/contoso/data-sharing/copilot"),
            )
            .header("origin", origin)
            .header("access-control-request-method", "PUT")
            .header(
                "access-control-request-headers",
                "authorization, if-match, idempotency-key, content-type",
            )
            .send()
    };
    let allowed = preflight(&with_cors, "http://127.0.0.1:9876")
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://127.0.0.1:9876"
    );
    let allowed_headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for header in [
        "authorization",
        "if-match",
        "idempotency-key",
        "content-type",
    ] {
        assert!(allowed_headers.contains(header), "{allowed_headers}");
    }
    for (server, origin) in [
        (&with_cors, "https://example.com"),
        (&without_cors, "http://127.0.0.1:9876"),
    ] {
        let refused = preflight(server, origin).await.unwrap();
        assert!(
            refused
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{origin}"
        );
    }

    let token = with_cors.token("contoso", "reader").await;
    let read = with_cors
        .client
        .get(with_cors.url("/api/v1/tenants/contoso/data-sharing"))
        .header("origin", "http://localhost:4000")
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.headers()["access-control-allow-origin"],
        "http://localhost:4000"
    );
    assert!(read.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("etag"));

    // The app saves the history download under the file name the server suggests.
    let csv = with_cors
        .client
        .get(with_cors.url("/api/v1/tenants/contoso/data-sharing/history.csv"))
        .header("origin", "http://localhost:4000")
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("content-disposition"));
}

// Guards the identity flags: a provider instead of a shared key outside
// --dev, claim mapping from flags or variables, and the refusals.
#[test]
fn identity_provider_and_claim_flags() {
    use consent_api::config::IdentityProvider;
    let entra = parse(
        &[
            "--oidc-issuer",
            "https://login.example/tenant-1/v2.0",
            "--tenant-claim",
            "tid",
            "--admin-role",
            "Global admin",
            "--admin-role",
            "Dynamics 365 admin",
            "--jwks-refresh-secs",
            "600",
        ],
        &[("CONSENT_READER_ROLES", "Reports reader,Auditor")],
    )
    .unwrap();
    assert_eq!(
        entra.identity_provider,
        Some(IdentityProvider::OidcIssuer(
            "https://login.example/tenant-1/v2.0".into()
        ))
    );
    assert_eq!(entra.signing_key(), None, "no shared key outside --dev");
    assert_eq!(
        entra.provider_issuer(),
        "https://login.example/tenant-1/v2.0"
    );
    assert_eq!(entra.claims.tenant_claim, "tid");
    assert_eq!(entra.claims.roles_claim, "roles");
    assert_eq!(
        entra.claims.admin_roles,
        vec!["Global admin", "Dynamics 365 admin"]
    );
    assert_eq!(entra.claims.reader_roles, vec!["Reports reader", "Auditor"]);
    assert_eq!(entra.jwks_refresh_secs, 600);

    let both = parse(&["--jwks-file", "/keys.json", "--signing-key", KEY], &[]).unwrap();
    assert_eq!(both.signing_key(), Some(KEY));
    assert_eq!(both.provider_issuer(), "consent-api");
    let local = parse(&["--jwks-url", "http://127.0.0.1:9000/jwks"], &[]);
    assert!(local.is_ok(), "{local:?}");

    let refused: [(&[&str], ConfigError); 5] = [
        (
            &["--jwks-url", "http://idp.example/jwks"],
            ConfigError::InsecureAddress {
                flag: "--jwks-url",
                value: "http://idp.example/jwks".into(),
            },
        ),
        (
            &["--oidc-issuer", "http://localhost.evil.example"],
            ConfigError::InsecureAddress {
                flag: "--oidc-issuer",
                value: "http://localhost.evil.example".into(),
            },
        ),
        (
            &[
                "--jwks-file",
                "/k.json",
                "--jwks-url",
                "https://idp.example/k",
            ],
            ConfigError::SeveralKeySources,
        ),
        (
            &["--jwks-file", "/k.json", "--jwks-refresh-secs", "0"],
            ConfigError::Zero("--jwks-refresh-secs"),
        ),
        (
            &["--jwks-file", "/k.json", "--tenant-claim", " "],
            ConfigError::Empty("--tenant-claim"),
        ),
    ];
    for (args, error) in refused {
        assert_eq!(parse(args, &[]), Err(error), "{args:?}");
    }
}

// Guards the stores file: missing, unreadable as JSON or with a bad field,
// start-up stops, naming the file and (for a bad field) the field.
#[tokio::test]
async fn a_bad_stores_file_stops_start_up() {
    let good = std::fs::read_to_string(fixture_content().join("stores.json")).unwrap();
    let cases = [
        (None, "stores.json"),
        (Some("{".to_owned()), "not a stores file"),
        (
            Some(good.replacen("\"deadline_days\": 30", "\"deadline_days\": 0", 1)),
            "stores[0].deadline_days",
        ),
        (
            Some(good.replacen("\"program\": \"copilot\"", "\"program\": \"sales\"", 1)),
            "stores[0].program",
        ),
    ];
    for (text, expected) in cases {
        let content = content_copy();
        let file = content.path().join("stores.json");
        match &text {
            Some(text) => std::fs::write(&file, text).unwrap(),
            None => std::fs::remove_file(&file).unwrap(),
        }
        let dir = content.path().to_owned();
        let error = TestServer::start_with(|c| c.content_dir = dir)
            .await
            .err()
            .expect("start-up is refused")
            .to_string();
        assert!(error.contains("stores file"), "{error}");
        assert!(error.contains(&file.display().to_string()), "{error}");
        assert!(error.contains(expected), "{expected}: {error}");
    }
    // --stores-file names another file, which is the one read.
    let content = content_copy();
    let elsewhere = content.path().join("elsewhere.json");
    std::fs::write(&elsewhere, &good).unwrap();
    std::fs::remove_file(content.path().join("stores.json")).unwrap();
    let dir = content.path().to_owned();
    TestServer::start_with(|c| {
        c.content_dir = dir;
        c.stores_file = Some(elsewhere);
    })
    .await
    .expect("the named stores file is read");
}

// Guards --metrics-bind: off unless given; a bare port stays on loopback; an
// address is taken as given (also from the environment); the API's own
// address and a malformed one are refused, naming the flag or variable.
#[test]
fn metrics_bind_is_apart_from_the_api_and_loopback_by_default() {
    let off = parse(&["--dev"], &[]).unwrap();
    assert_eq!(off.metrics_bind, None);
    let port = parse(&["--dev", "--metrics-bind", "9464"], &[]).unwrap();
    assert_eq!(port.metrics_bind, Some("127.0.0.1:9464".parse().unwrap()));
    let given = parse(&["--dev"], &[("CONSENT_METRICS_BIND", "10.0.0.5:9464")]).unwrap();
    assert_eq!(given.metrics_bind, Some("10.0.0.5:9464".parse().unwrap()));
    let same = parse(
        &[
            "--dev",
            "--bind",
            "127.0.0.1:3000",
            "--metrics-bind",
            "3000",
        ],
        &[],
    )
    .unwrap_err();
    assert_eq!(
        same,
        ConfigError::MetricsOnApiAddress("127.0.0.1:3000".parse().unwrap())
    );
    assert!(same.to_string().contains("--metrics-bind"), "{same}");
    let bad = parse(&["--dev"], &[("CONSENT_METRICS_BIND", "everywhere")]).unwrap_err();
    assert_eq!(
        bad,
        ConfigError::BadAddress {
            flag: "CONSENT_METRICS_BIND",
            value: "everywhere".to_owned()
        }
    );
}

//! Tokens from a real OpenID provider: people of a tenant and services with
//! scopes, each algorithm the provider signs with, key rotation without a
//! restart, and every kind of bad token refused with its status and code.

mod common;

use common::oidc::OidcProvider;
use common::{base64url, TestServer};
use consent_api::config::IdentityProvider;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const DOC: &str = "/api/v1/tenants/contoso/data-sharing";

/// A development server that also trusts `provider`'s tokens, with
/// portal-style role names.
async fn server_trusting(provider: &OidcProvider, refresh_secs: u64) -> TestServer {
    provider
        .server(|c| {
            c.jwks_refresh_secs = refresh_secs;
            c.claims.admin_roles = vec!["Global admin".into(), "admin".into()];
            c.claims.reader_roles = vec!["Reports reader".into()];
        })
        .await
}

fn uma() -> Value {
    json!({"sub": "u-uma", "name": "Uma Urban", "tenant": "contoso", "roles": ["Global admin"]})
}

// Guards that a person's token signed by the provider with any of its
// algorithms is accepted, and that the history names that person.
#[tokio::test]
async fn provider_tokens_of_every_algorithm_let_people_in() {
    let provider = OidcProvider::start();
    let server = server_trusting(&provider, 3600).await;
    for alg in ["RS256", "ES256", "EdDSA"] {
        let token = provider.user_token(alg, uma()).await;
        let answer = server.get(DOC, &token).await;
        assert_eq!(answer.status, StatusCode::OK, "{alg}: {}", answer.body);
        assert_eq!(answer.body["can_edit"], true, "{alg}");
    }
    // A reader by the portal's role name, known by preferred_username.
    let rita = json!({"sub": "u-rita", "name": null, "preferred_username": "rita@contoso.example", "tenant": "contoso", "roles": ["Reports reader"]});
    let reader = provider.user_token("ES256", rita).await;
    let answer = server.get(DOC, &reader).await;
    assert_eq!(answer.body["can_edit"], false);

    let token = provider.user_token("EdDSA", uma()).await;
    let changed = server.opt_in("contoso", "copilot", &token).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let history = server.get(&format!("{DOC}/history"), &token).await;
    let actor = &history.body["events"][0]["actor"];
    assert_eq!(
        (actor["id"].as_str(), actor["name"].as_str()),
        (Some("u-uma"), Some("Uma Urban"))
    );
}

// Guards that a rotated provider key is picked up without a restart, and
// that an unknown kid fetches the keys again at most once per 30 seconds.
#[tokio::test]
async fn a_rotated_key_is_picked_up_without_a_restart() {
    let provider = OidcProvider::start();
    let server = server_trusting(&provider, 3600).await;
    provider.rotate("RS256").await;
    let after_rotation = provider.user_token("RS256", uma()).await;
    assert_eq!(
        server.get(DOC, &after_rotation).await.status,
        StatusCode::OK
    );
    // A second rotation at once is not fetched yet: the unknown kid waits
    // for the next refresh, and the keys already held still work.
    provider.rotate("ES256").await;
    let too_soon = provider.user_token("ES256", uma()).await;
    assert_eq!(
        server.get(DOC, &too_soon).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.get(DOC, &after_rotation).await.status,
        StatusCode::OK
    );
}

// Guards the periodic refresh: a new key is known within the refresh period.
#[tokio::test]
async fn keys_are_fetched_again_every_refresh_period() {
    let provider = OidcProvider::start();
    let server = server_trusting(&provider, 1).await;
    // The first new key is fetched on its unknown kid; the second only by
    // the periodic refresh, since an unknown kid fetches at most every 30 s.
    provider.rotate("ES256").await;
    let first = provider.user_token("ES256", uma()).await;
    assert_eq!(server.get(DOC, &first).await.status, StatusCode::OK);
    provider.rotate("ES256").await;
    let second = provider.user_token("ES256", uma()).await;
    let mut accepted = false;
    for _ in 0..30 {
        if server.get(DOC, &second).await.status == StatusCode::OK {
            accepted = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(accepted, "the refreshed key is accepted within the period");
}

// Guards every refusal of a bad provider token: status and code per case.
#[tokio::test]
async fn bad_provider_tokens_are_refused_with_status_and_code() {
    let provider = OidcProvider::start();
    let server = server_trusting(&provider, 3600).await;
    let now = chrono::Utc::now().timestamp();
    let with = |name: &str, value: Value| {
        let mut claims = uma();
        claims[name] = value;
        claims
    };
    let good = provider.user_token("RS256", uma()).await;
    let tampered = {
        let parts: Vec<&str> = good.split('.').collect();
        let payload = base64url(with("tenant", json!("fabrikam")).to_string().as_bytes());
        format!("{}.{payload}.{}", parts[0], parts[2])
    };
    let alg_none = {
        let parts: Vec<&str> = good.split('.').collect();
        format!(
            "{}.{}.",
            base64url(br#"{"alg":"none","typ":"JWT"}"#),
            parts[1]
        )
    };
    // The RSA public key, as published, used as an HMAC secret.
    let keys = provider.keys().await;
    let rsa = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kty"] == "RSA")
        .unwrap()
        .clone();
    let mut claims = uma();
    claims["iss"] = json!(provider.issuer);
    claims["aud"] = json!("tenant-settings");
    claims["exp"] = json!(now + 600);
    let confused = |secret: &[u8]| {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.kid = rsa["kid"].as_str().map(str::to_owned);
        jsonwebtoken::encode(
            &header,
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret),
        )
        .unwrap()
    };
    let cases: Vec<(&str, String, StatusCode, &str)> = vec![
        (
            "expired",
            provider
                .user_token("RS256", with("exp", json!(now - 120)))
                .await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "not yet valid",
            provider
                .user_token("ES256", with("nbf", json!(now + 600)))
                .await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "wrong iss",
            provider
                .user_token("RS256", with("iss", json!("https://idp.example")))
                .await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "wrong aud",
            provider
                .user_token("EdDSA", with("aud", json!("another-app")))
                .await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "no exp",
            provider.user_token("RS256", with("exp", Value::Null)).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "no sub",
            provider.user_token("RS256", with("sub", Value::Null)).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "unknown kid",
            provider.unpublished_token("RS256", uma()).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "tampered payload",
            tampered,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "alg none",
            alg_none,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "HS256 with the RSA key as JSON",
            confused(rsa.to_string().as_bytes()),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "HS256 with the RSA modulus",
            confused(rsa["n"].as_str().unwrap().as_bytes()),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "unmapped role",
            provider
                .user_token("RS256", with("roles", json!(["Power user"])))
                .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "no tenant",
            provider
                .user_token("RS256", with("tenant", Value::Null))
                .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "a service on a tenant's settings",
            provider
                .client_token("everything", "consent.tenants.write consent.decisions.read")
                .await,
            StatusCode::FORBIDDEN,
            "insufficient_scope",
        ),
    ];
    for (case, token, status, code) in &cases {
        for method in [Method::GET, Method::PUT] {
            let path = if method == Method::GET {
                DOC.to_owned()
            } else {
                format!("{DOC}/copilot")
            };
            let headers = [
                ("authorization", format!("Bearer {token}")),
                ("if-match", "\"0\"".to_owned()),
            ];
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let body = (method == Method::PUT).then(|| json!({"enabled": true}));
            let answer = server.call(method.clone(), &path, &headers, body).await;
            assert_eq!(answer.status, *status, "{case} {method}: {}", answer.body);
            assert_eq!(answer.problem_code(), *code, "{case} {method}");
        }
    }
    assert_eq!(
        server.event_count("contoso").await,
        0,
        "no refused token changed anything"
    );
}

// Guards the start-up checks of a provider: an issuer whose discovery
// document names another issuer, and a JWKS file without a usable key.
#[tokio::test]
async fn a_provider_that_cannot_be_trusted_stops_the_start() {
    let provider = OidcProvider::start();
    let aliased = provider.issuer.replace("127.0.0.1", "localhost");
    let refused = TestServer::start_with(move |c| {
        c.identity_provider = Some(IdentityProvider::OidcIssuer(aliased));
    })
    .await;
    let error = refused.err().expect("refused").to_string();
    assert!(error.contains("names issuer"), "{error}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("jwks.json");
    std::fs::write(
        &file,
        r#"{"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]}"#,
    )
    .unwrap();
    let refused = TestServer::start_with(move |c| {
        c.identity_provider = Some(IdentityProvider::JwksFile(file));
    })
    .await;
    let error = refused.err().expect("refused").to_string();
    assert!(error.contains("no key this server can use"), "{error}");
}

// Guards keys read from a file: the provider's published JWKS, saved.
#[tokio::test]
async fn keys_from_a_file_verify_the_providers_tokens() {
    let provider = OidcProvider::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("jwks.json");
    std::fs::write(&file, provider.keys().await.to_string()).unwrap();
    let issuer = provider.issuer.clone();
    let server = TestServer::start_with(move |c| {
        c.identity_provider = Some(IdentityProvider::JwksFile(file));
        c.token_issuer = issuer;
    })
    .await
    .unwrap();
    let mut claims = uma();
    claims["roles"] = json!(["admin"]);
    let token = provider.user_token("ES256", claims).await;
    assert_eq!(server.get(DOC, &token).await.status, StatusCode::OK);
}

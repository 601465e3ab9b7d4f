//! What verifying a bearer token costs: the same GET on one connection with
//! a development HS256 token and with an OpenID provider's RS256, ES256 and
//! EdDSA tokens. The difference of the medians is the verification's cost
//! per request beyond HMAC (everything else about the request is the same).

use hyper::StatusCode;
use serde_json::{json, Value};

use super::load::{bearer, run_load, LoadResult, Read};
use super::WARM_UP;
use crate::shell::Result;
use crate::support::http::{self, Api as Client};
use crate::support::server::ApiServer;

/// Each algorithm's run.
const RUN: std::time::Duration = std::time::Duration::from_secs(3);

/// One run per kind of token.
pub struct Tokens {
    pub runs: Vec<(&'static str, LoadResult)>,
}

pub async fn measure_tokens(server: &ApiServer, issuer: &str) -> Result<Tokens> {
    let client = Client::new(&server.url)?;
    let mut tokens = vec![(
        "HS256 (shared key)",
        client.dev_token("contoso", "admin").await?,
    )];
    let http = http::client()?;
    for (name, alg) in [
        ("RS256 (provider JWKS)", "RS256"),
        ("ES256 (provider JWKS)", "ES256"),
        ("EdDSA (provider JWKS)", "EdDSA"),
    ] {
        let minted: Value = http
            .post(format!("{issuer}/test/user-token"))
            .json(&json!({"alg": alg, "claims": {"sub": "bench", "name": "Bench", "tenant": "contoso", "roles": ["admin"]}}))
            .send()
            .await
            .map_err(|e| format!("the OpenID provider does not answer: {e}"))?
            .json()
            .await
            .map_err(|e| format!("the OpenID provider's answer: {e}"))?;
        let token = minted["token"]
            .as_str()
            .ok_or("the provider minted no token")?;
        tokens.push((name, token.to_owned()));
    }
    let mut runs = Vec::new();
    for (name, token) in tokens {
        println!(
            "xtask: bench: GET with a {name} token on 1 connection for {} s",
            RUN.as_secs()
        );
        let reader = Read {
            path: "/api/v1/tenants/contoso/data-sharing".to_owned(),
            headers: vec![("authorization".to_owned(), bearer(&token)?)],
            expect: StatusCode::OK,
        };
        runs.push((
            name,
            run_load(server.addr, vec![reader], WARM_UP, RUN).await?,
        ));
    }
    Ok(Tokens { runs })
}

impl Tokens {
    pub fn print(&self) {
        println!(
            "\nToken verification (GET …/data-sharing, 1 connection, {} s each):",
            RUN.as_secs()
        );
        println!(
            "{:<28} {:>11} {:>9} {:>22}",
            "token", "per second", "p50 µs", "beyond HS256, p50 µs"
        );
        let base = self
            .runs
            .first()
            .map(|(_, r)| median_us(r))
            .unwrap_or(f64::NAN);
        for (name, run) in &self.runs {
            println!(
                "{:<28} {:>11.0} {:>9.0} {:>22.0}",
                name,
                run.per_second(),
                median_us(run),
                median_us(run) - base
            );
            if run.failed > 0 {
                println!(
                    "    {} failed: {}",
                    run.failed,
                    run.first_failure.clone().unwrap_or_default()
                );
            }
        }
    }
}

fn median_us(run: &LoadResult) -> f64 {
    run.quantile_ms(0.5) * 1000.0
}

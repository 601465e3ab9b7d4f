//! A pipeline gate: the consent service's decisions applied to a stream.
//!
//! It follows the change feed (`GET /api/v1/changes`, long-polling) with a
//! service token holding `consent.decisions.read`, keeps each tenant's
//! latest decision per program, and filters JSON lines on stdin: a record
//! `{"tenant": …, "program": …, …}` goes to stdout only while that tenant
//! allows that program. Everything else is dropped and counted (stderr, at
//! the end). It fails closed: a tenant it has no decision for is not
//! allowed, and when the feed has not answered for longer than
//! `--max-stale-secs`, nothing passes until it answers again.
//!
//! ```sh
//! pipeline-gate --api https://consent.example.com --token "$TOKEN" < records.jsonl > allowed.jsonl
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Passes the JSON-line records (stdin → stdout) whose tenant allows their program.
#[derive(Debug, Parser)]
#[command(name = "pipeline-gate")]
struct Args {
    /// The consent API's base address
    #[arg(long, env = "CONSENT_API")]
    api: String,
    /// A service token with consent.decisions.read
    #[arg(long, env = "CONSENT_GATE_TOKEN", hide_env_values = true)]
    token: String,
    /// With no answer from the feed for this long, nothing passes (the decisions' cache time)
    #[arg(long, default_value_t = 5)]
    max_stale_secs: u64,
}

/// Changes asked for per request.
const FEED_PAGE: usize = 1000;

/// What the gate knows: each (tenant, program)'s latest decision, and when the feed last answered.
#[derive(Default)]
struct Decisions {
    allowed: HashMap<(String, String), bool>,
    fresh_at: Option<Instant>,
}

impl Decisions {
    fn allows(&self, tenant: &str, program: &str, max_stale: Duration) -> bool {
        let fresh = self.fresh_at.is_some_and(|at| at.elapsed() <= max_stale);
        fresh
            && self
                .allowed
                .get(&(tenant.to_owned(), program.to_owned()))
                .copied()
                .unwrap_or(false)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = Args::parse();
    let decisions: Arc<Mutex<Decisions>> = Arc::default();
    tokio::spawn(follow(
        args.api.clone(),
        args.token.clone(),
        decisions.clone(),
    ));
    let max_stale = Duration::from_secs(args.max_stale_secs);
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut out = tokio::io::stdout();
    let (mut passed, mut dropped) = (0u64, 0u64);
    while let Ok(Some(line)) = lines.next_line().await {
        let record: Option<Value> = serde_json::from_str(&line).ok();
        let field = |name: &str| {
            record
                .as_ref()
                .and_then(|r| r.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let allowed = match (field("tenant"), field("program")) {
            (Some(tenant), Some(program)) => decisions
                .lock()
                .map(|d| d.allows(&tenant, &program, max_stale))
                .unwrap_or(false),
            _ => false,
        };
        if allowed {
            passed += 1;
            let _ = out.write_all(format!("{line}\n").as_bytes()).await;
            let _ = out.flush().await;
        } else {
            dropped += 1;
        }
    }
    eprintln!("pipeline-gate: {passed} passed, {dropped} dropped");
}

/// Follows the feed from its beginning, forever: every change updates the
/// decision it is about; every answer (even an empty one) renews freshness.
async fn follow(api: String, token: String, decisions: Arc<Mutex<Decisions>>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(40))
        .build()
        .expect("an HTTP client");
    let mut cursor = "0".to_owned();
    loop {
        let url = format!(
            "{}/api/v1/changes?after={cursor}&limit={FEED_PAGE}&wait=1",
            api.trim_end_matches('/')
        );
        let page: Option<Value> = match client.get(&url).bearer_auth(&token).send().await {
            Ok(response) if response.status().is_success() => response.json().await.ok(),
            Ok(response) => {
                eprintln!("pipeline-gate: the feed answered {}", response.status());
                None
            }
            Err(_) => None,
        };
        let Some(page) = page else {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        let changes = page["changes"].as_array().cloned().unwrap_or_default();
        if let Ok(mut known) = decisions.lock() {
            for change in &changes {
                if let (Some(tenant), Some(program), Some(allowed)) = (
                    change["tenant"].as_str(),
                    change["program"].as_str(),
                    change["allowed"].as_bool(),
                ) {
                    known
                        .allowed
                        .insert((tenant.to_owned(), program.to_owned()), allowed);
                }
            }
            // Fresh only once caught up: a full page means more is waiting.
            if changes.len() < FEED_PAGE {
                known.fresh_at = Some(Instant::now());
            }
        }
        if let Some(next) = page["next_cursor"].as_str() {
            cursor = next.to_owned();
        }
    }
}

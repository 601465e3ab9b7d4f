//! `cargo xtask alerts`, a step of `cargo xtask test`: the alert rules in
//! `deploy/prometheus/` checked and unit-tested by promtool, then proven
//! against real parts: Debian's Prometheus on loopback scrapes a real
//! consent API's metrics listener, evaluating the shipped rules unchanged,
//! while a real webhook receiver refuses every delivery and the development
//! clock moves a Marketing opt-out's deletions towards and past their due
//! dates. Prometheus's own alerts API must then say which alerts fire.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::install::ensure_apt;
use crate::shell::{command, free_port, run, workspace_root, Result};
use crate::support::http::{client, Api};
use crate::support::receiver::WebhookReceiver;
use crate::support::server::{self, ServerOptions};

/// Where the rules and their unit tests live.
const RULES_DIR: &str = "deploy/prometheus";

/// How long Prometheus may take to see a condition and fire (scrape and
/// evaluation every second).
const FIRING_WITHIN: Duration = Duration::from_secs(60);

/// Installs Prometheus when missing, then checks and unit-tests the rules
/// and runs them against a real scrape.
pub fn alerts() -> Result {
    ensure_apt(&[("promtool", "prometheus"), ("prometheus", "prometheus")])?;
    unit_tests()?;
    server::build()?;
    real_scrape()
}

/// `promtool check rules` and `promtool test rules`.
pub fn unit_tests() -> Result {
    let dir = workspace_root().join(RULES_DIR);
    let mut check = command("promtool", &["check", "rules", "alerts.yml"]);
    check.current_dir(&dir);
    run(check)?;
    let mut test = command("promtool", &["test", "rules", "alerts.test.yml"]);
    test.current_dir(&dir);
    run(test)
}

fn real_scrape() -> Result {
    let started = Instant::now();
    let work = std::env::temp_dir().join(format!("consent-alerts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let outcome = scrape_and_fire(&work);
    if outcome.is_ok() {
        println!(
            "xtask: alerts: the rules fired as expected against a real Prometheus in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let _ = std::fs::remove_dir_all(&work);
    } else {
        println!("xtask: alerts: logs kept in {}", work.display());
    }
    outcome
}

fn scrape_and_fire(work: &Path) -> Result {
    let root = workspace_root();
    let provider = server_launcher::oidc::OidcProvider::start(&root)?;
    let metrics_addr = format!("127.0.0.1:{}", free_port()?);
    let mut api_server = server::start(ServerOptions {
        oidc_issuer: Some(&provider.issuer),
        metrics_bind: Some(&metrics_addr),
        log: Some(work.join("consent-api.log")),
        ..ServerOptions::dev(work)
    })?;
    let prometheus = Prometheus::start(work, &metrics_addr)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let outcome = runtime.block_on(drive(&api_server.url, &provider.issuer, &prometheus));
    if let Some(status) = api_server.exited() {
        return Err(format!(
            "the consent API stopped ({status}){}",
            api_server.log_tail()
        ));
    }
    outcome.map_err(|e| format!("{e}\n{}", prometheus.log_tail()))
}

/// What the operator would see, step by step.
async fn drive(api_url: &str, issuer: &str, prometheus: &Prometheus) -> Result {
    let api = Api::new(api_url)?;
    let receiver = WebhookReceiver::start().await?;
    // The consumer is down: every delivery is refused with a retryable 503.
    receiver.answer_with(503);
    let hooks = api
        .service_token(issuer, "webhooks", "consent.subscriptions.write")
        .await?;
    let subscription = "marketing-consumer";
    api.subscribe(&hooks, subscription, &receiver.url, &["marketing"])
        .await?;
    let tenant = api.new_tenant("US").await?;
    let admin = api.dev_token(&tenant, "admin").await?;
    api.set_program(&tenant, &admin, "marketing", true).await?;
    api.set_program(&tenant, &admin, "marketing", false).await?;
    prometheus
        .wait_evaluated_with(&format!(
            "consent_outbox_pending{{subscription=\"{subscription}\"}} > 0"
        ))
        .await?;
    prometheus
        .expect_quiet(
            &[
                "ConsentOutboxBacklog",
                "ConsentDeletionDueSoon",
                "ConsentDeletionOverdue",
            ],
            None,
        )
        .await?;

    // Ten minutes on: the undelivered change is older than five minutes,
    // but the consumer has not been failing for fifteen yet.
    api.advance_dev_clock(10 * 60).await?;
    prometheus
        .wait_firing("ConsentOutboxBacklog", ("subscription", subscription))
        .await?;
    prometheus
        .expect_quiet(&["ConsentWebhookConsumerFailing"], None)
        .await?;

    // 28 days after the opt-out: two obligations fall due within 72 hours,
    // and the consumer has been failing for weeks.
    api.advance_dev_clock(28 * 24 * 3600 - 10 * 60).await?;
    prometheus
        .wait_firing(
            "ConsentWebhookConsumerFailing",
            ("subscription", subscription),
        )
        .await?;
    for store in ["marketing-data-copies", "query-data-copies"] {
        prometheus
            .wait_firing("ConsentDeletionDueSoon", ("store", store))
            .await?;
    }
    prometheus
        .expect_quiet(&["ConsentDeletionOverdue"], None)
        .await?;

    // 31 days: past the due date, nothing attested.
    api.advance_dev_clock(3 * 24 * 3600).await?;
    for store in ["marketing-data-copies", "query-data-copies"] {
        prometheus
            .wait_firing("ConsentDeletionOverdue", ("store", store))
            .await?;
    }
    // The schema copies are due in months; the traffic had no server errors.
    prometheus
        .expect_quiet(
            &["ConsentDeletionDueSoon"],
            Some(("store", "schema-copies")),
        )
        .await?;
    prometheus
        .expect_quiet(&["ConsentServerErrors", "ConsentDecisionsSlow"], None)
        .await?;
    if receiver.received().is_empty() {
        return Err("the webhook receiver never saw a delivery".into());
    }
    Ok(())
}

/// Debian's Prometheus on a free loopback port, scraping the metrics
/// listener every second with the shipped rules; stopped when dropped.
struct Prometheus {
    child: Child,
    url: String,
    log: PathBuf,
    client: reqwest::Client,
}

impl Prometheus {
    fn start(work: &Path, target: &str) -> Result<Prometheus> {
        let rules = workspace_root().join(RULES_DIR).join("alerts.yml");
        let config = work.join("prometheus.yml");
        // JSON is YAML, and serde_json writes it without hand-made quoting.
        let text = serde_json::json!({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [rules],
            "scrape_configs": [{
                "job_name": "consent-api",
                "static_configs": [{"targets": [target]}]
            }]
        });
        std::fs::write(&config, text.to_string())
            .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        let listen = format!("127.0.0.1:{}", free_port()?);
        let log = work.join("prometheus.log");
        let log_file = std::fs::File::create(&log)
            .map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let child = std::process::Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                work.join("tsdb").display()
            ))
            .arg(format!("--web.listen-address={listen}"))
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("cannot start prometheus: {e}"))?;
        Ok(Prometheus {
            child,
            url: format!("http://{listen}"),
            log,
            client: client()?,
        })
    }

    /// Waits until a scrape made `expr` true and the rules were evaluated
    /// after it, so that an alert still quiet then is quiet on that data.
    async fn wait_evaluated_with(&self, expr: &str) -> Result {
        let deadline = Instant::now() + FIRING_WITHIN;
        while self.query(expr).await.ok().is_none_or(|v| {
            v["data"]["result"]
                .as_array()
                .is_none_or(|result| result.is_empty())
        }) {
            if Instant::now() > deadline {
                return Err(format!("no scrape made {expr} true"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let seen = chrono::DateTime::from_timestamp_micros(since_epoch.as_micros() as i64)
            .ok_or("the clock is out of range")?;
        loop {
            if self.last_evaluation().await?.is_some_and(|at| at > seen) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err("the rules were not evaluated again".into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// When the rule group was last evaluated.
    async fn last_evaluation(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let answer = self.get("/api/v1/rules", &[]).await?;
        let group = answer["data"]["groups"]
            .as_array()
            .and_then(|groups| groups.iter().find(|g| g["name"] == "consent"))
            .ok_or_else(|| format!("Prometheus did not load the rules: {answer}"))?;
        if let Some(broken) = group["rules"]
            .as_array()
            .and_then(|rules| rules.iter().find(|r| r["health"] == "err"))
        {
            return Err(format!("a rule fails to evaluate: {broken}"));
        }
        Ok(group["lastEvaluation"]
            .as_str()
            .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
            .map(|at| at.with_timezone(&chrono::Utc)))
    }

    async fn query(&self, expr: &str) -> Result<Value> {
        self.get("/api/v1/query", &[("query", expr)]).await
    }

    /// The JSON answer of Prometheus's API at `path` with `query`.
    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value> {
        let url = format!("{}{path}", self.url);
        let answer = self
            .client
            .get(&url)
            .query(query)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        answer.json().await.map_err(|e| format!("GET {url}: {e}"))
    }

    /// Every alert Prometheus has now, pending or firing.
    async fn alerts(&self) -> Result<Vec<Value>> {
        let answer = self.get("/api/v1/alerts", &[]).await?;
        Ok(answer["data"]["alerts"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    /// Waits until alert `name` with label `label` fires, then checks that
    /// it links to its runbook section.
    async fn wait_firing(&self, name: &str, label: (&str, &str)) -> Result {
        let deadline = Instant::now() + FIRING_WITHIN;
        loop {
            let alerts = self.alerts().await?;
            if let Some(alert) = alerts.iter().find(|a| matches(a, name, Some(label))) {
                if alert["state"] == "firing" {
                    let runbook = alert["annotations"]["runbook_url"].as_str().unwrap_or("");
                    if !runbook.starts_with("docs/operations.md#") {
                        return Err(format!("{name} has no runbook link: {alert}"));
                    }
                    println!("xtask: alerts: {name} {}={} firing", label.0, label.1);
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{name} with {}={} did not fire within {FIRING_WITHIN:?}; alerts: {alerts:?}",
                    label.0, label.1
                ));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Checks that none of `names` is pending or firing (for `label`, when given).
    async fn expect_quiet(&self, names: &[&str], label: Option<(&str, &str)>) -> Result {
        let alerts = self.alerts().await?;
        match alerts
            .iter()
            .find(|a| names.iter().any(|name| matches(a, name, label)))
        {
            Some(alert) => Err(format!("an alert that must be quiet is active: {alert}")),
            None => Ok(()),
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!(
            "\nPrometheus's log ({}), last lines:\n{}",
            self.log.display(),
            lines[lines.len().saturating_sub(15)..].join("\n")
        )
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn matches(alert: &Value, name: &str, label: Option<(&str, &str)>) -> bool {
    alert["labels"]["alertname"] == name
        && label.is_none_or(|(key, value)| alert["labels"][key] == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's anchor of a Markdown heading.
    fn anchor(heading: &str) -> String {
        heading
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect()
    }

    // Guards the runbook links: every alert names a section of
    // docs/operations.md that exists, so the on-call person lands on it.
    #[test]
    fn every_alert_links_to_a_runbook_section() {
        let root = workspace_root();
        let rules = std::fs::read_to_string(root.join(RULES_DIR).join("alerts.yml")).unwrap();
        let runbook = std::fs::read_to_string(root.join("docs/operations.md")).unwrap();
        let anchors: Vec<String> = runbook
            .lines()
            .filter_map(|line| line.strip_prefix("### "))
            .map(anchor)
            .collect();
        let alerts = rules.matches("- alert: ").count();
        let links: Vec<&str> = rules
            .lines()
            .filter_map(|line| line.trim().strip_prefix("runbook_url: "))
            .map(|link| link.trim_matches('"'))
            .collect();
        assert_eq!(links.len(), alerts, "one runbook link per alert");
        assert!(alerts >= 7, "the seven alerts the operator needs");
        for link in links {
            let section = link
                .strip_prefix("docs/operations.md#")
                .unwrap_or_else(|| panic!("{link} is not a runbook section"));
            assert!(
                anchors.iter().any(|a| a == section),
                "{link}: no such heading in docs/operations.md ({anchors:?})"
            );
        }
    }
}

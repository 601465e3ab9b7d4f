//! What an operator alerts on, in the Prometheus text format: served only
//! on the `--metrics-bind` listener (`GET /metrics`), never on the API's.
//!
//! Counters and histograms count what this process did. The outbox, the
//! webhook consumers and the deletion obligations are read from the shared
//! database at scrape time, so every process reports the same values
//! (alert rules take their `max`). No label carries a tenant id: the
//! labels are route templates, programs, reasons, causes, subscriptions
//! and data stores, each a short list.

pub mod http;
mod latency;
pub mod scrape;

use std::sync::{Arc, OnceLock};

use consent_core::decision::DecisionReason;
use consent_core::rules::ConsentAction;
use consent_core::ProgramId;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

pub use latency::LatencyHistogram;

/// How many reasons a decision has (`DecisionReason`'s variants).
const REASONS: usize = 6;

/// Shares the metrics between handlers and background tasks.
pub type SharedMetrics = Arc<Metrics>;

/// Every metric the server exports, registered once.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, LatencyHistogram>,
    changes: Family<ChangeLabels, Counter>,
    decisions: Family<DecisionLabels, Counter>,
    /// Each program's and reason's counter, reached without a lock once made
    /// (decisions are the hottest path).
    decision_cells: [[OnceLock<Counter>; REASONS]; ProgramId::ALL.len()],
    token_refusals: Family<CauseLabels, Counter>,
    rate_limited: Family<LimitLabels, Counter>,
    deliveries: Family<DeliveryLabels, Counter>,
    long_polls: Gauge,
    pool_wait: Family<PurposeLabels, LatencyHistogram>,
    gauges: scrape::DatabaseGauges,
}

/// A request: its route template, method and status class.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub method: &'static str,
    pub status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChangeLabels {
    program: Label,
    action: Label,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    program: Label,
    reason: Label,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CauseLabels {
    cause: Label,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabels {
    limit: Label,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    subscription: String,
    outcome: Label,
}

/// Which transactions waited for a connection.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PurposeLabels {
    purpose: Label,
}

/// A label value from a fixed list of the server's own words.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
struct Label(&'static str);

impl EncodeLabelValue for Label {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        EncodeLabelValue::encode(&self.0, encoder)
    }
}

/// A rate limit that refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// A caller's requests per second (this process).
    Requests,
    /// A tenant's changes per minute (every process).
    Changes,
}

/// How a webhook delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered,
    /// Failed; tried again later.
    Retrying,
    /// Failed for good.
    Dead,
}

/// Which kind of transaction waited for a pooled connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Read,
    Write,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Every metric at zero, registered under the `consent_` prefix.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("consent");
        let requests = Family::default();
        registry.register_with_unit(
            "http_request_duration",
            "API and web app requests by route template, method and status class; _count counts them",
            Unit::Seconds,
            requests.clone(),
        );
        let changes = Family::default();
        registry.register(
            "changes_recorded",
            "Events recorded in the consent ledger, by program and action",
            changes.clone(),
        );
        let decisions = Family::default();
        registry.register(
            "decisions",
            "Decisions answered to the systems that use the data, by program and reason",
            decisions.clone(),
        );
        let token_refusals = Family::default();
        registry.register(
            "token_refusals",
            "Requests refused for their bearer token, by cause",
            token_refusals.clone(),
        );
        let rate_limited = Family::default();
        registry.register(
            "rate_limited",
            "Requests refused by a rate limit (requests per caller, changes per tenant)",
            rate_limited.clone(),
        );
        let deliveries = Family::default();
        registry.register(
            "webhook_deliveries",
            "Webhook delivery attempts made by this process, by subscription and outcome",
            deliveries.clone(),
        );
        let long_polls = Gauge::default();
        registry.register(
            "change_feed_long_polls",
            "Change-feed requests held open waiting for a change",
            long_polls.clone(),
        );
        let pool_wait = Family::default();
        registry.register_with_unit(
            "db_pool_wait",
            "Time to get a pooled database connection and begin a transaction on it",
            Unit::Seconds,
            pool_wait.clone(),
        );
        let build_info = Family::<VersionLabels, Gauge>::default();
        build_info
            .get_or_create(&VersionLabels {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);
        registry.register("build_info", "The running server's version", build_info);
        let gauges = scrape::DatabaseGauges::register(&mut registry);
        Metrics {
            registry,
            requests,
            changes,
            decisions,
            decision_cells: Default::default(),
            token_refusals,
            rate_limited,
            deliveries,
            long_polls,
            pool_wait,
            gauges,
        }
    }

    /// One request answered.
    pub fn request_answered(&self, labels: &RequestLabels, seconds: f64) {
        self.requests.get_or_create(labels).observe(seconds);
    }

    /// One event recorded in the ledger.
    pub fn change_recorded(&self, program: ProgramId, action: ConsentAction) {
        self.changes
            .get_or_create(&ChangeLabels {
                program: Label(program.as_str()),
                action: Label(action.as_str()),
            })
            .inc();
    }

    /// One decision answered.
    pub fn decision_answered(&self, program: ProgramId, reason: DecisionReason) {
        let labels = || DecisionLabels {
            program: Label(program.as_str()),
            reason: Label(reason.as_str()),
        };
        let cell = ProgramId::ALL
            .iter()
            .position(|p| *p == program)
            .and_then(|row| self.decision_cells[row].get(reason as usize));
        match cell {
            Some(cell) => cell
                .get_or_init(|| self.decisions.get_or_create_owned(&labels()))
                .inc(),
            // A reason added without a cell of its own: still counted, the slower way.
            None => self.decisions.get_or_create(&labels()).inc(),
        };
    }

    /// One token refused, for `cause` (a stable short name).
    pub fn token_refused(&self, cause: &'static str) {
        self.token_refusals
            .get_or_create(&CauseLabels {
                cause: Label(cause),
            })
            .inc();
    }

    /// One request refused by `limit`.
    pub fn rate_limited(&self, limit: Limit) {
        let limit = match limit {
            Limit::Requests => "requests",
            Limit::Changes => "changes",
        };
        self.rate_limited
            .get_or_create(&LimitLabels {
                limit: Label(limit),
            })
            .inc();
    }

    /// One delivery attempt to `subscription` ended with `outcome`.
    pub fn delivery_attempted(&self, subscription: &str, outcome: DeliveryOutcome) {
        let outcome = match outcome {
            DeliveryOutcome::Delivered => "delivered",
            DeliveryOutcome::Retrying => "retrying",
            DeliveryOutcome::Dead => "dead",
        };
        self.deliveries
            .get_or_create(&DeliveryLabels {
                subscription: subscription.to_owned(),
                outcome: Label(outcome),
            })
            .inc();
    }

    /// Counts a change-feed request as held open until the guard is dropped.
    pub fn long_poll(self: &Arc<Self>) -> LongPoll {
        self.long_polls.inc();
        LongPoll(Arc::clone(self))
    }

    /// One transaction got its connection after `seconds`.
    pub fn pool_waited(&self, purpose: Purpose, seconds: f64) {
        let purpose = match purpose {
            Purpose::Read => "read",
            Purpose::Write => "write",
        };
        self.pool_wait
            .get_or_create(&PurposeLabels {
                purpose: Label(purpose),
            })
            .observe(seconds);
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    version: &'static str,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// A change-feed request held open; counted while alive.
pub struct LongPoll(SharedMetrics);

impl Drop for LongPoll {
    fn drop(&mut self) {
        self.0.long_polls.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ObligationFigures, OutboxFigures};

    // Guards the operator's reference: every metric the server can export
    // is described in docs/operations.md under its exported name.
    #[test]
    fn every_metric_is_in_the_runbook() {
        let metrics = Arc::new(Metrics::new());
        let labels = RequestLabels {
            route: "/api/v1/decisions:batch".to_owned(),
            method: "POST",
            status: "2xx",
        };
        metrics.request_answered(&labels, 0.002);
        metrics.change_recorded(ProgramId::Copilot, ConsentAction::OptedIn);
        metrics.decision_answered(ProgramId::Copilot, DecisionReason::OptedIn);
        metrics.token_refused("expired");
        metrics.rate_limited(Limit::Requests);
        metrics.delivery_attempted("s", DeliveryOutcome::Delivered);
        metrics.pool_waited(Purpose::Read, 0.0001);
        let _open = metrics.long_poll();
        metrics.gauges.set(
            &[OutboxFigures {
                subscription: "s".to_owned(),
                pending: 1,
                oldest_pending_age_secs: 2.0,
                failing_secs: 2.0,
            }],
            &[ObligationFigures {
                store: "st".to_owned(),
                open: 1,
                overdue: 0,
                done: 0,
                next_due_secs: Some(60.0),
            }],
        );
        metrics
            .gauges
            .connections_in_use
            .get_or_create(&scrape::pool("main"))
            .set(1);
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &metrics.registry).unwrap();
        let runbook = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/operations.md"),
        )
        .unwrap();
        let names: Vec<&str> = text
            .lines()
            .filter_map(|line| line.strip_prefix("# TYPE "))
            .filter_map(|line| line.split_whitespace().next())
            .collect();
        assert_eq!(names.len(), 15, "{text}");
        for name in names {
            assert!(
                runbook.contains(&format!("`{name}`")),
                "{name} is not described in docs/operations.md"
            );
        }
    }
}

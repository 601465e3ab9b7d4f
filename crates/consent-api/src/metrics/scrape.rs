//! `GET /metrics`: reads the shared database's figures (outbox, webhook
//! consumers, deletion obligations, connections) afresh, then writes every
//! metric in the Prometheus text format.

use std::sync::atomic::AtomicU64;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use crate::state::AppState;
use crate::store::{ObligationFigures, OutboxFigures};

/// A gauge that holds seconds (or other fractions).
type Seconds = Gauge<f64, AtomicU64>;

/// The figures read from the database at each scrape.
pub(super) struct DatabaseGauges {
    outbox_pending: Family<SubscriptionLabels, Gauge>,
    outbox_oldest_age: Family<SubscriptionLabels, Seconds>,
    consumer_failing: Family<SubscriptionLabels, Seconds>,
    obligations: Family<ObligationLabels, Gauge>,
    next_due: Family<StoreLabels, Seconds>,
    pub(super) connections_in_use: Family<PoolLabels, Gauge>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SubscriptionLabels {
    subscription: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ObligationLabels {
    store: String,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StoreLabels {
    store: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct PoolLabels {
    pool: &'static str,
}

#[cfg(test)]
pub(super) fn pool(pool: &'static str) -> PoolLabels {
    PoolLabels { pool }
}

impl DatabaseGauges {
    pub(super) fn register(registry: &mut Registry) -> DatabaseGauges {
        let gauges = DatabaseGauges {
            outbox_pending: Family::default(),
            outbox_oldest_age: Family::default(),
            consumer_failing: Family::default(),
            obligations: Family::default(),
            next_due: Family::default(),
            connections_in_use: Family::default(),
        };
        registry.register(
            "outbox_pending",
            "Webhook deliveries not yet acknowledged, by subscription",
            gauges.outbox_pending.clone(),
        );
        registry.register_with_unit(
            "outbox_oldest_pending_age",
            "Age of the oldest webhook delivery not yet acknowledged (0: none), by subscription",
            Unit::Seconds,
            gauges.outbox_oldest_age.clone(),
        );
        registry.register_with_unit(
            "webhook_failing",
            "How long a subscription's consumer has been failing: since the oldest delivery it \
             has not acknowledged after its last acknowledged one (0: it acknowledges)",
            Unit::Seconds,
            gauges.consumer_failing.clone(),
        );
        registry.register(
            "deletion_obligations",
            "Deletion obligations by data store and status (open, overdue, done)",
            gauges.obligations.clone(),
        );
        registry.register_with_unit(
            "deletion_next_due",
            "Until the earliest due date of a data store's open deletion obligations",
            Unit::Seconds,
            gauges.next_due.clone(),
        );
        registry.register(
            "db_connections_in_use",
            "Database connections in use, by pool",
            gauges.connections_in_use.clone(),
        );
        gauges
    }

    /// Replaces the figures with `outbox`'s and `obligations`' (a
    /// subscription or store gone since the last scrape disappears).
    pub(super) fn set(&self, outbox: &[OutboxFigures], obligations: &[ObligationFigures]) {
        self.outbox_pending.clear();
        self.outbox_oldest_age.clear();
        self.consumer_failing.clear();
        for figures in outbox {
            let labels = SubscriptionLabels {
                subscription: figures.subscription.clone(),
            };
            self.outbox_pending
                .get_or_create(&labels)
                .set(figures.pending);
            self.outbox_oldest_age
                .get_or_create(&labels)
                .set(figures.oldest_pending_age_secs);
            self.consumer_failing
                .get_or_create(&labels)
                .set(figures.failing_secs);
        }
        self.obligations.clear();
        self.next_due.clear();
        for figures in obligations {
            for (status, count) in [
                ("open", figures.open),
                ("overdue", figures.overdue),
                ("done", figures.done),
            ] {
                self.obligations
                    .get_or_create(&ObligationLabels {
                        store: figures.store.clone(),
                        status,
                    })
                    .set(count);
            }
            if let Some(secs) = figures.next_due_secs {
                self.next_due
                    .get_or_create(&StoreLabels {
                        store: figures.store.clone(),
                    })
                    .set(secs);
            }
        }
    }
}

/// The metrics listener's routes: `GET /metrics` only.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(|| async { (StatusCode::NOT_FOUND, "only /metrics is served here\n") })
        .with_state(state)
}

async fn metrics(State(state): State<AppState>) -> Response {
    let now = state.now();
    let figures = async {
        let outbox = state.store.outbox_figures(now).await?;
        let obligations = state.store.obligation_figures(now).await?;
        Ok::<_, sqlx::Error>((outbox, obligations))
    };
    let metrics = &state.metrics;
    match figures.await {
        Ok((outbox, obligations)) => metrics.gauges.set(&outbox, &obligations),
        // Say so rather than export figures that are no longer true.
        Err(error) => {
            tracing::warn!(%error, "cannot read the database's figures for /metrics");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
                .into_response();
        }
    }
    metrics.gauges.connections_in_use.clear();
    for (pool, in_use) in state.store.connections_in_use() {
        metrics
            .gauges
            .connections_in_use
            .get_or_create(&PoolLabels { pool })
            .set(in_use);
    }
    let mut text = String::with_capacity(16 * 1024);
    if let Err(error) = prometheus_text::encode(&mut text, &metrics.registry) {
        tracing::warn!(%error, "cannot write /metrics");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(CONTENT_TYPE, prometheus_text::CONTENT_TYPE)], text).into_response()
}

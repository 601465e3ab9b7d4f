-- Webhook subscriptions and their deliveries (a transactional outbox).
--
-- A delivery row is written in the same transaction as the event it
-- announces, one per subscription that wants the event's program, so no
-- committed change can go unannounced. Workers in any process claim due
-- rows (`locked_until`, compare-and-set), send them, and record the
-- outcome; a row's `id` is its `webhook-id`, the same on every retry.
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    programs TEXT NOT NULL,
    description TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    deleted_at TEXT
);
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    feed_position BIGINT NOT NULL,
    tenant_id TEXT NOT NULL,
    program TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    locked_until TEXT,
    delivered_at TEXT,
    last_status BIGINT,
    last_error TEXT,
    latency_ms BIGINT
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_subscription ON deliveries (subscription_id, feed_position);

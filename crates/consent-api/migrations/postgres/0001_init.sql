-- The consent API's schema on PostgreSQL: the same tables, columns, keys
-- and indexes as ../sqlite/0001_init.sql, so the server's statements run
-- unchanged on both. Timestamps are RFC 3339 UTC text with a fixed number
-- of fractional digits, so they sort as text. JSON values are stored as TEXT.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    -- The data-sharing document's version (its ETag); every accepted change bumps it.
    document_version BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

-- Published notice versions. A row is never edited: a new wording is a new version.
CREATE TABLE notices (
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    language TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    material_change BOOLEAN NOT NULL,
    effective_date TEXT NOT NULL,
    content TEXT NOT NULL,
    first_loaded_at TEXT NOT NULL,
    PRIMARY KEY (id, version, language)
);

-- The current state of each program a tenant has ever changed; a program
-- without a row is in its initial state (off, nothing accepted).
CREATE TABLE program_state (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    program TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    contact_allowed BOOLEAN,
    accepted_notices TEXT NOT NULL,
    updated_at TEXT,
    updated_by TEXT,
    pending_deletion TEXT,
    PRIMARY KEY (tenant_id, program)
);

-- The consent history. Append-only: nothing in the server updates or deletes a row.
CREATE TABLE consent_events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    program TEXT NOT NULL,
    action TEXT NOT NULL,
    before_state TEXT NOT NULL,
    after_state TEXT NOT NULL,
    notices TEXT NOT NULL,
    receipt_id TEXT NOT NULL,
    idempotency_key TEXT
);

CREATE INDEX consent_events_by_tenant ON consent_events (tenant_id, at, id);

-- One receipt per event, handed to the tenant as proof of what was agreed.
CREATE TABLE consent_receipts (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    event_id TEXT NOT NULL REFERENCES consent_events (id),
    issued_at TEXT NOT NULL,
    body TEXT NOT NULL
);

-- The first answer to each Idempotency-Key, replayed to retries.
CREATE TABLE idempotency_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    -- BIGINT where SQLite says INTEGER: the server reads every whole number as a 64-bit one.
    response_status BIGINT NOT NULL,
    response_body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key)
);

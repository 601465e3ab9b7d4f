-- The hash chain of each tenant's history (see consent-core's `chain`):
-- an event's place `n` in its tenant's chain, the hash of the event before
-- it and its own hash. Written in the event's transaction; events recorded
-- before the chain existed are chained when the server starts, in order.
-- Append-only, like the events.
CREATE TABLE ledger_chain (
    event_id TEXT PRIMARY KEY REFERENCES consent_events (id),
    tenant_id TEXT NOT NULL,
    n BIGINT NOT NULL,
    prev_hash TEXT,
    hash TEXT NOT NULL
);
-- One event per place in a tenant's chain (and the head found by it).
CREATE UNIQUE INDEX ledger_chain_by_tenant ON ledger_chain (tenant_id, n);
CREATE TRIGGER ledger_chain_no_update BEFORE UPDATE ON ledger_chain
BEGIN
    SELECT RAISE(ABORT, 'ledger_chain is append-only');
END;
CREATE TRIGGER ledger_chain_no_delete BEFORE DELETE ON ledger_chain
BEGIN
    SELECT RAISE(ABORT, 'ledger_chain is append-only');
END;
-- A checkpoint per change: the tenant's chain length and newest hash,
-- signed with the ledger key in the change's transaction. Removing the
-- newest events then shows: the chain is shorter than what was signed.
CREATE TABLE ledger_checkpoints (
    tenant_id TEXT NOT NULL,
    count BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    at TEXT NOT NULL,
    jws TEXT NOT NULL,
    PRIMARY KEY (tenant_id, count)
);
CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'ledger_checkpoints is append-only');
END;
CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'ledger_checkpoints is append-only');
END;

-- The events recorded before the chain existed: those up to this `seq` are
-- chained when the server starts; an event without a link after it was
-- added behind the service's back, and stays unchained for the verifier.
CREATE TABLE ledger_chain_origin (
    id INTEGER PRIMARY KEY,
    unchained_through BIGINT NOT NULL
);
INSERT INTO ledger_chain_origin (id, unchained_through)
    SELECT 1, COALESCE(MAX(seq), 0) FROM consent_events;

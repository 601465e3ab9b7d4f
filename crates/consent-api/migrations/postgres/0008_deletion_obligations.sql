-- Deletion obligations: each opt-out opens one per data store of its
-- program (configured in stores.json), in the opt-out's transaction. A
-- store attests its deletion once (`attestation`, the JSON it sent with who
-- and when, and the `deletion_attested` event); the sweep marks one overdue
-- once (`overdue_event_id`, the `deletion_overdue` event), whatever the
-- number of processes. Rows are never deleted.
CREATE TABLE deletion_obligations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    program TEXT NOT NULL,
    store_id TEXT NOT NULL,
    opt_out_event_id TEXT NOT NULL,
    opted_out_at TEXT NOT NULL,
    due_by TEXT NOT NULL,
    attestation TEXT,
    attested_event_id TEXT,
    overdue_event_id TEXT
);
-- One obligation per store and opt-out.
CREATE UNIQUE INDEX deletion_obligations_once_per_store
    ON deletion_obligations (opt_out_event_id, store_id);
CREATE INDEX deletion_obligations_by_tenant ON deletion_obligations (tenant_id, opted_out_at);
-- A store's queue, and what the sweep looks at: the unattested ones by due date.
CREATE INDEX deletion_obligations_unattested ON deletion_obligations (store_id, due_by)
    WHERE attestation IS NULL;
CREATE TRIGGER deletion_obligations_no_delete BEFORE DELETE ON deletion_obligations
    FOR EACH ROW EXECUTE FUNCTION consent_append_only();
CREATE TRIGGER deletion_obligations_no_truncate BEFORE TRUNCATE ON deletion_obligations
    FOR EACH STATEMENT EXECUTE FUNCTION consent_append_only();

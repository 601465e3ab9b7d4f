-- The history's order and its protection (PostgreSQL; see
-- ../sqlite/0002_history_sequence_and_append_only.sql for SQLite).
--
-- `seq` numbers events in the order they were recorded, from a sequence.
-- Every writer locks the tenant's row before it records an event, so within
-- a tenant's history a later commit always has a larger number, and a
-- history page that starts below a given number never changes when new
-- events arrive.
ALTER TABLE consent_events ADD COLUMN seq BIGINT;
CREATE SEQUENCE consent_events_seq OWNED BY consent_events.seq;
CREATE UNIQUE INDEX consent_events_by_seq ON consent_events (seq);
CREATE INDEX consent_events_by_tenant_seq ON consent_events (tenant_id, seq);

-- Events and receipts are append-only: the database itself refuses to
-- change or remove one, whatever statement a future change might add.
CREATE FUNCTION consent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
    FOR EACH ROW EXECUTE FUNCTION consent_append_only();
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
    FOR EACH ROW EXECUTE FUNCTION consent_append_only();
CREATE TRIGGER consent_events_no_truncate BEFORE TRUNCATE ON consent_events
    FOR EACH STATEMENT EXECUTE FUNCTION consent_append_only();
CREATE TRIGGER consent_receipts_no_update BEFORE UPDATE ON consent_receipts
    FOR EACH ROW EXECUTE FUNCTION consent_append_only();
CREATE TRIGGER consent_receipts_no_delete BEFORE DELETE ON consent_receipts
    FOR EACH ROW EXECUTE FUNCTION consent_append_only();
CREATE TRIGGER consent_receipts_no_truncate BEFORE TRUNCATE ON consent_receipts
    FOR EACH STATEMENT EXECUTE FUNCTION consent_append_only();

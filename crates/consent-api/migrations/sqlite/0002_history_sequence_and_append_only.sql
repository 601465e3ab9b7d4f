-- The history's order and its protection.
--
-- `seq` numbers events in the order they were recorded. It only grows (each
-- insert takes MAX + 1 while holding the write lock), so a history page
-- that starts below a given number never changes when new events arrive.
ALTER TABLE consent_events ADD COLUMN seq BIGINT;
UPDATE consent_events SET seq = rowid;
CREATE UNIQUE INDEX consent_events_by_seq ON consent_events (seq);
CREATE INDEX consent_events_by_tenant_seq ON consent_events (tenant_id, seq);

-- Events and receipts are append-only: the database itself refuses to
-- change or remove one, whatever statement a future change might add.
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent_events is append-only');
END;
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
BEGIN
    SELECT RAISE(ABORT, 'consent_events is append-only');
END;
CREATE TRIGGER consent_receipts_no_update BEFORE UPDATE ON consent_receipts
BEGIN
    SELECT RAISE(ABORT, 'consent_receipts is append-only');
END;
CREATE TRIGGER consent_receipts_no_delete BEFORE DELETE ON consent_receipts
BEGIN
    SELECT RAISE(ABORT, 'consent_receipts is append-only');
END;

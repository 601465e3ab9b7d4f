-- The change feed: every recorded event, numbered in the order the
-- transactions that recorded them committed, for the systems that follow
-- decisions. `position` is taken from the one row of `change_feed_head` as
-- the last step of each transaction; that row stays locked until commit,
-- so a later position is always a later commit and a reader that asks for
-- everything after a position never misses one. (Event `seq` numbers do not
-- give that on PostgreSQL: a sequence hands out numbers before commit.)
-- `decision` is the decision after the event, as JSON; NULL for the events
-- recorded before the feed existed (read as of the event's time instead).
CREATE TABLE change_feed (
    position BIGINT PRIMARY KEY,
    event_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    program TEXT NOT NULL,
    at TEXT NOT NULL,
    decision TEXT
);
CREATE TABLE change_feed_head (
    id INTEGER PRIMARY KEY,
    position BIGINT NOT NULL
);
INSERT INTO change_feed (position, event_id, tenant_id, program, at)
    SELECT ROW_NUMBER() OVER (ORDER BY seq), id, tenant_id, program, at FROM consent_events;
INSERT INTO change_feed_head (id, position) SELECT 1, COUNT(*) FROM consent_events;

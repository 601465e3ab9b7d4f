-- How far a tenant's latest change has reached the connected systems:
-- the newest feed entry of each program, then its deliveries.
CREATE INDEX change_feed_by_tenant ON change_feed (tenant_id, program, position);
CREATE INDEX deliveries_by_position ON deliveries (feed_position);
-- What the delivery worker sends next: the oldest pending delivery of each
-- subscription and tenant, found among the pending ones only (not among
-- every delivery ever made).
CREATE INDEX deliveries_pending ON deliveries (subscription_id, tenant_id, feed_position)
    WHERE status = 'pending';

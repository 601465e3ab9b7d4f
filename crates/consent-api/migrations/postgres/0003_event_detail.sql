-- What some events say beyond their action, as JSON: the region move of
-- `region_changed`, the reason of a change the service made. NULL for the rest.
ALTER TABLE consent_events ADD COLUMN detail TEXT;

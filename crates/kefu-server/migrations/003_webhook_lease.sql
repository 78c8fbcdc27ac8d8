-- kefu-server schema, version 3: relay leases. Several `kefu serve` processes may share one
-- PostgreSQL database; a relay first claims a due row (compare-and-set on lease_until) and
-- only the claimant sends it, so a delivery is not sent twice at once. A lease left by a
-- crashed process simply runs out.

ALTER TABLE webhook_outbox ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhook_outbox ADD COLUMN lease_owner TEXT;

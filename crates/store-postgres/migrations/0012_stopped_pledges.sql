-- A supporter stops a monthly pledge. Keep in step with
-- store-sqlite/migrations/0012_stopped_pledges.sql.

-- `unlocked → stopped`: the months already split stay as they are, no new month is split.
ALTER TABLE pledges DROP CONSTRAINT pledges_status_check;
ALTER TABLE pledges ADD CONSTRAINT pledges_status_check
    CHECK (status IN ('pending', 'unlocked', 'fulfilled', 'expired', 'cancelled', 'payment_failed', 'stopped'));

-- When the supporter stopped it (kept if an earlier month's payment later
-- fails and the pledge ends `payment_failed`).
ALTER TABLE pledges ADD COLUMN stopped_at TIMESTAMPTZ;

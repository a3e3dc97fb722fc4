-- The unlocked total the transparency log publishes (issue 18), and how
-- many money pledges changed it since (issue 14: no public event may give
-- one person's amount, so the log carries the total only once at least
-- ten of them did). SQLite dialect; keep in step with
-- store-postgres/migrations/0035_logged_unlocked_total.sql.
ALTER TABLE pots ADD COLUMN logged_unlocked_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pots ADD COLUMN logged_seq INTEGER;
ALTER TABLE pots ADD COLUMN unlogged_unlocks INTEGER NOT NULL DEFAULT 0;
-- Money pledges unlocked before this: the next change logs the total if
-- they already number ten.
UPDATE pots SET unlogged_unlocks = (SELECT COUNT(*) FROM pledges p
    WHERE p.slate_id = pots.slate_id AND p.amount_cents > 0
    AND p.status IN ('unlocked', 'fulfilled'));

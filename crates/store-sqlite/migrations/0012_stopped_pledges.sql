-- A supporter stops a monthly pledge. Keep in step with
-- store-postgres/migrations/0012_stopped_pledges.sql.
--
-- `unlocked → stopped`: the months already split stay as they are, no new
-- month is split. The status CHECK is widened the way 0008 widened it (SQLite
-- cannot ALTER a CHECK; widening one is the schema rewrite SQLite documents as
-- safe, https://sqlite.org/lang_altertable.html#otheralter).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''cancelled'', ''payment_failed'')', '''cancelled'', ''payment_failed'', ''stopped'')')
 WHERE type = 'table' AND name = 'pledges';
PRAGMA writable_schema = RESET;
-- Fail loudly (a CHECK violation aborts the migration) if the rewrite matched nothing.
CREATE TEMP TABLE migration_0012_guard (widened INTEGER NOT NULL CHECK (widened = 1));
INSERT INTO migration_0012_guard
SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'pledges' AND sql LIKE '%''stopped''%';
DROP TABLE migration_0012_guard;

-- When the supporter stopped it (kept if an earlier month's payment later
-- fails and the pledge ends `payment_failed`).
ALTER TABLE pledges ADD COLUMN stopped_at TEXT;

-- Issue 14: secrets at rest and unrequested email. SQLite dialect; keep in
-- step with store-postgres/migrations/0015_secrets_at_rest.sql.
--
-- pledges.receipt_token now holds the SHA-256 of the receipt token (64 hex
-- digits). SQLite has no SHA-256 in SQL, so the engine hashes the rows older
-- versions left in plain text on its first start after this migration
-- (Engine::seal_at_rest), and seals their outbox bodies.
--
-- An anonymous pledge's receipt is queued `held`: the engine releases at most
-- 3 an hour to one address (released_at) and folds the rest into one
-- summary (folded_into). mail_caps has one row per address the fold step
-- locked, so servers sharing a database decide one at a time.
ALTER TABLE outbox ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN released_at TEXT;
ALTER TABLE outbox ADD COLUMN folded_into INTEGER;
CREATE INDEX outbox_held ON outbox (to_email, id) WHERE held AND folded_into IS NULL;
CREATE INDEX outbox_released ON outbox (to_email, released_at) WHERE released_at IS NOT NULL;
CREATE TABLE mail_caps (
    to_email TEXT PRIMARY KEY,
    checked_at TEXT NOT NULL
);

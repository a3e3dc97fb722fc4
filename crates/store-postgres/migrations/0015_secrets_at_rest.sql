-- Issue 14: secrets at rest and unrequested email. PostgreSQL dialect; keep
-- in step with store-sqlite/migrations/0015_secrets_at_rest.sql.
--
-- pledges.receipt_token now holds the SHA-256 of the receipt token (64 hex
-- digits); existing tokens are hashed here. (SQLite has no SHA-256 in SQL:
-- there the engine does it on its first start, Engine::seal_at_rest, which
-- also seals older outbox bodies on both backends.)
UPDATE pledges SET receipt_token = encode(sha256(convert_to(receipt_token, 'UTF8')), 'hex')
WHERE length(receipt_token) <> 64;

-- An anonymous pledge's receipt is queued `held`: the engine releases at most
-- 3 an hour to one address (released_at) and folds the rest into one
-- summary (folded_into). mail_caps has one row per address the fold step
-- locked, so servers sharing a database decide one at a time.
ALTER TABLE outbox ADD COLUMN held BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE outbox ADD COLUMN released_at TIMESTAMPTZ;
ALTER TABLE outbox ADD COLUMN folded_into BIGINT;
CREATE INDEX outbox_held ON outbox (to_email, id) WHERE held AND folded_into IS NULL;
CREATE INDEX outbox_released ON outbox (to_email, released_at) WHERE released_at IS NOT NULL;
CREATE TABLE mail_caps (
    to_email TEXT PRIMARY KEY,
    checked_at TIMESTAMPTZ NOT NULL
);

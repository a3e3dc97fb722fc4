-- Sign-in hardening (issue 14). PostgreSQL dialect; keep in step with
-- store-sqlite/migrations/0017_sign_in_limits.sql.
--
-- Attempt counters every server shares: one row per key (the SHA-256 of what
-- is counted, e.g. the sign-in links sent to an address, or the password
-- guesses from one client at one address) and fixed window (its start, in
-- seconds since the epoch). Nothing personal is readable from a key.
CREATE TABLE attempt_counts (
    key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
-- When a session's owner last proved the address by following an emailed
-- link (sign-in link or invitation); NULL for a password sign-in.
ALTER TABLE secrets ADD COLUMN proven_at TIMESTAMPTZ;
CREATE INDEX secrets_user ON secrets (user_id, purpose);

-- The transparency log's tables in their own SQLite file (`cohort-log.db`
-- beside `cohort.db`, attached as `tlog`), so that the log's sequencer
-- writes under its own lock instead of taking turns with pledge intake at
-- the one writer of `cohort.db`. Same tables as
-- migrations/0018_transparency_log.sql, which created them in `cohort.db`
-- first; `SqliteStore::migrate` moves them here. Idempotent.
CREATE TABLE IF NOT EXISTS tlog.log_leaves (
    idx INTEGER PRIMARY KEY CHECK (idx >= 0),
    event_seq INTEGER NOT NULL UNIQUE,
    data TEXT NOT NULL,
    -- a pledged event's receipt commitment, so a receipt finds its leaf
    commitment TEXT
);
CREATE INDEX IF NOT EXISTS tlog.log_leaves_commitment ON log_leaves (commitment) WHERE commitment IS NOT NULL;
CREATE TABLE IF NOT EXISTS tlog.log_hashes (
    level INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
    n INTEGER NOT NULL CHECK (n >= 0),
    hash BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, n)
);
CREATE TABLE IF NOT EXISTS tlog.log_checkpoints (
    size INTEGER PRIMARY KEY CHECK (size >= 0),
    note TEXT NOT NULL,
    at TEXT NOT NULL
);

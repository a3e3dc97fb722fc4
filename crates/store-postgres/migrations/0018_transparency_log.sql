-- The transparency log (issue 18): one append-only RFC 6962 tree per
-- instance over the public events. Leaves are the events' canonical JSON
-- (cohort-tlog's Leaf), hashes are every stored node of the tree (as
-- golang.org/x/mod/sumdb/tlog stores them), checkpoints are signed notes.
-- No foreign key to events: `cohort verify` and `cohort audit` compare them.
-- PostgreSQL dialect; keep in step with store-sqlite/migrations/0018_transparency_log.sql.
CREATE TABLE log_leaves (
    idx BIGINT PRIMARY KEY CHECK (idx >= 0),
    event_seq BIGINT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    -- a pledged event's receipt commitment, so a receipt finds its leaf
    commitment TEXT
);
CREATE INDEX log_leaves_commitment ON log_leaves (commitment) WHERE commitment IS NOT NULL;
CREATE TABLE log_hashes (
    level INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
    n BIGINT NOT NULL CHECK (n >= 0),
    hash BYTEA NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, n)
);
CREATE TABLE log_checkpoints (
    size BIGINT PRIMARY KEY CHECK (size >= 0),
    note TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);

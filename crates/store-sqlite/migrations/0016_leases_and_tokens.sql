-- Many servers on one database (issue 14), and API tokens that can expire and
-- be revoked (finding 11). Keep in step with
-- store-postgres/migrations/0016_leases_and_tokens.sql.
--
-- One row per background job (`tick`, `mail`, `collect`, `recompute`): the
-- server that runs it, until when, and the generation of the lease. A server
-- takes an expired lease by writing generation + 1; every transaction of the
-- job checks the generation it holds first, so a server whose lease passed to
-- another cannot commit.
CREATE TABLE leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    generation INTEGER NOT NULL,
    expires_at TEXT NOT NULL
);

-- API tokens gain an id (to list and revoke them by), a name, an optional
-- expiry and a revocation time. Still only the token's SHA-256 is stored.
CREATE TABLE tokens_new (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    slate_id INTEGER REFERENCES slates(id),
    candidate_id INTEGER REFERENCES candidates(id),
    created_at TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    expires_at TEXT,
    revoked_at TEXT
);
INSERT INTO tokens_new (id, hash, role, slate_id, candidate_id, created_at)
    SELECT rowid, hash, role, slate_id, candidate_id, created_at FROM tokens ORDER BY rowid;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;

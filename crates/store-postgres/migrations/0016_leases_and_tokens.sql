-- Many servers on one database (issue 14), and API tokens that can expire and
-- be revoked (finding 11). Keep in step with
-- store-sqlite/migrations/0016_leases_and_tokens.sql.
--
-- One row per background job (`tick`, `mail`, `collect`, `recompute`): the
-- server that runs it, until when, and the generation of the lease. A server
-- takes an expired lease by writing generation + 1; every transaction of the
-- job checks the generation it holds first (under this row's lock), so a
-- server whose lease passed to another cannot commit.
CREATE TABLE leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    generation BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- API tokens gain an id (to list and revoke them by), a name, an optional
-- expiry and a revocation time. Still only the token's SHA-256 is stored.
ALTER TABLE tokens ADD COLUMN id BIGSERIAL UNIQUE;
ALTER TABLE tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN expires_at TIMESTAMPTZ;
ALTER TABLE tokens ADD COLUMN revoked_at TIMESTAMPTZ;

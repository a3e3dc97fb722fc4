-- Accounts, roles, one-time secrets, the pledges behind each email, and the
-- email outbox. PostgreSQL dialect; keep in step with store-sqlite/migrations.
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    email_prefs TEXT NOT NULL DEFAULT 'weekly' CHECK (email_prefs IN ('weekly', 'every', 'none')),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE grants (
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL CHECK (role IN ('organizer', 'candidate', 'partner')),
    -- 0 stands for "every slate" / "no candidate" so the key can be a primary key
    slate_id BIGINT NOT NULL,
    candidate_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, role, slate_id, candidate_id)
);
CREATE INDEX grants_slate ON grants (slate_id);
CREATE TABLE secrets (
    hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('session', 'sign_in', 'invite')),
    user_id BIGINT REFERENCES users(id),
    email TEXT,
    role TEXT,
    slate_id BIGINT,
    candidate_id BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
-- Written once with each pledge and never updated, so finding a supporter's
-- pledges costs unlocking nothing (an index on pledges.email would gain an
-- entry for every unlocked row).
CREATE TABLE pledge_donors (
    email TEXT NOT NULL,
    pledge_id BIGINT NOT NULL,
    PRIMARY KEY (email, pledge_id)
);
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    to_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- SHA-256 of the secret in this email's unsubscribe link
    unsubscribe_hash TEXT NOT NULL UNIQUE,
    transactional BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (id) WHERE sent_at IS NULL;
CREATE INDEX outbox_to ON outbox (to_email, created_at);

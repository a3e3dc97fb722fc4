-- Cohort schema, PostgreSQL dialect: native TIMESTAMPTZ and DATE,
-- money integer cents. Keep in step with store-sqlite/migrations.
CREATE TABLE slates (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    description TEXT NOT NULL,
    condition TEXT NOT NULL,
    limits TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE pots (
    slate_id BIGINT PRIMARY KEY REFERENCES slates(id),
    pending_cents BIGINT NOT NULL DEFAULT 0,
    unlocked_cents BIGINT NOT NULL DEFAULT 0,
    pledgers BIGINT NOT NULL DEFAULT 0,
    hours_pending BIGINT NOT NULL DEFAULT 0,
    hours_unlocked BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE candidates (
    id BIGSERIAL PRIMARY KEY,
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    office TEXT NOT NULL,
    state TEXT NOT NULL,
    district TEXT,
    primary_date DATE,
    general_date DATE NOT NULL,
    UNIQUE (slate_id, slug)
);
CREATE TABLE compacts (
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    version INTEGER NOT NULL,
    hash TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (slate_id, version)
);
CREATE TABLE signatures (
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    candidate_id BIGINT NOT NULL REFERENCES candidates(id),
    version INTEGER NOT NULL,
    signed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (slate_id, candidate_id)
);
CREATE TABLE endorsements (
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    from_id BIGINT NOT NULL REFERENCES candidates(id),
    to_id BIGINT NOT NULL REFERENCES candidates(id),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (slate_id, from_id, to_id)
);
CREATE TABLE conditions (
    id BIGSERIAL PRIMARY KEY,
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    source TEXT NOT NULL,
    reads BIGINT NOT NULL,
    UNIQUE (slate_id, source)
);
CREATE TABLE pledges (
    id BIGSERIAL PRIMARY KEY,
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    kind TEXT NOT NULL CHECK (kind IN ('money', 'hours', 'actions')),
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    recurring TEXT CHECK (recurring IN ('once', 'monthly')),
    hours_per_week BIGINT NOT NULL DEFAULT 0,
    weeks BIGINT NOT NULL DEFAULT 0,
    skills TEXT NOT NULL DEFAULT '[]',
    doors BIGINT NOT NULL DEFAULT 0,
    calls BIGINT NOT NULL DEFAULT 0,
    texts BIGINT NOT NULL DEFAULT 0,
    condition_id BIGINT NOT NULL REFERENCES conditions(id),
    candidates TEXT,
    deadline DATE NOT NULL,
    email TEXT NOT NULL,
    donor TEXT NOT NULL,
    ref_code TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'unlocked', 'fulfilled', 'expired', 'cancelled')),
    receipt_token TEXT NOT NULL,
    idempotency_key TEXT,
    request_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    unlocked_at TIMESTAMPTZ
);
CREATE INDEX pledges_waiting ON pledges (condition_id, deadline) WHERE status = 'pending';
-- Indexes on pledges are chosen so that unlocking (pending -> unlocked, a
-- non-HOT update) adds entries to the primary key only: every other index is
-- partial on a state the unlocked row is not in (or on a key it lacks).
CREATE UNIQUE INDEX pledges_idempotency_key ON pledges (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX pledges_expiring ON pledges (slate_id, deadline) WHERE status = 'pending';
CREATE INDEX pledges_monthly ON pledges (slate_id) WHERE status = 'unlocked' AND recurring = 'monthly';
-- installments and allocations carry no foreign keys here: PostgreSQL checks
-- them with a trigger per row, which tripled the time of a 200k-pledge unlock
-- (13.7 s -> 5.0 s without). The engine writes both only inside record_unlocks,
-- and `cohort verify` checks that no allocation or installment is orphaned.
CREATE TABLE installments (
    pledge_id BIGINT NOT NULL,
    period INTEGER NOT NULL,
    amount_cents BIGINT NOT NULL,
    unallocated_cents BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pledge_id, period)
);
CREATE TABLE allocations (
    pledge_id BIGINT NOT NULL,
    period INTEGER NOT NULL,
    candidate_id BIGINT NOT NULL,
    election TEXT NOT NULL CHECK (election IN ('primary', 'general')),
    cents BIGINT NOT NULL,
    PRIMARY KEY (pledge_id, period, candidate_id)
);
CREATE TABLE pledgers (
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    email TEXT NOT NULL,
    live BIGINT NOT NULL,
    PRIMARY KEY (slate_id, email)
);
CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY,
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_slate ON events (slate_id, seq);
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    slate_id BIGINT REFERENCES slates(id),
    candidate_id BIGINT REFERENCES candidates(id),
    created_at TIMESTAMPTZ NOT NULL
);
-- Pending money, hours and pledge counts per slate and chosen-candidate list
-- ('' = split across every signer), kept up to date by every status change so
-- the slate page never aggregates pledges.
CREATE TABLE waiting (
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    chosen TEXT NOT NULL,
    cents BIGINT NOT NULL,
    hours BIGINT NOT NULL,
    pledges BIGINT NOT NULL,
    PRIMARY KEY (slate_id, chosen)
);
-- What each candidate has been allocated, kept with every installment written,
-- so per-candidate totals never scan allocations (which carry no candidate index).
CREATE TABLE candidate_totals (
    candidate_id BIGINT PRIMARY KEY REFERENCES candidates(id),
    cents BIGINT NOT NULL,
    contributions BIGINT NOT NULL
);

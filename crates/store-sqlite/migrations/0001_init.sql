-- Cohort schema, SQLite dialect. Timestamps are RFC 3339 text, dates YYYY-MM-DD text,
-- money integer cents. Keep in step with store-postgres/migrations.
CREATE TABLE slates (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    description TEXT NOT NULL,
    condition TEXT NOT NULL,
    limits TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE pots (
    slate_id INTEGER PRIMARY KEY REFERENCES slates(id),
    pending_cents INTEGER NOT NULL DEFAULT 0,
    unlocked_cents INTEGER NOT NULL DEFAULT 0,
    pledgers INTEGER NOT NULL DEFAULT 0,
    hours_pending INTEGER NOT NULL DEFAULT 0,
    hours_unlocked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    office TEXT NOT NULL,
    state TEXT NOT NULL,
    district TEXT,
    primary_date TEXT,
    general_date TEXT NOT NULL,
    UNIQUE (slate_id, slug)
);
CREATE TABLE compacts (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    version INTEGER NOT NULL,
    hash TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (slate_id, version)
);
CREATE TABLE signatures (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    version INTEGER NOT NULL,
    signed_at TEXT NOT NULL,
    PRIMARY KEY (slate_id, candidate_id)
);
CREATE TABLE endorsements (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    from_id INTEGER NOT NULL REFERENCES candidates(id),
    to_id INTEGER NOT NULL REFERENCES candidates(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (slate_id, from_id, to_id)
);
CREATE TABLE conditions (
    id INTEGER PRIMARY KEY,
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    source TEXT NOT NULL,
    reads INTEGER NOT NULL,
    UNIQUE (slate_id, source)
);
CREATE TABLE pledges (
    id INTEGER PRIMARY KEY,
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    kind TEXT NOT NULL CHECK (kind IN ('money', 'hours', 'actions')),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    recurring TEXT CHECK (recurring IN ('once', 'monthly')),
    hours_per_week INTEGER NOT NULL DEFAULT 0,
    weeks INTEGER NOT NULL DEFAULT 0,
    skills TEXT NOT NULL DEFAULT '[]',
    doors INTEGER NOT NULL DEFAULT 0,
    calls INTEGER NOT NULL DEFAULT 0,
    texts INTEGER NOT NULL DEFAULT 0,
    condition_id INTEGER NOT NULL REFERENCES conditions(id),
    candidates TEXT,
    deadline TEXT NOT NULL,
    email TEXT NOT NULL,
    donor TEXT NOT NULL,
    ref_code TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'unlocked', 'fulfilled', 'expired', 'cancelled')),
    receipt_token TEXT NOT NULL,
    idempotency_key TEXT,
    request_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    unlocked_at TEXT
);
CREATE INDEX pledges_waiting ON pledges (condition_id, deadline) WHERE status = 'pending';
-- Indexes on pledges are chosen so that unlocking (pending -> unlocked, a
-- non-HOT update) adds entries to the primary key only: every other index is
-- partial on a state the unlocked row is not in (or on a key it lacks).
CREATE UNIQUE INDEX pledges_idempotency_key ON pledges (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX pledges_expiring ON pledges (slate_id, deadline) WHERE status = 'pending';
CREATE INDEX pledges_monthly ON pledges (slate_id) WHERE status = 'unlocked' AND recurring = 'monthly';
CREATE TABLE installments (
    pledge_id INTEGER NOT NULL REFERENCES pledges(id),
    period INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    unallocated_cents INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (pledge_id, period)
);
CREATE TABLE allocations (
    pledge_id INTEGER NOT NULL,
    period INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    election TEXT NOT NULL CHECK (election IN ('primary', 'general')),
    cents INTEGER NOT NULL,
    PRIMARY KEY (pledge_id, period, candidate_id),
    FOREIGN KEY (pledge_id, period) REFERENCES installments (pledge_id, period)
);
CREATE TABLE pledgers (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    email TEXT NOT NULL,
    live INTEGER NOT NULL,
    PRIMARY KEY (slate_id, email)
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX events_slate ON events (slate_id, seq);
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    slate_id INTEGER REFERENCES slates(id),
    candidate_id INTEGER REFERENCES candidates(id),
    created_at TEXT NOT NULL
);
-- Pending money, hours and pledge counts per slate and chosen-candidate list
-- ('' = split across every signer), kept up to date by every status change so
-- the slate page never aggregates pledges.
CREATE TABLE waiting (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    chosen TEXT NOT NULL,
    cents INTEGER NOT NULL,
    hours INTEGER NOT NULL,
    pledges INTEGER NOT NULL,
    PRIMARY KEY (slate_id, chosen)
);
-- What each candidate has been allocated, kept with every installment written,
-- so per-candidate totals never scan allocations (which carry no candidate index).
CREATE TABLE candidate_totals (
    candidate_id INTEGER PRIMARY KEY REFERENCES candidates(id),
    cents INTEGER NOT NULL,
    contributions INTEGER NOT NULL
);

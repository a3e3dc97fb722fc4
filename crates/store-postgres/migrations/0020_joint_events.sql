-- Joint events (issue 15): an event two or more of a slate's candidates
-- host together, each host's answer, and the RSVPs (no account needed; the
-- private cancel link is stored only as its SHA-256).
-- PostgreSQL dialect; keep in step with store-sqlite/migrations/0020_joint_events.sql.
CREATE TABLE joint_events (
    id BIGSERIAL PRIMARY KEY,
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    kind TEXT NOT NULL CHECK (kind IN ('fundraiser', 'media', 'town_hall', 'livestream', 'canvass', 'phone_bank')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    -- IANA name, e.g. America/New_York
    timezone TEXT NOT NULL,
    -- JSON {"venue", "address", "city", "state", "zip"}, or NULL when online only
    location TEXT,
    online_url TEXT,
    capacity BIGINT CHECK (capacity IS NULL OR capacity > 0),
    status TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'declined', 'cancelled', 'held')),
    sequence BIGINT NOT NULL DEFAULT 0,
    attendance BIGINT CHECK (attendance IS NULL OR attendance >= 0),
    proposed_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX joint_events_slate ON joint_events (slate_id, starts_at);
CREATE TABLE joint_event_hosts (
    event_id BIGINT NOT NULL REFERENCES joint_events(id),
    candidate_id BIGINT NOT NULL REFERENCES candidates(id),
    position INTEGER NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('pending', 'confirmed', 'declined')),
    answered_at TIMESTAMPTZ,
    PRIMARY KEY (event_id, candidate_id)
);
CREATE TABLE joint_event_rsvps (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES joint_events(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    zip TEXT NOT NULL,
    referral TEXT,
    status TEXT NOT NULL CHECK (status IN ('going', 'waitlisted', 'cancelled')),
    cancel_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    cancelled_at TIMESTAMPTZ,
    day_reminded_at TIMESTAMPTZ,
    hour_reminded_at TIMESTAMPTZ
);
CREATE INDEX joint_event_rsvps_event ON joint_event_rsvps (event_id, id);
-- one live RSVP per person and event
CREATE UNIQUE INDEX joint_event_rsvps_live ON joint_event_rsvps (event_id, email) WHERE status <> 'cancelled';

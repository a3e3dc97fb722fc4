-- Joint events (issue 15): an event two or more of a slate's candidates
-- host together, each host's answer, and the RSVPs (no account needed; the
-- private cancel link is stored only as its SHA-256).
-- SQLite dialect; keep in step with store-postgres/migrations/0020_joint_events.sql.
CREATE TABLE joint_events (
    id INTEGER PRIMARY KEY,
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    kind TEXT NOT NULL CHECK (kind IN ('fundraiser', 'media', 'town_hall', 'livestream', 'canvass', 'phone_bank')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    -- IANA name, e.g. America/New_York
    timezone TEXT NOT NULL,
    -- JSON {"venue", "address", "city", "state", "zip"}, or NULL when online only
    location TEXT,
    online_url TEXT,
    capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
    status TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'declined', 'cancelled', 'held')),
    sequence INTEGER NOT NULL DEFAULT 0,
    attendance INTEGER CHECK (attendance IS NULL OR attendance >= 0),
    proposed_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX joint_events_slate ON joint_events (slate_id, starts_at);
CREATE TABLE joint_event_hosts (
    event_id INTEGER NOT NULL REFERENCES joint_events(id),
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    position INTEGER NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('pending', 'confirmed', 'declined')),
    answered_at TEXT,
    PRIMARY KEY (event_id, candidate_id)
);
CREATE TABLE joint_event_rsvps (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES joint_events(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    zip TEXT NOT NULL,
    referral TEXT,
    status TEXT NOT NULL CHECK (status IN ('going', 'waitlisted', 'cancelled')),
    cancel_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    cancelled_at TEXT,
    day_reminded_at TEXT,
    hour_reminded_at TEXT
);
CREATE INDEX joint_event_rsvps_event ON joint_event_rsvps (event_id, id);
-- one live RSVP per person and event
CREATE UNIQUE INDEX joint_event_rsvps_live ON joint_event_rsvps (event_id, email) WHERE status <> 'cancelled';

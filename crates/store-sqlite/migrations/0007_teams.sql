-- Skilled volunteer teams (issue 5): profiles, a slate's extra skills, team
-- requests and their needs (a need's user_id is set when a matching is
-- confirmed), the organizer's pins, hours logged, toolkit edits, and an
-- optional attachment on outbox emails (the weekly check-in's .ics).
-- SQLite dialect; keep in step with store-postgres/migrations.
CREATE TABLE volunteer_profiles (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    -- JSON [["skill-slug", level], ...]
    skills TEXT NOT NULL,
    hours_per_week INTEGER NOT NULL,
    weeks INTEGER NOT NULL,
    utc_offset_minutes INTEGER NOT NULL,
    state TEXT NOT NULL,
    remote INTEGER NOT NULL,
    -- JSON ["English", ...]
    languages TEXT NOT NULL,
    can_mentor INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE slate_skills (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    slug TEXT NOT NULL,
    label TEXT NOT NULL,
    person TEXT NOT NULL,
    PRIMARY KEY (slate_id, slug)
);
CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    mentor_user_id INTEGER REFERENCES users(id)
);
CREATE INDEX teams_slate ON teams (slate_id);
CREATE TABLE needs (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    role TEXT NOT NULL,
    skill TEXT NOT NULL,
    min_level INTEGER NOT NULL CHECK (min_level BETWEEN 1 AND 3),
    hours_per_week INTEGER NOT NULL,
    weeks INTEGER NOT NULL,
    utc_offset_minutes INTEGER NOT NULL,
    state TEXT NOT NULL,
    remote_ok INTEGER NOT NULL,
    priority INTEGER NOT NULL CHECK (priority >= 1),
    lead INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    score INTEGER
);
CREATE INDEX needs_slate ON needs (slate_id);
-- A volunteer fills at most one role per slate.
CREATE UNIQUE INDEX needs_one_role_per_slate ON needs (slate_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX needs_user ON needs (user_id) WHERE user_id IS NOT NULL;
-- pinned = 1: the volunteer takes this role; pinned = 0: never this role.
CREATE TABLE match_pins (
    need_id INTEGER NOT NULL REFERENCES needs(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    pinned INTEGER NOT NULL,
    PRIMARY KEY (need_id, user_id)
);
CREATE TABLE hours_logs (
    team_id INTEGER NOT NULL REFERENCES teams(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    week TEXT NOT NULL,
    hours INTEGER NOT NULL CHECK (hours BETWEEN 0 AND 168),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id, week)
);
CREATE TABLE toolkit_edits (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    role TEXT NOT NULL,
    markdown TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (slate_id, role)
);
ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE outbox ADD COLUMN attachment TEXT;

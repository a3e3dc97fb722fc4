-- Skilled volunteer teams (issue 5): profiles, a slate's extra skills, team
-- requests and their needs (a need's user_id is set when a matching is
-- confirmed), the organizer's pins, hours logged, toolkit edits, and an
-- optional attachment on outbox emails (the weekly check-in's .ics).
-- PostgreSQL dialect; keep in step with store-sqlite/migrations.
CREATE TABLE volunteer_profiles (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    -- JSON [["skill-slug", level], ...]
    skills TEXT NOT NULL,
    hours_per_week BIGINT NOT NULL,
    weeks BIGINT NOT NULL,
    utc_offset_minutes BIGINT NOT NULL,
    state TEXT NOT NULL,
    remote BOOLEAN NOT NULL,
    -- JSON ["English", ...]
    languages TEXT NOT NULL,
    can_mentor BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE slate_skills (
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    slug TEXT NOT NULL,
    label TEXT NOT NULL,
    person TEXT NOT NULL,
    PRIMARY KEY (slate_id, slug)
);
CREATE TABLE teams (
    id BIGSERIAL PRIMARY KEY,
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    candidate_id BIGINT NOT NULL REFERENCES candidates(id),
    kind TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    confirmed_at TIMESTAMPTZ,
    mentor_user_id BIGINT REFERENCES users(id)
);
CREATE INDEX teams_slate ON teams (slate_id);
CREATE TABLE needs (
    id BIGSERIAL PRIMARY KEY,
    team_id BIGINT NOT NULL REFERENCES teams(id),
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    role TEXT NOT NULL,
    skill TEXT NOT NULL,
    min_level BIGINT NOT NULL CHECK (min_level BETWEEN 1 AND 3),
    hours_per_week BIGINT NOT NULL,
    weeks BIGINT NOT NULL,
    utc_offset_minutes BIGINT NOT NULL,
    state TEXT NOT NULL,
    remote_ok BOOLEAN NOT NULL,
    priority BIGINT NOT NULL CHECK (priority >= 1),
    lead BOOLEAN NOT NULL,
    user_id BIGINT REFERENCES users(id),
    score BIGINT
);
CREATE INDEX needs_slate ON needs (slate_id);
-- A volunteer fills at most one role per slate.
CREATE UNIQUE INDEX needs_one_role_per_slate ON needs (slate_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX needs_user ON needs (user_id) WHERE user_id IS NOT NULL;
-- pinned = true: the volunteer takes this role; pinned = false: never this role.
CREATE TABLE match_pins (
    need_id BIGINT NOT NULL REFERENCES needs(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    pinned BOOLEAN NOT NULL,
    PRIMARY KEY (need_id, user_id)
);
CREATE TABLE hours_logs (
    team_id BIGINT NOT NULL REFERENCES teams(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    week DATE NOT NULL,
    hours BIGINT NOT NULL CHECK (hours BETWEEN 0 AND 168),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, user_id, week)
);
CREATE TABLE toolkit_edits (
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    role TEXT NOT NULL,
    markdown TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (slate_id, role)
);
ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE outbox ADD COLUMN attachment TEXT;

-- Candidate pages (issue 16). PostgreSQL dialect; keep in step with
-- store-sqlite/migrations/0027_candidate_profiles.sql.
--
-- A candidate's own words: a bio (empty: none) and a photo's https address.
CREATE TABLE candidate_profiles (
    candidate_id BIGINT PRIMARY KEY REFERENCES candidates(id),
    bio TEXT NOT NULL DEFAULT '',
    photo_url TEXT,
    updated_at TIMESTAMPTZ NOT NULL
);
-- A candidate page reads the roster's events by kind, never the pledges'.
CREATE INDEX events_slate_kind ON events (slate_id, kind, seq);

-- Candidate pages (issue 16). SQLite dialect; keep in step with
-- store-postgres/migrations/0027_candidate_profiles.sql.
--
-- A candidate's own words: a bio (empty: none) and a photo's https address.
CREATE TABLE candidate_profiles (
    candidate_id INTEGER PRIMARY KEY REFERENCES candidates(id),
    bio TEXT NOT NULL DEFAULT '',
    photo_url TEXT,
    updated_at TEXT NOT NULL
);
-- A candidate page reads the roster's events by kind, never the pledges'.
CREATE INDEX events_slate_kind ON events (slate_id, kind, seq);

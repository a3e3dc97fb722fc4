-- Imports that run in the background (issue 19). PostgreSQL dialect; keep in
-- step with store-sqlite/migrations/0028_import_jobs.sql.
--
-- A confirmed import of pledges made offline: the previewed file (sealed
-- under the key ring, emptied when done), how many of its rows are through
-- the intake, and what it did. `cohort serve`'s `imports` job runs it;
-- the organizer's page shows the progress.
CREATE TABLE import_jobs (
    id BIGSERIAL PRIMARY KEY,
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    sha256 TEXT NOT NULL,
    file TEXT NOT NULL,
    total BIGINT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('queued', 'done')),
    result TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX import_jobs_waiting ON import_jobs (status, id);

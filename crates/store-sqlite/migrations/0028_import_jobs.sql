-- Imports that run in the background (issue 19). SQLite dialect; keep in
-- step with store-postgres/migrations/0028_import_jobs.sql.
--
-- A confirmed import of pledges made offline: the previewed file (sealed
-- under the key ring, emptied when done), how many of its rows are through
-- the intake, and what it did. `cohort serve`'s `imports` job runs it;
-- the organizer's page shows the progress.
CREATE TABLE import_jobs (
    id INTEGER PRIMARY KEY,
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    sha256 TEXT NOT NULL,
    file TEXT NOT NULL,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('queued', 'done')),
    result TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX import_jobs_waiting ON import_jobs (status, id);

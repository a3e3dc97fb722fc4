-- What an import job imports (issue 19). PostgreSQL dialect; keep in step
-- with store-sqlite/migrations/0032_import_job_kinds.sql.
--
-- The people import's page queues its file for the same `imports` job as
-- the pledge import's (0028): `kind` says which importer reads the file.
-- Jobs queued before this migration were all pledge imports.
ALTER TABLE import_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'pledges'
    CHECK (kind IN ('pledges', 'people'));

-- The stored analysis (the full result, several megabytes at 100,000
-- participants, and the warm start) moves out of `conversations` into a
-- table of its own. In SQLite a row is stored whole: every vote's
-- `changes = changes + 1` rewrote the megabytes beside it, and reading the
-- small columns added after them (`view_participants`) walked the whole
-- overflow chain first (13.6 ms of a 40 ms results page at 100,000
-- participants). Both backends keep the same tables and columns.
CREATE TABLE conversation_results (
    slate_id BIGINT PRIMARY KEY REFERENCES slates(id),
    result TEXT NOT NULL,
    warm TEXT NOT NULL
);
INSERT INTO conversation_results (slate_id, result, warm)
    SELECT slate_id, result, COALESCE(warm, '') FROM conversations WHERE result IS NOT NULL;
ALTER TABLE conversations DROP COLUMN result;
ALTER TABLE conversations DROP COLUMN warm;

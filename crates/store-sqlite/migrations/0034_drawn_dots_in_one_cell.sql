-- The results page drew its map from ~2,000 rows of
-- conversation_result_points read on every view (issue 20); handing them
-- over one by one cost more than anything else the page reads. The drawn
-- dots are now also kept as one cell per conversation,
-- "participant,x,y,group" space-separated (cohort-store-sql's
-- result_view), written with the rest of the slim form; the rows stay for
-- finding one participant's own dot. Results stored before are carried over.
-- SQLite writes a REAL as text to 15 significant digits, so a carried-over
-- dot may differ from its row in the last digits until the next recompute.
-- SQLite dialect; keep in step with store-postgres/migrations/0034_drawn_dots_in_one_cell.sql.
CREATE TABLE conversation_result_drawn (
    slate_id INTEGER PRIMARY KEY REFERENCES slates(id),
    dots TEXT NOT NULL
);
INSERT INTO conversation_result_drawn (slate_id, dots)
SELECT slate_id, group_concat(participant || ',' || x || ',' || y || ',' || coalesce(grp, ''), ' ')
FROM (SELECT * FROM conversation_result_points WHERE drawn ORDER BY slate_id, participant)
GROUP BY slate_id;
DROP INDEX conversation_result_points_drawn;

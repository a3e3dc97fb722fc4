-- The results page drew its map from ~2,000 rows of
-- conversation_result_points read on every view (issue 20); handing them
-- over one by one cost more than anything else the page reads. The drawn
-- dots are now also kept as one cell per conversation,
-- "participant,x,y,group" space-separated (cohort-store-sql's
-- result_view), written with the rest of the slim form; the rows stay for
-- finding one participant's own dot. Results stored before are carried over.
-- PostgreSQL writes a double as text exactly (extra_float_digits >= 1).
-- PostgreSQL dialect; keep in step with store-sqlite/migrations/0034_drawn_dots_in_one_cell.sql.
CREATE TABLE conversation_result_drawn (
    slate_id BIGINT PRIMARY KEY REFERENCES slates(id),
    dots TEXT NOT NULL
);
INSERT INTO conversation_result_drawn (slate_id, dots)
SELECT slate_id, string_agg(participant || ',' || x::text || ',' || y::text || ',' || coalesce(grp::text, ''), ' ' ORDER BY participant)
FROM conversation_result_points WHERE drawn
GROUP BY slate_id;
DROP INDEX conversation_result_points_drawn;

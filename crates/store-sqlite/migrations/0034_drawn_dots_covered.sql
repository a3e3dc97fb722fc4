-- The results page reads the map's drawn dots (at most about 2,000 of a
-- conversation's participants) on every view (issue 20). The index on
-- (slate_id, drawn) found them but each row was then looked up in the
-- table; with every column in the index the rows come from the index
-- alone, in participant order (1.8 ms -> 0.9 ms for 1,979 dots of a
-- 100,000-participant conversation on SQLite).
-- SQLite dialect; keep in step with store-postgres/migrations/0034_drawn_dots_covered.sql.
DROP INDEX conversation_result_points_drawn;
CREATE INDEX conversation_result_points_drawn
    ON conversation_result_points (slate_id, drawn, participant, x, y, grp);

-- Pledges given through a joint fundraiser (issue 15): the pledge splits
-- across the event's hosts only (its candidates column says so) and counts
-- in the event's raised total. One event per pledge.
-- SQLite dialect; keep in step with store-postgres/migrations/0021_joint_pledges.sql.
CREATE TABLE joint_event_pledges (
    pledge_id INTEGER PRIMARY KEY REFERENCES pledges(id),
    event_id INTEGER NOT NULL REFERENCES joint_events(id)
);
CREATE INDEX joint_event_pledges_event ON joint_event_pledges (event_id, pledge_id);

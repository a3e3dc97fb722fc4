-- Pledges given through a joint fundraiser (issue 15): the pledge splits
-- across the event's hosts only (its candidates column says so) and counts
-- in the event's raised total. One event per pledge.
-- PostgreSQL dialect; keep in step with store-sqlite/migrations/0021_joint_pledges.sql.
CREATE TABLE joint_event_pledges (
    pledge_id BIGINT PRIMARY KEY REFERENCES pledges(id),
    event_id BIGINT NOT NULL REFERENCES joint_events(id)
);
CREATE INDEX joint_event_pledges_event ON joint_event_pledges (event_id, pledge_id);

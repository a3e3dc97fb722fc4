-- Pledges given through a joint fundraiser (issue 15): the pledge splits
-- across the event's hosts only (its candidates column says so) and counts
-- in the event's raised total. One event per pledge.
-- PostgreSQL dialect; keep in step with store-sqlite/migrations/0021_joint_pledges.sql.
CREATE TABLE joint_event_pledges (
    pledge_id BIGINT PRIMARY KEY REFERENCES pledges(id),
    event_id BIGINT NOT NULL REFERENCES joint_events(id)
);
CREATE INDEX joint_event_pledges_event ON joint_event_pledges (event_id, pledge_id);
-- "Only while the bloc holds" (issue 15): a monthly pledge whose condition
-- reads the scorecard is paused while it fails (no month is split) and
-- resumed when it holds again; each pause is kept, with its reason, for the
-- pledger's receipt. At most one open pause per pledge.
CREATE TABLE pledge_pauses (
    id BIGSERIAL PRIMARY KEY,
    pledge_id BIGINT NOT NULL REFERENCES pledges(id),
    paused_at TIMESTAMPTZ NOT NULL,
    reason TEXT NOT NULL,
    resumed_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX pledge_pauses_open ON pledge_pauses (pledge_id) WHERE resumed_at IS NULL;

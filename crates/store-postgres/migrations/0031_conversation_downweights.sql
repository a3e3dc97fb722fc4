-- Organizers' decisions to down-weight a burst of participants who arrived
-- together and voted as one (issue 20, anti-brigading). The participants are
-- the vote matrix's rows as the engine saw them when the organizer decided
-- (accounts by user id, anonymous visitors as negative ids), comma-separated;
-- their votes are left out of the bridging fit from then on. The row is the
-- decision's record: who, when, and the burst's first and last arrival.
CREATE TABLE conversation_downweights (
    id BIGSERIAL PRIMARY KEY,
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    participants TEXT NOT NULL,
    burst_from TIMESTAMPTZ NOT NULL,
    burst_until TIMESTAMPTZ NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX conversation_downweights_slate ON conversation_downweights (slate_id, id);

-- The slim stored form of a conversation's latest result (issue 20): what the
-- results pages show, as rows, so a view reads a statement's line, a group's
-- summary and the map's drawn dots instead of parsing the whole result
-- (which stays in conversations.result for the next run's warm start).
-- Group tallies are "agree/disagree/seen" per group, space-separated;
-- repness is "statement:a|d:successes:trials" per statement, space-separated.
ALTER TABLE conversations ADD COLUMN view_participants BIGINT;
ALTER TABLE conversations ADD COLUMN view_in_conversation BIGINT;

CREATE TABLE conversation_result_statements (
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    statement_id BIGINT NOT NULL,
    agree BIGINT NOT NULL,
    disagree BIGINT NOT NULL,
    seen BIGINT NOT NULL,
    group_tallies TEXT NOT NULL,
    group_consensus DOUBLE PRECISION,
    group_consensus_rank BIGINT,
    agree_rank BIGINT,
    disagree_rank BIGINT,
    bridge_votes BIGINT,
    bridge_across DOUBLE PRECISION,
    bridge_low DOUBLE PRECISION,
    bridge_high DOUBLE PRECISION,
    bridges BOOLEAN,
    x DOUBLE PRECISION,
    y DOUBLE PRECISION,
    PRIMARY KEY (slate_id, statement_id)
);

CREATE TABLE conversation_result_groups (
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    idx BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    size BIGINT NOT NULL,
    repness TEXT NOT NULL,
    PRIMARY KEY (slate_id, idx)
);

CREATE TABLE conversation_result_points (
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    participant BIGINT NOT NULL,
    x DOUBLE PRECISION NOT NULL,
    y DOUBLE PRECISION NOT NULL,
    grp BIGINT,
    drawn BOOLEAN NOT NULL,
    PRIMARY KEY (slate_id, participant)
);
CREATE INDEX conversation_result_points_drawn ON conversation_result_points (slate_id, drawn);

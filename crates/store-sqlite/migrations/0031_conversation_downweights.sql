-- Organizers' decisions to down-weight a burst of participants who arrived
-- together and voted as one (issue 20, anti-brigading). The participants are
-- the vote matrix's rows as the engine saw them when the organizer decided
-- (accounts by user id, anonymous visitors as negative ids), comma-separated;
-- their votes are left out of the bridging fit from then on. The row is the
-- decision's record: who, when, and the burst's first and last arrival.
CREATE TABLE conversation_downweights (
    id INTEGER PRIMARY KEY,
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    participants TEXT NOT NULL,
    burst_from TEXT NOT NULL,
    burst_until TEXT NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT NOT NULL
);
CREATE INDEX conversation_downweights_slate ON conversation_downweights (slate_id, id);

-- The slim stored form of a conversation's latest result (issue 20): what the
-- results pages show, as rows, so a view reads a statement's line, a group's
-- summary and the map's drawn dots instead of parsing the whole result
-- (which stays in conversations.result for the next run's warm start).
-- Group tallies are "agree/disagree/seen" per group, space-separated;
-- repness is "statement:a|d:successes:trials" per statement, space-separated.
ALTER TABLE conversations ADD COLUMN view_participants INTEGER;
ALTER TABLE conversations ADD COLUMN view_in_conversation INTEGER;

CREATE TABLE conversation_result_statements (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    statement_id INTEGER NOT NULL,
    agree INTEGER NOT NULL,
    disagree INTEGER NOT NULL,
    seen INTEGER NOT NULL,
    group_tallies TEXT NOT NULL,
    group_consensus REAL,
    group_consensus_rank INTEGER,
    agree_rank INTEGER,
    disagree_rank INTEGER,
    bridge_votes INTEGER,
    bridge_across REAL,
    bridge_low REAL,
    bridge_high REAL,
    bridges BOOLEAN,
    x REAL,
    y REAL,
    PRIMARY KEY (slate_id, statement_id)
);

CREATE TABLE conversation_result_groups (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    idx INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    size INTEGER NOT NULL,
    repness TEXT NOT NULL,
    PRIMARY KEY (slate_id, idx)
);

CREATE TABLE conversation_result_points (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    participant INTEGER NOT NULL,
    x REAL NOT NULL,
    y REAL NOT NULL,
    grp INTEGER,
    drawn BOOLEAN NOT NULL,
    PRIMARY KEY (slate_id, participant)
);
CREATE INDEX conversation_result_points_drawn ON conversation_result_points (slate_id, drawn);

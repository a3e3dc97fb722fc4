-- A conversation per slate (issue 4): statements people vote on, their votes
-- (the last vote of a person on a statement replaces the earlier one), and
-- the latest computed opinion map.
CREATE TABLE conversation_statements (
    id INTEGER PRIMARY KEY,
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    body TEXT NOT NULL,
    -- Who wrote it: NULL when an organizer's API token seeded it.
    author_id INTEGER REFERENCES users(id),
    -- 'approved' (shown to voters), 'pending' (awaiting an organizer) or
    -- 'rejected' (moderated out: never shown, zeroed in the math).
    status TEXT NOT NULL,
    seeded INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    -- Set when an organizer adopted it as a plank of this compact version.
    adopted_version INTEGER,
    adopted_title TEXT,
    adopted_support TEXT
);
CREATE INDEX conversation_statements_slate ON conversation_statements (slate_id, id);

CREATE TABLE conversation_votes (
    statement_id INTEGER NOT NULL REFERENCES conversation_statements(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    -- +1 agree, -1 disagree, 0 pass.
    vote INTEGER NOT NULL CHECK (vote IN (-1, 0, 1)),
    at TEXT NOT NULL,
    PRIMARY KEY (statement_id, user_id)
);
CREATE INDEX conversation_votes_slate ON conversation_votes (slate_id, user_id);

-- `changes` counts votes and moderation decisions; the stored result says how
-- many changes it covers, so the background loop recomputes only slates
-- whose conversation moved since.
CREATE TABLE conversations (
    slate_id INTEGER PRIMARY KEY REFERENCES slates(id),
    changes INTEGER NOT NULL,
    result_changes INTEGER,
    result_votes INTEGER,
    result_at TEXT,
    result TEXT,
    warm TEXT
);

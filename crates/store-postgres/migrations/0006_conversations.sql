-- A conversation per slate (issue 4): statements people vote on, their votes
-- (the last vote of a person on a statement replaces the earlier one), and
-- the latest computed opinion map.
CREATE TABLE conversation_statements (
    id BIGSERIAL PRIMARY KEY,
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    body TEXT NOT NULL,
    -- Who wrote it: NULL when an organizer's API token seeded it.
    author_id BIGINT REFERENCES users(id),
    -- 'approved' (shown to voters), 'pending' (awaiting an organizer) or
    -- 'rejected' (moderated out: never shown, zeroed in the math).
    status TEXT NOT NULL,
    seeded BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    -- Set when an organizer adopted it as a plank of this compact version.
    adopted_version INTEGER,
    adopted_title TEXT,
    adopted_support TEXT
);
CREATE INDEX conversation_statements_slate ON conversation_statements (slate_id, id);

CREATE TABLE conversation_votes (
    statement_id BIGINT NOT NULL REFERENCES conversation_statements(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    -- +1 agree, -1 disagree, 0 pass.
    vote INTEGER NOT NULL CHECK (vote IN (-1, 0, 1)),
    at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (statement_id, user_id)
);
CREATE INDEX conversation_votes_slate ON conversation_votes (slate_id, user_id);

-- `changes` counts votes and moderation decisions; the stored result says how
-- many changes it covers, so the background loop recomputes only slates
-- whose conversation moved since.
CREATE TABLE conversations (
    slate_id BIGINT PRIMARY KEY REFERENCES slates(id),
    changes BIGINT NOT NULL,
    result_changes BIGINT,
    result_votes BIGINT,
    result_at TIMESTAMPTZ,
    result TEXT,
    warm TEXT
);

-- Anonymous participants of a conversation (issue 16), as on Pol.is: a
-- visitor without an account votes under a random participant secret their
-- browser keeps in a cookie; only its SHA-256 is stored. Their votes count in
-- the analysis like anyone's; when they sign in, the engine moves the votes to
-- the account (the account's own vote on a statement wins) and deletes the
-- visitor.
CREATE TABLE conversation_visitors (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE conversation_visitor_votes (
    statement_id INTEGER NOT NULL REFERENCES conversation_statements(id),
    visitor_id INTEGER NOT NULL REFERENCES conversation_visitors(id),
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    -- +1 agree, -1 disagree, 0 pass; a later vote replaces the earlier one.
    vote INTEGER NOT NULL CHECK (vote IN (-1, 0, 1)),
    at TEXT NOT NULL,
    PRIMARY KEY (statement_id, visitor_id)
);
CREATE INDEX conversation_visitor_votes_slate ON conversation_visitor_votes (slate_id, visitor_id);
CREATE INDEX conversation_visitor_votes_visitor ON conversation_visitor_votes (visitor_id);

-- Roll calls of Congress (issue 17): imported roll calls and member
-- positions in the layout of votes-119/, the member id each candidate holds
-- once elected, and the roll calls a slate's organizers tagged with the
-- platform's side. Dates are kept as the source's text (YYYY-MM-DD compares
-- in order). Keep in step with the other backend's 0019_roll_calls.sql.
CREATE TABLE roll_calls (
    vote_id TEXT PRIMARY KEY,
    chamber TEXT NOT NULL CHECK (chamber IN ('house', 'senate')),
    congress INTEGER NOT NULL,
    session_year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    voted_at TEXT NOT NULL,
    voted_on TEXT NOT NULL,
    category TEXT NOT NULL,
    vote_type TEXT NOT NULL,
    question TEXT NOT NULL,
    requires TEXT NOT NULL,
    result TEXT NOT NULL,
    bill TEXT NOT NULL,
    amendment TEXT NOT NULL
);
CREATE INDEX roll_calls_chamber_date ON roll_calls (chamber, voted_on);
CREATE INDEX roll_calls_date ON roll_calls (voted_on);
CREATE TABLE roll_call_positions (
    vote_id TEXT NOT NULL REFERENCES roll_calls(vote_id),
    member_id TEXT NOT NULL,
    party TEXT NOT NULL,
    state TEXT NOT NULL,
    position TEXT NOT NULL,
    PRIMARY KEY (vote_id, member_id)
);
CREATE INDEX roll_call_positions_member ON roll_call_positions (member_id, vote_id);
CREATE TABLE candidate_members (
    candidate_id INTEGER PRIMARY KEY REFERENCES candidates(id),
    bioguide_id TEXT,
    lis_id TEXT
);
CREATE TABLE platform_votes (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    vote_id TEXT NOT NULL REFERENCES roll_calls(vote_id),
    plank INTEGER NOT NULL CHECK (plank >= 0),
    position TEXT NOT NULL CHECK (position IN ('yes', 'no')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (slate_id, vote_id, plank)
);

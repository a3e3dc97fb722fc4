-- Each candidate's committee: where its earmarked money is forwarded and
-- whom the reports name. FEC ids are empty for offices the FEC does not cover.
CREATE TABLE committees (
    candidate_id BIGINT PRIMARY KEY REFERENCES candidates(id),
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    name TEXT NOT NULL,
    fec_committee_id TEXT NOT NULL,
    fec_candidate_id TEXT NOT NULL,
    treasurer_first TEXT NOT NULL,
    treasurer_last TEXT NOT NULL,
    street1 TEXT NOT NULL,
    street2 TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    zip TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX committees_slate ON committees (slate_id);

-- Candidates who lost their primary (issue 6). Keep in step with
-- store-sqlite/migrations/0013_primary_losses.sql.
--
-- A candidate who lost the primary gets no new money, and each donor whose
-- general-election contribution went to them chooses: a refund, or a
-- redesignation (to the primary, as far as the committee may accept it).
CREATE TABLE primary_losses (
    candidate_id BIGINT PRIMARY KEY REFERENCES candidates(id),
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    lost_on DATE NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX primary_losses_slate ON primary_losses (slate_id);

-- One row per general-election earmark (receipt × committee) of such a
-- candidate: what the donor chose, once they choose.
CREATE TABLE general_choices (
    receipt TEXT NOT NULL,
    committee TEXT NOT NULL,
    pledge_id BIGINT NOT NULL REFERENCES pledges(id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    choice TEXT CHECK (choice IN ('refund', 'redesignate')),
    asked_at TIMESTAMPTZ NOT NULL,
    chosen_at TIMESTAMPTZ,
    PRIMARY KEY (receipt, committee)
);
CREATE INDEX general_choices_pledge ON general_choices (pledge_id);
CREATE INDEX general_choices_committee ON general_choices (committee);

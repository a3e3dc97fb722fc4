-- The pot as it stood at the end of each day (the tick writes today's row
-- every minute), for the organizer's chart of totals over time.
CREATE TABLE pot_history (
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    day DATE NOT NULL,
    pending_cents BIGINT NOT NULL,
    unlocked_cents BIGINT NOT NULL,
    pledgers BIGINT NOT NULL,
    PRIMARY KEY (slate_id, day)
);

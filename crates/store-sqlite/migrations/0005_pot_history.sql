-- The pot as it stood at the end of each day (the tick writes today's row
-- every minute), for the organizer's chart of totals over time.
CREATE TABLE pot_history (
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    day TEXT NOT NULL,
    pending_cents INTEGER NOT NULL,
    unlocked_cents INTEGER NOT NULL,
    pledgers INTEGER NOT NULL,
    PRIMARY KEY (slate_id, day)
);

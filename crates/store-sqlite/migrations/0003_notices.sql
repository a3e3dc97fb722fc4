-- How far the notice sender has read each slate's event log: after an
-- 'unlock' event it emails every pledger what their pledge became. Kept
-- apart from the unlock itself, which must stay one fast transaction.
CREATE TABLE notice_cursors (
    slate_id INTEGER PRIMARY KEY REFERENCES slates(id),
    seq INTEGER NOT NULL,
    -- the time of the last unlock event sent, so two unlock events at the
    -- same moment (which share their pledges' unlocked_at) notify once
    last_unlock_at TEXT
);

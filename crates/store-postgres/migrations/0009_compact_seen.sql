-- Which compact version each account last looked at, and the one it saw
-- before that, so a campaign sees "what changed since the version you last
-- saw" and a reload does not make the changes vanish.
CREATE TABLE compact_seen (
    user_id BIGINT NOT NULL REFERENCES users(id),
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    seen_version INTEGER NOT NULL,
    before_version INTEGER,
    PRIMARY KEY (user_id, slate_id)
);

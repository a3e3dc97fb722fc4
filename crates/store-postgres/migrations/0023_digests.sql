-- One digest instead of a flood (issue 15). PostgreSQL dialect; keep in step with
-- store-sqlite/migrations/0023_digests.sql.
--
-- An update (not a receipt, sign-in link or payment problem) to someone on
-- the weekly setting waits here, its body sealed like the outbox's, until the
-- week's digest tells it (`digest_id`); nothing is dropped.
CREATE TABLE digest_items (
    id BIGSERIAL PRIMARY KEY,
    to_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    digest_id BIGINT
);
CREATE INDEX digest_items_waiting ON digest_items (to_email, id) WHERE digest_id IS NULL;
-- One row per address and week (the Monday, UTC): the unique key is what
-- makes a digest go out at most once a week whichever server writes it.
CREATE TABLE digests (
    id BIGSERIAL PRIMARY KEY,
    to_email TEXT NOT NULL,
    week DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    outbox_id BIGINT,
    UNIQUE (to_email, week)
);
-- What an outbox email has besides its text: an HTML alternative (sealed)
-- and the one-click unsubscribe URL of RFC 8058. Only digests have one.
CREATE TABLE outbox_parts (
    outbox_id BIGINT PRIMARY KEY REFERENCES outbox(id),
    html TEXT NOT NULL,
    list_unsubscribe TEXT NOT NULL
);

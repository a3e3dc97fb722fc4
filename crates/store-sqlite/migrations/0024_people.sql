-- A slate's people and tags (issue 19). SQLite dialect; keep in step with
-- store-postgres/migrations/0024_people.sql.
--
-- One row per slate and email: imports, OSDI sign-ups and pledges merge into
-- it. Empty strings are unknown fields. modified_at is what OSDI's
-- `modified_date gt '…'` filter reads.
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    email TEXT NOT NULL,
    given_name TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    zip TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    UNIQUE (slate_id, email)
);
CREATE INDEX people_modified ON people (slate_id, modified_at);
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    slate_id INTEGER NOT NULL REFERENCES slates(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (slate_id, name)
);
CREATE TABLE taggings (
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (tag_id, person_id)
);
CREATE INDEX taggings_person ON taggings (person_id);

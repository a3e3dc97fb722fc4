-- The conduit's books (issue 6). Keep in step with store-postgres/migrations/0011_books.sql.
--
-- The ledger is kept as its events (cohort-books' `ledger::Event`, as JSON),
-- appended in order and never changed: replaying them rebuilds the books.
-- `key` names what an event records ("receive:P12-0", "forward:B…") so the
-- same fact can never be booked twice, whoever tries.
CREATE TABLE book_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

-- One row whose update serializes writers of the books (PostgreSQL takes a
-- row lock until commit; SQLite has one writer anyway).
CREATE TABLE book_lock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO book_lock (id, n) VALUES (1, 0);

-- Records kept by key, as JSON the engine checks before writing (the
-- conduit's own committee record is "conduit").
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Things done at most once ("best-efforts:pat@example.org:2028"): a claim
-- inserts the key; a second claim finds it and does nothing.
CREATE TABLE once_marks (
    key TEXT PRIMARY KEY,
    at TEXT NOT NULL
);

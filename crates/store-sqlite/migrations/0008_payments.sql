-- Collecting money (issue 6). Keep in step with store-postgres/migrations/0008_payments.sql.
--
-- A pledge whose payment was declined and not fixed within the window ends
-- `payment_failed`. SQLite cannot ALTER a CHECK constraint; widening one (no
-- stored row can violate the wider rule) is the case SQLite documents as safe
-- to make by rewriting the table's schema text
-- (https://sqlite.org/lang_altertable.html#otheralter). RESET makes this
-- connection reparse the schema; the CREATE TABLEs below bump the schema
-- cookie so every other connection does too.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''expired'', ''cancelled'')', '''expired'', ''cancelled'', ''payment_failed'')')
 WHERE type = 'table' AND name = 'pledges';
PRAGMA writable_schema = RESET;
-- Fail loudly (a CHECK violation aborts the migration) if the rewrite matched nothing.
CREATE TEMP TABLE migration_0008_guard (widened INTEGER NOT NULL CHECK (widened = 1));
INSERT INTO migration_0008_guard
SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'pledges' AND sql LIKE '%''payment_failed''%';
DROP TABLE migration_0008_guard;

-- The gateway's saved payment method for a money pledge: a Customer and a
-- SetupIntent (off-session usage) made right after the pledge committed.
CREATE TABLE payment_setups (
    pledge_id INTEGER PRIMARY KEY REFERENCES pledges(id),
    customer_id TEXT NOT NULL,
    setup_intent_id TEXT NOT NULL UNIQUE,
    -- the SetupIntent's client secret: the pledger's browser or app confirms
    -- the card with it (it can't charge anything by itself)
    client_secret TEXT NOT NULL,
    -- known once the SetupIntent succeeded
    payment_method TEXT,
    created_at TEXT NOT NULL
);

-- One row per installment the collector has started to charge. A row in
-- state 'charging' means a PaymentIntent may exist: the collector looks it up
-- before it ever creates another (see engine/src/payments.rs).
CREATE TABLE payments (
    pledge_id INTEGER NOT NULL,
    period INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    state TEXT NOT NULL CHECK (state IN ('charging', 'succeeded', 'declined', 'action_required', 'failed', 'nothing_due')),
    intent_id TEXT,
    detail TEXT NOT NULL DEFAULT '',
    -- the PaymentIntent's client secret, while it needs the pledger to authenticate
    action_secret TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- when the "fix your payment" window opened, and when its reminder was queued
    failed_at TEXT,
    reminded_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (pledge_id, period),
    FOREIGN KEY (pledge_id, period) REFERENCES installments (pledge_id, period)
);
CREATE INDEX payments_open ON payments (failed_at) WHERE state IN ('declined', 'action_required');
CREATE INDEX payments_intent ON payments (intent_id) WHERE intent_id IS NOT NULL;

-- Webhook events already handled, so a replay changes nothing.
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    received_at TEXT NOT NULL
);

-- Collecting money (issue 6). Keep in step with store-sqlite/migrations/0008_payments.sql.

-- A pledge whose payment was declined and not fixed within the window ends `payment_failed`.
ALTER TABLE pledges DROP CONSTRAINT pledges_status_check;
ALTER TABLE pledges ADD CONSTRAINT pledges_status_check
    CHECK (status IN ('pending', 'unlocked', 'fulfilled', 'expired', 'cancelled', 'payment_failed'));

-- The gateway's saved payment method for a money pledge: a Customer and a
-- SetupIntent (off-session usage) made right after the pledge committed.
CREATE TABLE payment_setups (
    pledge_id BIGINT PRIMARY KEY REFERENCES pledges(id),
    customer_id TEXT NOT NULL,
    setup_intent_id TEXT NOT NULL UNIQUE,
    -- the SetupIntent's client secret: the pledger's browser or app confirms
    -- the card with it (it can't charge anything by itself)
    client_secret TEXT NOT NULL,
    -- known once the SetupIntent succeeded
    payment_method TEXT,
    created_at TIMESTAMPTZ NOT NULL
);

-- One row per installment the collector has started to charge. A row in
-- state 'charging' means a PaymentIntent may exist: the collector looks it up
-- before it ever creates another (see engine/src/payments.rs).
CREATE TABLE payments (
    pledge_id BIGINT NOT NULL,
    period INTEGER NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    state TEXT NOT NULL CHECK (state IN ('charging', 'succeeded', 'declined', 'action_required', 'failed', 'nothing_due')),
    intent_id TEXT,
    detail TEXT NOT NULL DEFAULT '',
    -- the PaymentIntent's client secret, while it needs the pledger to authenticate
    action_secret TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- when the "fix your payment" window opened, and when its reminder was queued
    failed_at TIMESTAMPTZ,
    reminded_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (pledge_id, period),
    FOREIGN KEY (pledge_id, period) REFERENCES installments (pledge_id, period)
);
CREATE INDEX payments_open ON payments (failed_at) WHERE state IN ('declined', 'action_required');
CREATE INDEX payments_intent ON payments (intent_id) WHERE intent_id IS NOT NULL;

-- Webhook events already handled, so a replay changes nothing.
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);

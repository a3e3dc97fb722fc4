-- Partner organizations of a slate: a public endorsement and a referral
-- code (pledges carry it as ref_code, from the form's ?ref=).
CREATE TABLE partners (
    id BIGSERIAL PRIMARY KEY,
    slate_id BIGINT NOT NULL REFERENCES slates(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    endorsement TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (slate_id, code)
);
-- Referral counts without scanning every pledge; partial, so pledges without
-- a code (most) cost it nothing when they unlock.
CREATE INDEX pledges_ref ON pledges (slate_id, ref_code) WHERE ref_code IS NOT NULL;

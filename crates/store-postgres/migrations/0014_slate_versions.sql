-- A version per slate that changes whenever what the engine caches about a
-- slate does: its row, candidates, signatures, endorsements, primary losses
-- and conditions. Keep in step with store-sqlite/migrations/0014_slate_versions.sql.
--
-- Triggers keep it, so no writer can forget to. A writer that bumps it holds
-- the slate's row lock until it commits, so a reader that takes that lock
-- (Tx::lock_slate_by_slug) sees a version whose state is committed.
ALTER TABLE slates ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION slate_version_own() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.version = OLD.version THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER slates_version BEFORE UPDATE ON slates
    FOR EACH ROW EXECUTE FUNCTION slate_version_own();

CREATE FUNCTION slate_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE slates SET version = version + 1 WHERE id = OLD.slate_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE slates SET version = version + 1 WHERE id = NEW.slate_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER candidates_version AFTER INSERT OR UPDATE OR DELETE ON candidates
    FOR EACH ROW EXECUTE FUNCTION slate_version_bump();
CREATE TRIGGER signatures_version AFTER INSERT OR UPDATE OR DELETE ON signatures
    FOR EACH ROW EXECUTE FUNCTION slate_version_bump();
CREATE TRIGGER endorsements_version AFTER INSERT OR UPDATE OR DELETE ON endorsements
    FOR EACH ROW EXECUTE FUNCTION slate_version_bump();
CREATE TRIGGER primary_losses_version AFTER INSERT OR UPDATE OR DELETE ON primary_losses
    FOR EACH ROW EXECUTE FUNCTION slate_version_bump();
CREATE TRIGGER conditions_version AFTER INSERT OR UPDATE OR DELETE ON conditions
    FOR EACH ROW EXECUTE FUNCTION slate_version_bump();

-- Only update emails are counted per address (the weekly cap reads the
-- newest one); receipts and other transactional emails, one per pledge, no
-- longer each write an entry into a random page of this index.
DROP INDEX outbox_to;
CREATE INDEX outbox_updates_to ON outbox (to_email, created_at) WHERE NOT transactional;

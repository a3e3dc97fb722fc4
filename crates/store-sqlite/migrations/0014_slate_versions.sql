-- A version per slate that changes whenever what the engine caches about a
-- slate does: its row, candidates, signatures, endorsements, primary losses
-- and conditions. Keep in step with store-postgres/migrations/0014_slate_versions.sql.
--
-- Triggers keep it, so no writer can forget to. SQLite write transactions
-- are exclusive, so a version read in one is a committed state's.
ALTER TABLE slates ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER slates_version AFTER UPDATE ON slates WHEN NEW.version = OLD.version
BEGIN
    UPDATE slates SET version = OLD.version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER candidates_insert_version AFTER INSERT ON candidates
BEGIN
    UPDATE slates SET version = version + 1 WHERE id = NEW.slate_id;
END;
CREATE TRIGGER candidates_update_version AFTER UPDATE ON candidates
BEGIN
    UPDATE slates SET version = version + 1 WHERE id IN (OLD.slate_id, NEW.slate_id);
END;
CREATE TRIGGER candidates_delete_version AFTER DELETE ON candidates
BEGIN
    UPDATE slates SET version = version + 1 WHERE id = OLD.slate_id;
END;
CREATE TRIGGER signatures_insert_version AFTER INSERT ON signatures
BEGIN
    UPDATE slates SET version = version + 1 WHERE id = NEW.slate_id;
END;
CREATE TRIGGER signatures_update_version AFTER UPDATE ON signatures
BEGIN
    UPDATE slates SET version = version + 1 WHERE id IN (OLD.slate_id, NEW.slate_id);
END;
CREATE TRIGGER signatures_delete_version AFTER DELETE ON signatures
BEGIN
    UPDATE slates SET version = version + 1 WHERE id = OLD.slate_id;
END;
CREATE TRIGGER endorsements_insert_version AFTER INSERT ON endorsements
BEGIN
    UPDATE slates SET version = version + 1 WHERE id = NEW.slate_id;
END;
CREATE TRIGGER endorsements_update_version AFTER UPDATE ON endorsements
BEGIN
    UPDATE slates SET version = version + 1 WHERE id IN (OLD.slate_id, NEW.slate_id);
END;
CREATE TRIGGER endorsements_delete_version AFTER DELETE ON endorsements
BEGIN
    UPDATE slates SET version = version + 1 WHERE id = OLD.slate_id;
END;
CREATE TRIGGER primary_losses_insert_version AFTER INSERT ON primary_losses
BEGIN
    UPDATE slates SET version = version + 1 WHERE id = NEW.slate_id;
END;
CREATE TRIGGER primary_losses_update_version AFTER UPDATE ON primary_losses
BEGIN
    UPDATE slates SET version = version + 1 WHERE id IN (OLD.slate_id, NEW.slate_id);
END;
CREATE TRIGGER primary_losses_delete_version AFTER DELETE ON primary_losses
BEGIN
    UPDATE slates SET version = version + 1 WHERE id = OLD.slate_id;
END;
CREATE TRIGGER conditions_insert_version AFTER INSERT ON conditions
BEGIN
    UPDATE slates SET version = version + 1 WHERE id = NEW.slate_id;
END;
CREATE TRIGGER conditions_update_version AFTER UPDATE ON conditions
BEGIN
    UPDATE slates SET version = version + 1 WHERE id IN (OLD.slate_id, NEW.slate_id);
END;
CREATE TRIGGER conditions_delete_version AFTER DELETE ON conditions
BEGIN
    UPDATE slates SET version = version + 1 WHERE id = OLD.slate_id;
END;

-- Only update emails are counted per address (the weekly cap reads the
-- newest one); receipts and other transactional emails, one per pledge, no
-- longer each write an entry into a random page of this index.
DROP INDEX outbox_to;
CREATE INDEX outbox_updates_to ON outbox (to_email, created_at) WHERE NOT transactional;

-- Each tenant's audit log as an RFC 6962 Merkle tree (SPEC §4 tamper
-- evidence). audit_tree holds every stored hash in the tlog layout (about
-- two per record), so a root or a proof reads O(log n) rows; audit_seal
-- says how many records (1..size) are in the tree. Records are sealed by
-- the scheduled job and before a checkpoint is served.
CREATE TABLE audit_tree (
    tenant_id TEXT    NOT NULL REFERENCES tenants (id),
    idx       INTEGER NOT NULL,                  -- tlog stored-hash index
    hash      TEXT    NOT NULL,                  -- base64 SHA-256
    PRIMARY KEY (tenant_id, idx)
);
CREATE TABLE audit_seal (
    tenant_id TEXT    PRIMARY KEY REFERENCES tenants (id),
    size      INTEGER NOT NULL CHECK (size >= 0)
);
CREATE TRIGGER audit_tree_no_update BEFORE UPDATE ON audit_tree
BEGIN
    SELECT RAISE(ABORT, 'tree hashes are append-only');
END;
CREATE TRIGGER audit_tree_no_delete BEFORE DELETE ON audit_tree
BEGIN
    SELECT RAISE(ABORT, 'tree hashes are append-only');
END;
CREATE TRIGGER audit_seal_only_grows BEFORE UPDATE ON audit_seal
WHEN NEW.size < OLD.size
BEGIN
    SELECT RAISE(ABORT, 'the sealed size only grows');
END;
CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal
BEGIN
    SELECT RAISE(ABORT, 'the sealed size only grows');
END;

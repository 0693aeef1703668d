-- The leaf hash of each audit record (RFC 6962 leaf of its canonical
-- encoding), written when the record is sealed into the tenant's Merkle
-- tree. Searches and exports show it next to the record. Insert-only.
CREATE TABLE audit_leaves (
    tenant_id TEXT    NOT NULL REFERENCES tenants (id),
    seq       INTEGER NOT NULL,
    leaf_hash TEXT    NOT NULL,                  -- base64 SHA-256
    PRIMARY KEY (tenant_id, seq)
);
CREATE TRIGGER audit_leaves_no_update BEFORE UPDATE ON audit_leaves
BEGIN
    SELECT RAISE(ABORT, 'leaf hashes are append-only');
END;
CREATE TRIGGER audit_leaves_no_delete BEFORE DELETE ON audit_leaves
BEGIN
    SELECT RAISE(ABORT, 'leaf hashes are append-only');
END;
-- Searches by activity and by user within a tenant, newest first.
CREATE INDEX audit_log_tenant_activity ON audit_log (tenant_id, activity, seq);
CREATE INDEX audit_log_tenant_user ON audit_log (tenant_id, user, seq);

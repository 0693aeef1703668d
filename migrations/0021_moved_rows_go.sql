-- A tenant whose data has moved into its own Durable Object leaves its
-- rows here behind; the move deletes them once the tenant's home is its
-- object (`POST /api/v1/provider/tenants/{id}/move`, called until it
-- answers 200). The audit log, its leaves, tree and sealed size stay
-- append-only for every tenant whose log is here: only a tenant whose
-- directory row says 'object' may lose them. (In a tenant's object the
-- copied row never says so, so there they stay append-only.)
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id AND home = 'object')
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
DROP TRIGGER audit_leaves_no_delete;
CREATE TRIGGER audit_leaves_no_delete BEFORE DELETE ON audit_leaves
WHEN NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id AND home = 'object')
BEGIN
    SELECT RAISE(ABORT, 'leaf hashes are append-only');
END;
DROP TRIGGER audit_tree_no_delete;
CREATE TRIGGER audit_tree_no_delete BEFORE DELETE ON audit_tree
WHEN NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id AND home = 'object')
BEGIN
    SELECT RAISE(ABORT, 'tree hashes are append-only');
END;
DROP TRIGGER audit_seal_no_delete;
CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal
WHEN NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id AND home = 'object')
BEGIN
    SELECT RAISE(ABORT, 'the sealed size only grows');
END;

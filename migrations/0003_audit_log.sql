-- The audit log: insert-only. Each tenant's records are numbered 1, 2, 3, …
-- without gaps (seq), so a missing or reordered record is detectable; a later
-- migration can chain them by hash using prev_hash/hash.
CREATE TABLE audit_log (
    id          TEXT    PRIMARY KEY,               -- <request id>/<state> for a request's state change, else a UUID
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    seq         INTEGER NOT NULL,
    occurred_at INTEGER NOT NULL,                  -- epoch ms, UTC
    ip          TEXT    NOT NULL,
    user        TEXT    NOT NULL,                  -- as shown in the log
    activity    TEXT    NOT NULL,
    item        TEXT    NOT NULL DEFAULT '',
    details     TEXT    NOT NULL,                  -- JSON object of strings
    prev_hash   TEXT,
    hash        TEXT,
    UNIQUE (tenant_id, seq)
);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, occurred_at);

-- Append-only, enforced by the database itself.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;

-- The integration boundary (SPEC §5): the provider's own services that
-- touch customer content register with Lockbox, sign in with their own
-- Ed25519 keys, and record operator actions before touching content.

-- A new provider role, integration admin: the role list is a CHECK, so the
-- table is rebuilt with the longer list (nothing refers to its rows).
CREATE TABLE provider_roles_new (
    user_id    TEXT    NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL CHECK (role IN ('support_engineer', 'support_manager', 'integration_admin')),
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, role)
);
INSERT INTO provider_roles_new (user_id, role, granted_at)
    SELECT user_id, role, granted_at FROM provider_roles;
DROP TABLE provider_roles;
ALTER TABLE provider_roles_new RENAME TO provider_roles;

-- Each registered service: what it serves and offers, and its public keys.
CREATE TABLE provider_services (
    id                 TEXT    PRIMARY KEY,        -- svc:<name>
    name               TEXT    NOT NULL,
    serves             TEXT    NOT NULL,           -- JSON list of tenant service names
    operations         TEXT    NOT NULL,           -- JSON list of operations
    keys               TEXT    NOT NULL,           -- JSON list of Ed25519 JWKs
    access_common_name TEXT    UNIQUE,             -- a Cloudflare Access service token's id
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    updated_by         TEXT    NOT NULL
);

-- The provider log: registrations and key changes, which integration admins
-- read (customers never see provider service keys). Insert-only.
CREATE TABLE provider_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at INTEGER NOT NULL,
    user        TEXT    NOT NULL,
    activity    TEXT    NOT NULL,
    item        TEXT    NOT NULL,
    details     TEXT    NOT NULL                   -- JSON object of strings
);
CREATE TRIGGER provider_log_no_update BEFORE UPDATE ON provider_log
BEGIN
    SELECT RAISE(ABORT, 'the provider log is append-only');
END;
CREATE TRIGGER provider_log_no_delete BEFORE DELETE ON provider_log
BEGIN
    SELECT RAISE(ABORT, 'the provider log is append-only');
END;

-- Service assertions seen, so none is accepted twice within its lifetime
-- (the scheduled job drops those that expired).
CREATE TABLE service_assertions (
    service_id TEXT    NOT NULL,
    jti        TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,                   -- epoch ms
    PRIMARY KEY (service_id, jti)
);
CREATE INDEX service_assertions_expiry ON service_assertions (expires_at);

-- Refused service calls per day and reason: counted, never explained to
-- the caller; integration admins see the counts.
CREATE TABLE service_refusals (
    day    INTEGER NOT NULL,                       -- epoch ms / 86400000
    reason TEXT    NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (day, reason)
);

-- Each recorded batch of operator actions, once per (service, batch id):
-- a retry finds it and gets the same answer. `attempt` tells the write
-- that inserted it from one that found it there.
CREATE TABLE provider_batches (
    service_id  TEXT    NOT NULL,
    batch_id    TEXT    NOT NULL,
    attempt     TEXT    NOT NULL,
    request_id  TEXT    NOT NULL REFERENCES access_requests (id),
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    body_digest TEXT    NOT NULL,                  -- SHA-256 of the grant and actions
    record_ids  TEXT    NOT NULL,                  -- JSON list of audit_log ids, in order
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (service_id, batch_id)
);

-- The revocation feed reads grants ended early by when they ended.
CREATE INDEX access_requests_revoked ON access_requests (ended_at, id)
    WHERE state = 'Revoked';

-- Access requests and their grants (one row each). Deadlines are stored when
-- they are set and never recomputed. Times are epoch milliseconds (UTC).
CREATE TABLE access_requests (
    id                  TEXT    PRIMARY KEY,            -- UUID
    tenant_id           TEXT    NOT NULL REFERENCES tenants (id),
    service             TEXT    NOT NULL,
    ticket              TEXT    NOT NULL,
    reason              TEXT    NOT NULL,
    duration_minutes    INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 240),
    requester_id        TEXT    NOT NULL REFERENCES users (id),
    requester_email     TEXT    NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN (
                            'PendingManagerApproval', 'PendingCustomerApproval', 'Approved',
                            'Denied', 'Rejected', 'Expired', 'Cancelled', 'Revoked', 'Completed')),
    created_at          INTEGER NOT NULL,
    manager_id          TEXT,
    manager_email       TEXT,
    manager_decided_at  INTEGER,
    lockbox_required    INTEGER CHECK (lockbox_required IN (0, 1)),
    pending_expires_at  INTEGER,
    customer_id         TEXT,
    customer_email      TEXT,
    customer_decided_at INTEGER,
    decision_comment    TEXT,
    grant_starts_at     INTEGER,
    grant_ends_at       INTEGER,
    ended_at            INTEGER,
    ended_by            TEXT,
    -- Rules the database keeps even if the code had a bug:
    CHECK (manager_id IS NULL OR manager_id <> requester_id),
    CHECK (customer_id IS NULL OR customer_id <> requester_id),
    CHECK (grant_ends_at IS NULL OR grant_ends_at - grant_starts_at BETWEEN 1 AND 14400000)
);
CREATE INDEX access_requests_tenant ON access_requests (tenant_id, created_at DESC, id DESC);
CREATE INDEX access_requests_requester ON access_requests (requester_id, created_at DESC, id DESC);
CREATE INDEX access_requests_state_created ON access_requests (state, created_at DESC, id DESC);
-- The sweep's two scans.
CREATE INDEX access_requests_due_expiry ON access_requests (pending_expires_at, id)
    WHERE state = 'PendingCustomerApproval';
CREATE INDEX access_requests_due_end ON access_requests (grant_ends_at, id)
    WHERE state = 'Approved';
-- The access check.
CREATE INDEX access_requests_live ON access_requests (requester_id, tenant_id, service, grant_ends_at)
    WHERE state = 'Approved';

-- Idempotency-Key of decision calls: a repeat returns the first answer.
CREATE TABLE idempotency_keys (
    user_id    TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    request_id TEXT    NOT NULL,
    verb       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- What each run of the scheduled job did.
ALTER TABLE cron_runs ADD COLUMN expired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cron_runs ADD COLUMN completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cron_runs ADD COLUMN more_due INTEGER NOT NULL DEFAULT 0;

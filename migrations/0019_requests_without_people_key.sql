-- A request's row belongs to its tenant; the engineer who asked is one of
-- the provider's people, kept globally. The row keeps the engineer's id
-- and e-mail as facts, without a foreign key into `users`, so the table
-- can live in the tenant's own database (a Durable Object per tenant)
-- where no provider person is. SQLite changes a column's constraints by
-- rebuilding the table: the same columns, checks and indexes otherwise.
PRAGMA defer_foreign_keys = true;

CREATE TABLE access_requests_rebuilt (
    id                  TEXT    PRIMARY KEY,            -- UUID
    tenant_id           TEXT    NOT NULL REFERENCES tenants (id),
    service             TEXT    NOT NULL,
    ticket              TEXT    NOT NULL,
    reason              TEXT    NOT NULL,
    duration_minutes    INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 240),
    requester_id        TEXT    NOT NULL,
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
    manager_comment     TEXT,
    customer_comment    TEXT,
    end_comment         TEXT,
    ended_by_id         TEXT,
    approvals_required  INTEGER NOT NULL DEFAULT 1,
    approvals           TEXT    NOT NULL DEFAULT '[]',
    extends             TEXT    REFERENCES access_requests (id),
    first_started_at    INTEGER,
    continues_at        INTEGER,
    -- Rules the database keeps even if the code had a bug:
    CHECK (manager_id IS NULL OR manager_id <> requester_id),
    CHECK (customer_id IS NULL OR customer_id <> requester_id),
    CHECK (grant_ends_at IS NULL OR grant_ends_at - grant_starts_at BETWEEN 1 AND 14400000)
);

INSERT INTO access_requests_rebuilt (
    id, tenant_id, service, ticket, reason, duration_minutes, requester_id, requester_email,
    state, created_at, manager_id, manager_email, manager_decided_at, lockbox_required,
    pending_expires_at, customer_id, customer_email, customer_decided_at, decision_comment,
    grant_starts_at, grant_ends_at, ended_at, ended_by, manager_comment, customer_comment,
    end_comment, ended_by_id, approvals_required, approvals, extends, first_started_at,
    continues_at)
SELECT
    id, tenant_id, service, ticket, reason, duration_minutes, requester_id, requester_email,
    state, created_at, manager_id, manager_email, manager_decided_at, lockbox_required,
    pending_expires_at, customer_id, customer_email, customer_decided_at, decision_comment,
    grant_starts_at, grant_ends_at, ended_at, ended_by, manager_comment, customer_comment,
    end_comment, ended_by_id, approvals_required, approvals, extends, first_started_at,
    continues_at
FROM access_requests;

DROP TABLE access_requests;
ALTER TABLE access_requests_rebuilt RENAME TO access_requests;

CREATE INDEX access_requests_tenant ON access_requests (tenant_id, created_at DESC, id DESC);
CREATE INDEX access_requests_requester ON access_requests (requester_id, created_at DESC, id DESC);
CREATE INDEX access_requests_state_created ON access_requests (state, created_at DESC, id DESC);
CREATE INDEX access_requests_due_expiry ON access_requests (pending_expires_at, id)
    WHERE state = 'PendingCustomerApproval';
CREATE INDEX access_requests_due_end ON access_requests (grant_ends_at, id)
    WHERE state = 'Approved';
CREATE INDEX access_requests_live ON access_requests (requester_id, tenant_id, service, grant_ends_at)
    WHERE state = 'Approved';
CREATE INDEX access_requests_due_manager_expiry ON access_requests (pending_expires_at, id)
    WHERE state = 'PendingManagerApproval';
CREATE INDEX access_requests_manager ON access_requests (manager_id, created_at DESC, id DESC);
CREATE INDEX access_requests_by_extended ON access_requests (extends) WHERE extends IS NOT NULL;
CREATE INDEX access_requests_revoked ON access_requests (ended_at, id)
    WHERE state = 'Revoked';

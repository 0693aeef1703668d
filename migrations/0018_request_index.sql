-- The provider's index of requests: what the lists that span tenants (an
-- engineer's own requests, the managers' queue), the lookup of a
-- request's tenant from its id and the scheduled sweep's choice of
-- tenants read. It is global; the requests themselves belong to their
-- tenant. Each row is a copy of a request's row with its progress
-- (`AccessRequest::progress`): a copy only replaces one of no greater
-- progress, so copies that arrive twice or out of order converge. The
-- index is never trusted for a decision: the tenant's row decides.
CREATE TABLE request_index (
    id                  TEXT    PRIMARY KEY,
    tenant_id           TEXT    NOT NULL,
    service             TEXT    NOT NULL,
    ticket              TEXT    NOT NULL,
    reason              TEXT    NOT NULL,
    duration_minutes    INTEGER NOT NULL,
    requester_id        TEXT    NOT NULL,
    requester_email     TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    state               TEXT    NOT NULL,
    manager_id          TEXT,
    manager_email       TEXT,
    manager_decided_at  INTEGER,
    manager_comment     TEXT,
    lockbox_required    INTEGER,
    pending_expires_at  INTEGER,
    customer_id         TEXT,
    customer_email      TEXT,
    customer_decided_at INTEGER,
    customer_comment    TEXT,
    grant_starts_at     INTEGER,
    grant_ends_at       INTEGER,
    ended_at            INTEGER,
    ended_by_id         TEXT,
    ended_by            TEXT,
    end_comment         TEXT,
    approvals_required  INTEGER NOT NULL,
    approvals           TEXT    NOT NULL,
    extends             TEXT,
    first_started_at    INTEGER,
    continues_at        INTEGER,
    progress            INTEGER NOT NULL
);
CREATE INDEX request_index_requester ON request_index (requester_id, created_at DESC, id DESC);
CREATE INDEX request_index_manager ON request_index (manager_id, created_at DESC, id DESC);
CREATE INDEX request_index_state_created ON request_index (state, created_at DESC, id DESC);
CREATE INDEX request_index_due_manager_expiry ON request_index (pending_expires_at, tenant_id)
    WHERE state = 'PendingManagerApproval';
CREATE INDEX request_index_due_expiry ON request_index (pending_expires_at, tenant_id)
    WHERE state = 'PendingCustomerApproval';
CREATE INDEX request_index_due_end ON request_index (grant_ends_at, tenant_id)
    WHERE state = 'Approved';

-- The requests as they are now (progress 0: any later copy replaces them).
INSERT INTO request_index (
    id, tenant_id, service, ticket, reason, duration_minutes, requester_id, requester_email,
    created_at, state, manager_id, manager_email, manager_decided_at, manager_comment,
    lockbox_required, pending_expires_at, customer_id, customer_email, customer_decided_at,
    customer_comment, grant_starts_at, grant_ends_at, ended_at, ended_by_id, ended_by,
    end_comment, approvals_required, approvals, extends, first_started_at, continues_at, progress)
SELECT
    id, tenant_id, service, ticket, reason, duration_minutes, requester_id, requester_email,
    created_at, state, manager_id, manager_email, manager_decided_at, manager_comment,
    lockbox_required, pending_expires_at, customer_id, customer_email, customer_decided_at,
    customer_comment, grant_starts_at, grant_ends_at, ended_at, ended_by_id, ended_by,
    end_comment, approvals_required, approvals, extends, first_started_at, continues_at, 0
FROM access_requests;

-- A tenant's outbox for the index: each change of a request writes the
-- copy of its row here, in the change's own transaction. The change's
-- call then writes the copy into the index; the scheduled job writes
-- again whatever was not marked applied (a crash between the two writes
-- loses nothing), and forgets applied copies after a day.
CREATE TABLE index_outbox (
    request_id  TEXT    NOT NULL,
    progress    INTEGER NOT NULL,
    tenant_id   TEXT    NOT NULL,
    copy        TEXT    NOT NULL,   -- the request's row, as a JSON object by column
    created_at  INTEGER NOT NULL,
    applied_at  INTEGER,
    PRIMARY KEY (request_id, progress)
);
CREATE INDEX index_outbox_pending ON index_outbox (created_at) WHERE applied_at IS NULL;
CREATE INDEX index_outbox_applied ON index_outbox (applied_at) WHERE applied_at IS NOT NULL;

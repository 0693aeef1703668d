-- Made by scripts/bench-sweep.sh: @N@ requests whose 12 hours for the
-- customer's decision are over, and @N@ grants that have ended, all of
-- Contoso's mail, none swept yet: the backlog after the scheduled job has
-- not run for a long while. Rows are what the product writes for such
-- requests (see the demo requests in backend/src/demo.rs).
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @N@),
     t(now) AS (SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000)
INSERT INTO access_requests (id, tenant_id, service, ticket, reason, duration_minutes,
    requester_id, requester_email, state, created_at, manager_id, manager_email,
    manager_decided_at, lockbox_required, pending_expires_at)
SELECT printf('b0000001-0000-4000-8000-%012x', i), '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'mail',
       'SR-DUE-' || i, 'Benchmark: a request nobody decided.', 60,
       '0b5e2d1c-0000-4000-8000-000000000301', 'engineer1@provider.example', 'PendingCustomerApproval',
       now - 13 * 3600000 - i, '0b5e2d1c-0000-4000-8000-000000000303', 'manager@provider.example',
       now - 13 * 3600000 + 60000 - i, 1, now - 3600000 + 60000 - i
FROM n, t;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @N@),
     t(now) AS (SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000)
INSERT INTO access_requests (id, tenant_id, service, ticket, reason, duration_minutes,
    requester_id, requester_email, state, created_at, manager_id, manager_email,
    manager_decided_at, lockbox_required, pending_expires_at, customer_id, customer_email,
    customer_decided_at, grant_starts_at, grant_ends_at)
SELECT printf('b0000002-0000-4000-8000-%012x', i), '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'mail',
       'SR-END-' || i, 'Benchmark: a grant that has ended.', 60,
       '0b5e2d1c-0000-4000-8000-000000000301', 'engineer1@provider.example', 'Approved',
       now - 3 * 3600000 - i, '0b5e2d1c-0000-4000-8000-000000000303', 'manager@provider.example',
       now - 3 * 3600000 + 60000 - i, 1, now + 9 * 3600000 - i,
       '0b5e2d1c-0000-4000-8000-000000000102', 'approver1@contoso.example',
       now - 2 * 3600000 - i, now - 2 * 3600000 - i, now - 3600000 - i
FROM n, t;

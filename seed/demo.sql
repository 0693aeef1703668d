-- Demo world for local development and the tests (SPEC §8). Idempotent: every
-- row has a fixed id and is inserted only when absent, so running it again
-- changes nothing (and never undoes what someone changed through the app).
INSERT INTO tenants (id, name, domain, lockbox_enabled, created_at) VALUES
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'Contoso',  'contoso.example',  1, 1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 'Fabrikam', 'fabrikam.example', 0, 1767225600000)
ON CONFLICT DO NOTHING;

INSERT INTO tenant_services (tenant_id, service) VALUES
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'mail'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'sites'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'files'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 'mail'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 'sites'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 'files')
ON CONFLICT DO NOTHING;

INSERT INTO users (id, email, display_name, tenant_id, created_at) VALUES
    ('0b5e2d1c-0000-4000-8000-000000000101', 'admin@contoso.example',      'Adele Vance',     '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000102', 'approver1@contoso.example',  'Alex Wilber',     '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000103', 'approver2@contoso.example',  'Megan Bowen',     '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000104', 'auditor@contoso.example',    'Lynne Robbins',   '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000105', 'user@contoso.example',       'Joni Sherman',    '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000201', 'admin@fabrikam.example',     'Diego Siciliani', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000202', 'approver@fabrikam.example',  'Isaiah Langer',   '7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000301', 'engineer1@provider.example', 'Nestor Wilke',    NULL,                                   1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000302', 'engineer2@provider.example', 'Patti Fernandez', NULL,                                   1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000303', 'manager@provider.example',   'Lee Gu',          NULL,                                   1767225600000)
ON CONFLICT DO NOTHING;

INSERT INTO customer_roles (tenant_id, user_id, role, granted_at) VALUES
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '0b5e2d1c-0000-4000-8000-000000000101', 'global_admin', 1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '0b5e2d1c-0000-4000-8000-000000000102', 'approver',     1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '0b5e2d1c-0000-4000-8000-000000000103', 'approver',     1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '0b5e2d1c-0000-4000-8000-000000000104', 'auditor',      1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', '0b5e2d1c-0000-4000-8000-000000000201', 'global_admin', 1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', '0b5e2d1c-0000-4000-8000-000000000202', 'approver',     1767225600000)
ON CONFLICT DO NOTHING;

INSERT INTO provider_roles (user_id, role, granted_at) VALUES
    ('0b5e2d1c-0000-4000-8000-000000000301', 'support_engineer', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000302', 'support_engineer', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000303', 'support_manager',  1767225600000)
ON CONFLICT DO NOTHING;

-- A few requests in different states, so the pages mean something on first
-- start. Their times are relative to the moment of seeding ("now" below);
-- a request that already exists is left as it is.
WITH seed_now AS (SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000 AS now)
INSERT INTO access_requests (id, tenant_id, service, ticket, reason, duration_minutes,
        requester_id, requester_email, state, created_at, manager_id, manager_email,
        manager_decided_at, lockbox_required, pending_expires_at, customer_id, customer_email,
        customer_decided_at, decision_comment, grant_starts_at, grant_ends_at, ended_at, ended_by)
SELECT v.* FROM (
    -- Waiting for Contoso's approvers.
    SELECT 'a11ce000-0000-4000-8000-000000000001' AS id, '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'mail', 'SR-10231',
           'Shared mailbox stopped syncing after a migration; need to read its folder statistics.', 120,
           '0b5e2d1c-0000-4000-8000-000000000301', 'engineer1@provider.example', 'PendingCustomerApproval',
           now - 3600000, '0b5e2d1c-0000-4000-8000-000000000303', 'manager@provider.example', now - 3000000, 1,
           now - 3000000 + 43200000, NULL, NULL, NULL, 'Ticket verified with the customer.', NULL, NULL, NULL, NULL
    FROM seed_now
    UNION ALL
    -- A live grant: approved 30 minutes ago for 4 hours.
    SELECT 'a11ce000-0000-4000-8000-000000000002', '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'sites', 'SR-10198',
           'Site collection returns 500 on the document library; need to list its files.', 240,
           '0b5e2d1c-0000-4000-8000-000000000302', 'engineer2@provider.example', 'Approved',
           now - 5400000, '0b5e2d1c-0000-4000-8000-000000000303', 'manager@provider.example', now - 5000000, 1,
           now - 5000000 + 43200000, '0b5e2d1c-0000-4000-8000-000000000102', 'approver1@contoso.example',
           now - 1800000, 'Approved for the library only.', now - 1800000, now - 1800000 + 14400000, NULL, NULL
    FROM seed_now
    UNION ALL
    -- Denied by Contoso yesterday.
    SELECT 'a11ce000-0000-4000-8000-000000000003', '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'files', 'SR-10107',
           'Customer reports a corrupted spreadsheet; need to read the file.', 60,
           '0b5e2d1c-0000-4000-8000-000000000301', 'engineer1@provider.example', 'Denied',
           now - 90000000, '0b5e2d1c-0000-4000-8000-000000000303', 'manager@provider.example', now - 89000000, 1,
           now - 89000000 + 43200000, '0b5e2d1c-0000-4000-8000-000000000103', 'approver2@contoso.example',
           now - 88000000, 'We will send the file ourselves.', NULL, NULL, now - 88000000, NULL
    FROM seed_now
    UNION ALL
    -- Expired: nobody at Contoso answered within 12 hours.
    SELECT 'a11ce000-0000-4000-8000-000000000004', '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'mail', 'SR-10002',
           'Mail flow rule misbehaves; need to read one message header.', 30,
           '0b5e2d1c-0000-4000-8000-000000000302', 'engineer2@provider.example', 'Expired',
           now - 200000000, '0b5e2d1c-0000-4000-8000-000000000303', 'manager@provider.example', now - 199000000, 1,
           now - 199000000 + 43200000, NULL, NULL, NULL, NULL, NULL, NULL, now - 199000000 + 43200000, NULL
    FROM seed_now
    UNION ALL
    -- Waiting for the support manager.
    SELECT 'a11ce000-0000-4000-8000-000000000005', '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'files', 'SR-10240',
           'OneDrive sync error 0x8004de40 on one user; need to list the folder.', 45,
           '0b5e2d1c-0000-4000-8000-000000000302', 'engineer2@provider.example', 'PendingManagerApproval',
           now - 600000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM seed_now
) AS v
WHERE NOT EXISTS (SELECT 1 FROM access_requests r WHERE r.id = v.id);

-- Their audit trail: one record per state change, numbered after whatever
-- the tenant's log already holds; records that exist are left alone.
WITH seed_audit (id, at, ip, user, activity, item, details) AS (
SELECT r.id || '/PendingManagerApproval', r.created_at, '198.51.100.20', r.requester_email,
       'New-AccessToCustomerDataRequest', r.id,
       json_object('DurationMinutes', CAST(r.duration_minutes AS TEXT), 'NewState', 'PendingManagerApproval',
                   'Reason', r.reason, 'RequestId', r.id, 'Requester', r.requester_email,
                   'Service', r.service, 'Ticket', r.ticket)
FROM access_requests r WHERE r.id LIKE 'a11ce000-%'
UNION ALL
SELECT r.id || '/PendingCustomerApproval', r.manager_decided_at, '198.51.100.21', r.manager_email,
       'PreApprove-AccessToCustomerDataRequest', r.id,
       json_object('Comment', COALESCE(r.decision_comment, ''), 'CustomerApprovalRequired', 'True',
                   'Manager', r.manager_email, 'NewState', 'PendingCustomerApproval',
                   'PendingExpiresAt', strftime('%Y-%m-%dT%H:%M:%SZ', r.pending_expires_at / 1000, 'unixepoch'),
                   'PreviousState', 'PendingManagerApproval', 'RequestId', r.id,
                   'Requester', r.requester_email, 'Service', r.service, 'Ticket', r.ticket)
FROM access_requests r WHERE r.id LIKE 'a11ce000-%' AND r.manager_decided_at IS NOT NULL
UNION ALL
SELECT r.id || '/' || r.state, r.customer_decided_at, '203.0.113.40', 'lockbox-service@lockbox.example',
       'Set-AccessToCustomerDataRequest', r.id,
       json_object('ApprovalDecision', CASE r.state WHEN 'Approved' THEN 'Approve' ELSE 'Deny' END,
                   'Approver', r.customer_email, 'Comment', COALESCE(r.decision_comment, ''),
                   'NewState', r.state, 'PreviousState', 'PendingCustomerApproval', 'RequestId', r.id,
                   'Requester', r.requester_email, 'Service', r.service, 'Ticket', r.ticket)
FROM access_requests r WHERE r.id LIKE 'a11ce000-%' AND r.customer_decided_at IS NOT NULL
UNION ALL
SELECT r.id || '/Expired', r.ended_at, '', 'lockbox-service@lockbox.example',
       'Expire-AccessToCustomerDataRequest', r.id,
       json_object('EndedAt', strftime('%Y-%m-%dT%H:%M:%SZ', r.ended_at / 1000, 'unixepoch'),
                   'NewState', 'Expired', 'PreviousState', 'PendingCustomerApproval', 'RequestId', r.id,
                   'Requester', r.requester_email, 'Service', r.service, 'Ticket', r.ticket)
FROM access_requests r WHERE r.id LIKE 'a11ce000-%' AND r.state = 'Expired'
)
INSERT INTO audit_log (id, tenant_id, seq, occurred_at, ip, user, activity, item, details)
SELECT s.id, '7c0a8f4e-5a1b-4c3d-9e2f-000000000001',
       COALESCE((SELECT MAX(seq) FROM audit_log WHERE tenant_id = '7c0a8f4e-5a1b-4c3d-9e2f-000000000001'), 0)
         + ROW_NUMBER() OVER (ORDER BY s.at, s.id),
       s.at, s.ip, s.user, s.activity, s.item, s.details
FROM seed_audit s
WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.id = s.id);

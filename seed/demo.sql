-- Demo world for local development and the tests (SPEC §8). Idempotent: every
-- row has a fixed id and is inserted only when absent, so running it again
-- changes nothing (and never undoes what someone changed through the app).
INSERT INTO tenants (id, name, domain, lockbox_enabled, created_at) VALUES
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'Contoso',  'contoso.example',  1, 1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 'Fabrikam', 'fabrikam.example', 0, 1767225600000),
    -- A third customer whose log the tests fill with 100 000 records.
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000003', 'Tailspin Toys', 'tailspin.example', 1, 1767225600000),
    -- A fourth whose log the tamper tests change behind Lockbox's back.
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000004', 'Woodgrove Bank', 'woodgrove.example', 1, 1767225600000),
    -- A fifth with three approvers, whose requests need more than one
    -- approval in the quorum tests.
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000005', 'Northwind Traders', 'northwind.example', 1, 1767225600000)
ON CONFLICT DO NOTHING;

INSERT INTO tenant_services (tenant_id, service) VALUES
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'mail'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'sites'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'files'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 'mail'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 'sites'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 'files'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000003', 'mail'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000004', 'mail'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000005', 'mail')
ON CONFLICT DO NOTHING;

INSERT INTO users (id, email, display_name, tenant_id, created_at) VALUES
    ('0b5e2d1c-0000-4000-8000-000000000101', 'admin@contoso.example',      'Adele Vance',     '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000102', 'approver1@contoso.example',  'Alex Wilber',     '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000103', 'approver2@contoso.example',  'Megan Bowen',     '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000104', 'auditor@contoso.example',    'Lynne Robbins',   '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000105', 'user@contoso.example',       'Joni Sherman',    '7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000201', 'admin@fabrikam.example',     'Diego Siciliani', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000202', 'approver@fabrikam.example',  'Isaiah Langer',   '7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000401', 'auditor@tailspin.example',   'Grady Archie',    '7c0a8f4e-5a1b-4c3d-9e2f-000000000003', 1767225600000),
    -- Tailspin's global admin: the freeze tests freeze Tailspin, which no
    -- other test opens requests for.
    ('0b5e2d1c-0000-4000-8000-000000000402', 'admin@tailspin.example',     'Miriam Graham',   '7c0a8f4e-5a1b-4c3d-9e2f-000000000003', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000501', 'auditor@woodgrove.example',  'Pradeep Gupta',   '7c0a8f4e-5a1b-4c3d-9e2f-000000000004', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000601', 'admin@northwind.example',     'Nancy Davolio',   '7c0a8f4e-5a1b-4c3d-9e2f-000000000005', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000602', 'approver1@northwind.example', 'Andrew Fuller',   '7c0a8f4e-5a1b-4c3d-9e2f-000000000005', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000603', 'approver2@northwind.example', 'Janet Leverling', '7c0a8f4e-5a1b-4c3d-9e2f-000000000005', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000604', 'approver3@northwind.example', 'Margaret Peacock', '7c0a8f4e-5a1b-4c3d-9e2f-000000000005', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000301', 'engineer1@provider.example', 'Nestor Wilke',    NULL,                                   1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000302', 'engineer2@provider.example', 'Patti Fernandez', NULL,                                   1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000303', 'manager@provider.example',   'Lee Gu',          NULL,                                   1767225600000),
    -- Both engineer and manager: the two-person rule must stop them deciding
    -- their own requests (not in SPEC §8; the tests need one such person).
    ('0b5e2d1c-0000-4000-8000-000000000304', 'lead@provider.example',      'Johanna Lorenz',  NULL,                                   1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000305', 'integrations@provider.example', 'Irvin Sayers', NULL,                                1767225600000)
ON CONFLICT DO NOTHING;

INSERT INTO customer_roles (tenant_id, user_id, role, granted_at) VALUES
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '0b5e2d1c-0000-4000-8000-000000000101', 'global_admin', 1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '0b5e2d1c-0000-4000-8000-000000000102', 'approver',     1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '0b5e2d1c-0000-4000-8000-000000000103', 'approver',     1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '0b5e2d1c-0000-4000-8000-000000000104', 'auditor',      1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', '0b5e2d1c-0000-4000-8000-000000000201', 'global_admin', 1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', '0b5e2d1c-0000-4000-8000-000000000202', 'approver',     1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000003', '0b5e2d1c-0000-4000-8000-000000000401', 'auditor',      1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000003', '0b5e2d1c-0000-4000-8000-000000000402', 'global_admin', 1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000004', '0b5e2d1c-0000-4000-8000-000000000501', 'auditor',      1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000005', '0b5e2d1c-0000-4000-8000-000000000601', 'global_admin', 1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000005', '0b5e2d1c-0000-4000-8000-000000000602', 'approver',     1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000005', '0b5e2d1c-0000-4000-8000-000000000603', 'approver',     1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000005', '0b5e2d1c-0000-4000-8000-000000000604', 'approver',     1767225600000)
ON CONFLICT DO NOTHING;

INSERT INTO provider_roles (user_id, role, granted_at) VALUES
    ('0b5e2d1c-0000-4000-8000-000000000301', 'support_engineer', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000302', 'support_engineer', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000303', 'support_manager',  1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000304', 'support_engineer', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000304', 'support_manager',  1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000305', 'integration_admin', 1767225600000)
ON CONFLICT DO NOTHING;

-- The demo requests (pending, live grant, denied, expired, awaiting the
-- manager) are not here: `POST /api/v1/dev/seed` makes them through the
-- request service itself (backend/src/demo.rs), so their rows and audit
-- records are exactly what the product writes.

-- The locked content of each tenant (SPEC §5), generated: 3 mailboxes × 20
-- messages, 2 sites × 15 files, and a drive of 3 folders with 15 files.
-- Every text names its tenant, so content of one tenant showing up under
-- another's grant is plain to see. Deterministic and idempotent.
INSERT INTO mailboxes (tenant_id, address, display_name, item_count, size_bytes)
SELECT t.id, m.local || '@' || t.domain, m.display || ' (' || t.name || ')', 0, 0
FROM tenants t,
     (SELECT 'ceo' AS local, 'Office of the CEO' AS display
      UNION ALL SELECT 'finance', 'Finance team'
      UNION ALL SELECT 'helpdesk', 'IT Helpdesk') m
WHERE t.id IN ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002')
ON CONFLICT DO NOTHING;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO messages (tenant_id, mailbox, id, folder, sender, recipient, subject, received_at, body)
SELECT m.tenant_id, m.address, n.i,
       CASE n.i % 4 WHEN 0 THEN 'Sent Items' WHEN 1 THEN 'Archive' ELSE 'Inbox' END,
       'partner' || n.i || '@' || t.domain,
       m.address,
       t.name || ' ' || CASE n.i % 5
           WHEN 0 THEN 'quarterly report'
           WHEN 1 THEN 'supplier contract'
           WHEN 2 THEN 'travel booking'
           WHEN 3 THEN 'board meeting notes'
           ELSE 'password reset request' END || ' #' || n.i,
       1767225600000 + n.i * 3600000,
       'Hello ' || m.display_name || ',' || char(10) || char(10)
           || 'This is message ' || n.i || ' for ' || t.name || ' only. '
           || 'It is confidential to ' || t.name || ' and must never appear in another tenant.'
           || char(10) || char(10) || 'Regards,' || char(10) || 'A partner of ' || t.name
FROM mailboxes m JOIN tenants t ON t.id = m.tenant_id, n
WHERE m.tenant_id IN ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002')
ON CONFLICT DO NOTHING;

UPDATE mailboxes SET
    item_count = (SELECT COUNT(*) FROM messages g WHERE g.tenant_id = mailboxes.tenant_id AND g.mailbox = mailboxes.address),
    size_bytes = (SELECT COALESCE(SUM(length(g.body) + length(g.subject)), 0) FROM messages g
                  WHERE g.tenant_id = mailboxes.tenant_id AND g.mailbox = mailboxes.address)
WHERE tenant_id IN ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002');

INSERT INTO sites (tenant_id, url_path, title)
SELECT t.id, s.path, t.name || ' ' || s.title
FROM tenants t,
     (SELECT '/sites/support' AS path, 'Support' AS title
      UNION ALL SELECT '/sites/projects', 'Projects') s
WHERE t.id IN ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002')
ON CONFLICT DO NOTHING;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 15)
INSERT INTO site_files (tenant_id, site, path, size_bytes, modified_at, content)
SELECT s.tenant_id, s.url_path,
       '/Shared Documents/' || lower(t.name) || '-' || substr(s.url_path, 8) || '-' || printf('%02d', n.i) || '.txt',
       length(s.title || ' document ' || n.i || ': internal to ' || t.name || '.'),
       1767225600000 + n.i * 86400000,
       s.title || ' document ' || n.i || ': internal to ' || t.name || '.'
FROM sites s JOIN tenants t ON t.id = s.tenant_id, n
WHERE s.tenant_id IN ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002')
ON CONFLICT DO NOTHING;

INSERT INTO drive_items (tenant_id, path, parent, is_folder, size_bytes, modified_at, content)
SELECT t.id, '/' || f.name, '/', 1, 0, 1767225600000, ''
FROM tenants t,
     (SELECT 'Documents' AS name UNION ALL SELECT 'Reports' UNION ALL SELECT 'Photos') f
WHERE t.id IN ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002')
ON CONFLICT DO NOTHING;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 15)
INSERT INTO drive_items (tenant_id, path, parent, is_folder, size_bytes, modified_at, content)
SELECT t.id,
       CASE n.i % 3 WHEN 0 THEN '/Documents' WHEN 1 THEN '/Reports' ELSE '/Photos' END
           || '/' || lower(t.name) || '-file-' || printf('%02d', n.i) || '.txt',
       CASE n.i % 3 WHEN 0 THEN '/Documents' WHEN 1 THEN '/Reports' ELSE '/Photos' END,
       0,
       length('File ' || n.i || ' of ' || t.name || '''s drive.'),
       1767225600000 + n.i * 43200000,
       'File ' || n.i || ' of ' || t.name || '''s drive.'
FROM tenants t, n
WHERE t.id IN ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002')
ON CONFLICT DO NOTHING;

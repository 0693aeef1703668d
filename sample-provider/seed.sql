-- The sample service's demo content. Idempotent: fixed keys, inserted only
-- when absent. The customers are Lockbox's demo tenants (same ids).
INSERT INTO customers (id, name, domain) VALUES
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', 'Contoso',  'contoso.example'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000002', 'Fabrikam', 'fabrikam.example')
ON CONFLICT DO NOTHING;

-- The content of each demo customer, generated: 3 mailboxes × 20
-- messages, 2 sites × 15 files, and a drive of 3 folders with 15 files.
-- Every text names its tenant, so content of one tenant showing up under
-- another's grant is plain to see. Deterministic and idempotent.
INSERT INTO mailboxes (tenant_id, address, display_name, item_count, size_bytes)
SELECT t.id, m.local || '@' || t.domain, m.display || ' (' || t.name || ')', 0, 0
FROM customers t,
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
FROM mailboxes m JOIN customers t ON t.id = m.tenant_id, n
WHERE m.tenant_id IN ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002')
ON CONFLICT DO NOTHING;

UPDATE mailboxes SET
    item_count = (SELECT COUNT(*) FROM messages g WHERE g.tenant_id = mailboxes.tenant_id AND g.mailbox = mailboxes.address),
    size_bytes = (SELECT COALESCE(SUM(length(g.body) + length(g.subject)), 0) FROM messages g
                  WHERE g.tenant_id = mailboxes.tenant_id AND g.mailbox = mailboxes.address)
WHERE tenant_id IN ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002');

INSERT INTO sites (tenant_id, url_path, title)
SELECT t.id, s.path, t.name || ' ' || s.title
FROM customers t,
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
FROM sites s JOIN customers t ON t.id = s.tenant_id, n
WHERE s.tenant_id IN ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002')
ON CONFLICT DO NOTHING;

INSERT INTO drive_items (tenant_id, path, parent, is_folder, size_bytes, modified_at, content)
SELECT t.id, '/' || f.name, '/', 1, 0, 1767225600000, ''
FROM customers t,
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
FROM customers t, n
WHERE t.id IN ('7c0a8f4e-5a1b-4c3d-9e2f-000000000001', '7c0a8f4e-5a1b-4c3d-9e2f-000000000002')
ON CONFLICT DO NOTHING;

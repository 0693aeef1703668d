-- Made by scripts/bench-scale.sh: customers @FROM@ to @TO@ of the scale
-- benchmark, each with the mail service, a global admin and an approver.
WITH RECURSIVE n(i) AS (SELECT @FROM@ UNION ALL SELECT i + 1 FROM n WHERE i < @TO@)
INSERT INTO tenants (id, name, domain, lockbox_enabled, created_at)
SELECT printf('b5000000-0000-4000-8000-%012d', i), 'Bench ' || i, 't' || i || '.bench.example', 1, 1767225600000
FROM n;

WITH RECURSIVE n(i) AS (SELECT @FROM@ UNION ALL SELECT i + 1 FROM n WHERE i < @TO@)
INSERT INTO tenant_services (tenant_id, service)
SELECT printf('b5000000-0000-4000-8000-%012d', i), 'mail' FROM n;

WITH RECURSIVE n(i) AS (SELECT @FROM@ UNION ALL SELECT i + 1 FROM n WHERE i < @TO@),
     who(k, role) AS (VALUES (1, 'global_admin'), (2, 'approver'))
INSERT INTO users (id, email, display_name, tenant_id, created_at)
SELECT printf('b6000000-0000-4000-8%03d-%012d', k, i),
       CASE k WHEN 1 THEN 'admin' ELSE 'approver' END || '@t' || i || '.bench.example',
       'Bench person ' || k || '.' || i, printf('b5000000-0000-4000-8000-%012d', i), 1767225600000
FROM n, who;

WITH RECURSIVE n(i) AS (SELECT @FROM@ UNION ALL SELECT i + 1 FROM n WHERE i < @TO@),
     who(k, role) AS (VALUES (1, 'global_admin'), (2, 'approver'))
INSERT INTO customer_roles (tenant_id, user_id, role, granted_at)
SELECT printf('b5000000-0000-4000-8000-%012d', i), printf('b6000000-0000-4000-8%03d-%012d', k, i), role,
       1767225600000
FROM n, who;

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
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000005', 'Northwind Traders', 'northwind.example', 1, 1767225600000),
    -- A sixth whose data the tests move into its own Durable Object.
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000006', 'Litware', 'litware.example', 1, 1767225600000)
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
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000005', 'mail'),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000006', 'mail')
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
    ('0b5e2d1c-0000-4000-8000-000000000701', 'admin@litware.example',       'Gareth Fort',     '7c0a8f4e-5a1b-4c3d-9e2f-000000000006', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000702', 'approver@litware.example',    'Debra Berger',    '7c0a8f4e-5a1b-4c3d-9e2f-000000000006', 1767225600000),
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
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000005', '0b5e2d1c-0000-4000-8000-000000000604', 'approver',     1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000006', '0b5e2d1c-0000-4000-8000-000000000701', 'global_admin', 1767225600000),
    ('7c0a8f4e-5a1b-4c3d-9e2f-000000000006', '0b5e2d1c-0000-4000-8000-000000000702', 'approver',     1767225600000)
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

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
    ('0b5e2d1c-0000-4000-8000-000000000303', 'manager@provider.example',   'Lee Gu',          NULL,                                   1767225600000),
    -- Both engineer and manager: the two-person rule must stop them deciding
    -- their own requests (not in SPEC §8; the tests need one such person).
    ('0b5e2d1c-0000-4000-8000-000000000304', 'lead@provider.example',      'Johanna Lorenz',  NULL,                                   1767225600000)
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
    ('0b5e2d1c-0000-4000-8000-000000000303', 'support_manager',  1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000304', 'support_engineer', 1767225600000),
    ('0b5e2d1c-0000-4000-8000-000000000304', 'support_manager',  1767225600000)
ON CONFLICT DO NOTHING;

-- The demo requests (pending, live grant, denied, expired, awaiting the
-- manager) are not here: `POST /api/v1/dev/seed` makes them through the
-- request service itself (backend/src/demo.rs), so their rows and audit
-- records are exactly what the product writes.

-- Tenants (the provider's customers), people, and who holds which role.
-- Times are epoch milliseconds (UTC).
CREATE TABLE tenants (
    id                 TEXT    PRIMARY KEY,          -- UUID
    name               TEXT    NOT NULL UNIQUE,
    domain             TEXT    NOT NULL UNIQUE,      -- e-mail domain of its people
    lockbox_enabled    INTEGER NOT NULL CHECK (lockbox_enabled IN (0, 1)),
    lockbox_changed_by TEXT,                          -- e-mail of who last switched it
    lockbox_changed_at INTEGER,
    created_at         INTEGER NOT NULL
);

-- The services whose content a grant can open, per tenant (configurable).
CREATE TABLE tenant_services (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    service   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, service)
);

-- Everyone who can sign in. Customer people belong to one tenant; provider
-- staff belong to none (tenant_id IS NULL).
CREATE TABLE users (
    id           TEXT    PRIMARY KEY,                -- UUID
    email        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT    NOT NULL,
    tenant_id    TEXT    REFERENCES tenants (id),
    created_at   INTEGER NOT NULL
);

CREATE TABLE customer_roles (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    user_id    TEXT    NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL CHECK (role IN ('global_admin', 'approver', 'auditor')),
    granted_by TEXT,                                  -- e-mail; NULL for seeded roles
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id, role)
);

CREATE TABLE provider_roles (
    user_id    TEXT    NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL CHECK (role IN ('support_engineer', 'support_manager')),
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, role)
);

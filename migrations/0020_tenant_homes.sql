-- Where each tenant's own data is: in this database with every other
-- tenant's ('database'), on its way to the tenant's Durable Object
-- ('moving': its calls wait), or there ('object'). Only the directory's
-- row says; a tenant's object keeps the column unused.
ALTER TABLE tenants ADD COLUMN home TEXT NOT NULL DEFAULT 'database'
    CHECK (home IN ('database', 'moving', 'object'));

-- A tenant's move into its object: when it was marked moving (copying
-- starts a grace period later, once every isolate has read the mark),
-- where the copy stands (resumed from there after a crash), and when it
-- finished.
CREATE TABLE tenant_moves (
    tenant_id   TEXT    PRIMARY KEY REFERENCES tenants (id),
    marked_at   INTEGER NOT NULL,
    progress    TEXT    NOT NULL,
    finished_at INTEGER,
    sealed      INTEGER,
    root        TEXT
);

-- The revocation feed reads ended grants from the provider's index, which
-- holds every tenant's wherever its data is.
CREATE INDEX request_index_ended ON request_index (state, ended_at);

-- Every key the deployment has signed with, and when: checkpoints,
-- receipts and reports (`audit`), grant tokens (`grant`). A key is noted
-- the first time an isolate signs with it; noting a newer key ends the
-- older ones' time in use. Public keys only: the private ones are Worker
-- secrets. Served by GET /api/v1/keys and GET /api/v1/audit/public-key.
CREATE TABLE signing_keys (
    purpose TEXT NOT NULL CHECK (purpose IN ('audit', 'grant')),
    key_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    valid_from INTEGER NOT NULL,
    valid_until INTEGER,
    PRIMARY KEY (purpose, key_id)
);

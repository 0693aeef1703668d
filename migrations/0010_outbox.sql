-- Notifications. Each message is a row of the outbox, written in the same
-- batch as the change that causes it, and delivered (e-mail, or a POST to
-- a tenant's webhook endpoint) right after the request and again by the
-- scheduled job until it is delivered or has failed too often.
-- Times are epoch milliseconds (UTC).
CREATE TABLE outbox (
    id                  TEXT    PRIMARY KEY,   -- `<event>/<recipient id>`: the idempotency key
    channel             TEXT    NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient           TEXT    NOT NULL,      -- an e-mail address, or a webhook endpoint's id
    tenant_id           TEXT,                  -- the tenant the event concerns
    request_id          TEXT,                  -- the request it concerns, if any
    kind                TEXT    NOT NULL,      -- notify::NoticeKind or notify::WebhookEvent
    subject             TEXT    NOT NULL,
    body                TEXT    NOT NULL,      -- plain text, or the webhook's JSON
    created_at          INTEGER NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     INTEGER NOT NULL,      -- when it may be tried (again)
    leased_until        INTEGER,               -- an attempt under way holds it until then
    last_error          TEXT,
    last_status         INTEGER,               -- the webhook receiver's HTTP status
    provider_message_id TEXT,
    delivered_at        INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX outbox_tenant ON outbox (tenant_id, created_at DESC, id);
CREATE INDEX outbox_request ON outbox (request_id, created_at DESC, id);
CREATE INDEX outbox_recipient ON outbox (recipient, created_at DESC, id);
CREATE INDEX outbox_done ON outbox (created_at) WHERE status <> 'pending';

-- A tenant's webhook endpoints. The secret signs every delivery (Standard
-- Webhooks); it is shown once, when the endpoint is added.
CREATE TABLE webhook_endpoints (
    id         TEXT    PRIMARY KEY,            -- UUID
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    url        TEXT    NOT NULL,
    events     TEXT    NOT NULL,               -- comma-separated notify::WebhookEvent names
    secret     TEXT    NOT NULL,               -- `whsec_<base64>`
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    removed_at INTEGER
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id) WHERE removed_at IS NULL;

-- Local development only: the mail sink's deliveries, and the switch that
-- makes it fail (tests). A deployment sends through the e-mail binding and
-- leaves these empty.
CREATE TABLE dev_mail_sink (
    outbox_id    TEXT    NOT NULL,
    recipient    TEXT    NOT NULL,
    delivered_at INTEGER NOT NULL
);
CREATE INDEX dev_mail_sink_outbox ON dev_mail_sink (outbox_id);
CREATE TABLE dev_mail_failures (
    request_id TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    remaining  INTEGER NOT NULL,
    PRIMARY KEY (request_id, kind)
);

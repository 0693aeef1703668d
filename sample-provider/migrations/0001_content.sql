-- The sample service's content: per customer (Lockbox's tenant id),
-- mailboxes with messages (mail), sites with files (sites) and a drive of
-- folders and files (files). Read only after Lockbox recorded the action.
CREATE TABLE customers (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    domain TEXT NOT NULL
);

CREATE TABLE mailboxes (
    tenant_id    TEXT NOT NULL REFERENCES customers(id),
    address      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    item_count   INTEGER NOT NULL,
    size_bytes   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, address)
);

CREATE TABLE messages (
    tenant_id   TEXT NOT NULL,
    mailbox     TEXT NOT NULL,
    id          INTEGER NOT NULL,
    folder      TEXT NOT NULL,
    sender      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, mailbox, id),
    FOREIGN KEY (tenant_id, mailbox) REFERENCES mailboxes(tenant_id, address)
);

CREATE TABLE sites (
    tenant_id TEXT NOT NULL REFERENCES customers(id),
    url_path  TEXT NOT NULL,
    title     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, url_path)
);

CREATE TABLE site_files (
    tenant_id   TEXT NOT NULL,
    site        TEXT NOT NULL,
    path        TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    content     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, site, path),
    FOREIGN KEY (tenant_id, site) REFERENCES sites(tenant_id, url_path)
);

CREATE TABLE drive_items (
    tenant_id   TEXT NOT NULL REFERENCES customers(id),
    path        TEXT NOT NULL,
    -- The folder holding it ('/' for the root's children), so a folder's
    -- listing is one indexed lookup.
    parent      TEXT NOT NULL,
    is_folder   INTEGER NOT NULL,
    size_bytes  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    content     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, path)
);
CREATE INDEX drive_items_by_parent ON drive_items (tenant_id, parent, path);

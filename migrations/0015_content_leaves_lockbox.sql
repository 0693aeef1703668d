-- The demo content moved to the sample provider service (sample-provider/,
-- its own D1): Lockbox holds requests, grants, registrations and the audit
-- log, never a provider's content.
DROP TABLE IF EXISTS drive_items;
DROP TABLE IF EXISTS site_files;
DROP TABLE IF EXISTS sites;
DROP TABLE IF EXISTS messages;
DROP TABLE IF EXISTS mailboxes;

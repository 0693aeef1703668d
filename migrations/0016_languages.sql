-- Italian and English. `users.language` is the language a person chose for
-- the pages and their e-mails (NULL: none chosen; their browser's, then
-- their organisation's default, applies). `tenants.default_language` is
-- what the tenant's people who chose none get by e-mail, and the language
-- of the text its webhooks carry. The values are the tags of `Lang`
-- (shared/src/i18n.rs); the model test checks that these checks accept
-- exactly its tags.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('en', 'it'));
ALTER TABLE tenants ADD COLUMN default_language TEXT NOT NULL DEFAULT 'en'
    CHECK (default_language IN ('en', 'it'));

-- When a person's revocation of a grant began: from then on nothing more
-- is recorded under the grant (the live-grant condition requires NULL),
-- so the revocation's write, which counts and digests the grant's
-- operator records, cannot be outrun by new ones.
ALTER TABLE access_requests ADD COLUMN closing_at INTEGER;

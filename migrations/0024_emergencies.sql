-- Break-glass (emergency) requests: what makes a request one, as JSON
-- ({"incident": …, "review": null | {"verdict", "at", "by_id", "by",
-- "comment"}}); NULL for every other request. Its managers' pre-approvals
-- are in the approvals column. review_due_at: when the customer's review
-- of its ended grant is due (NULL once reviewed, or for other requests):
-- the sweep marks it Unreviewed then.
ALTER TABLE access_requests ADD COLUMN emergency TEXT;
ALTER TABLE access_requests ADD COLUMN review_due_at INTEGER;
ALTER TABLE request_index ADD COLUMN emergency TEXT;
ALTER TABLE request_index ADD COLUMN review_due_at INTEGER;
CREATE INDEX access_requests_review_due ON access_requests (tenant_id, review_due_at)
    WHERE review_due_at IS NOT NULL;
-- The tenant's choices about emergency access (Security & Privacy):
-- allowed with review (1, the default) or off (0); whether emergency grants
-- may read content; whether a dispute also freezes the tenant.
ALTER TABLE tenants ADD COLUMN emergency_allowed INTEGER NOT NULL DEFAULT 1 CHECK (emergency_allowed IN (0, 1));
ALTER TABLE tenants ADD COLUMN emergency_content INTEGER NOT NULL DEFAULT 0 CHECK (emergency_content IN (0, 1));
ALTER TABLE tenants ADD COLUMN dispute_freezes INTEGER NOT NULL DEFAULT 0 CHECK (dispute_freezes IN (0, 1));

-- Quorum: how many distinct people at the customer must approve a request
-- (1 to 3, checked where it is set: `ApprovalsRequired` in shared). A
-- request keeps the tenant's number from the moment it became pending for
-- the customer (`access_requests.approvals_required`); `approvals` holds
-- the approvals given so far as a JSON array, written with the request's
-- row in one guarded update (the guard includes its length, so two
-- approvals that race cannot both count).
ALTER TABLE tenants ADD COLUMN approvals_required INTEGER NOT NULL DEFAULT 1;
ALTER TABLE access_requests ADD COLUMN approvals_required INTEGER NOT NULL DEFAULT 1;
ALTER TABLE access_requests ADD COLUMN approvals TEXT NOT NULL DEFAULT '[]';

-- Extensions: a request that continues another's grant. `extends` is that
-- request, `first_started_at` the start of the first grant of the chain
-- (the chain ends at most 8 hours after it), `continues_at` the end of the
-- grant extended (approved before then, the extension starts there).
ALTER TABLE access_requests ADD COLUMN extends TEXT REFERENCES access_requests(id);
ALTER TABLE access_requests ADD COLUMN first_started_at INTEGER;
ALTER TABLE access_requests ADD COLUMN continues_at INTEGER;
CREATE INDEX access_requests_by_extended ON access_requests (extends) WHERE extends IS NOT NULL;

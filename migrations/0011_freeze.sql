-- The freeze ("Revoke all access now"): while `frozen_at` is set, no grant
-- of the tenant opens its content (read-time, whatever the grants' rows
-- say), and no request of the tenant can be pre-approved or approved.
-- Lifting it clears the three columns; both are in the audit log.
ALTER TABLE tenants ADD COLUMN frozen_at INTEGER;
ALTER TABLE tenants ADD COLUMN frozen_by TEXT;
ALTER TABLE tenants ADD COLUMN freeze_reason TEXT;

-- Each decision keeps its own comment (the manager's, the customer's, and
-- that of whoever ended the request), and who ended a request is stored by
-- id as well as e-mail. `decision_comment` is no longer written.
ALTER TABLE access_requests ADD COLUMN manager_comment TEXT;
ALTER TABLE access_requests ADD COLUMN customer_comment TEXT;
ALTER TABLE access_requests ADD COLUMN end_comment TEXT;
ALTER TABLE access_requests ADD COLUMN ended_by_id TEXT;

UPDATE access_requests SET end_comment = decision_comment
    WHERE state IN ('Cancelled', 'Revoked');
UPDATE access_requests SET customer_comment = decision_comment
    WHERE state IN ('Approved', 'Denied', 'Completed') AND customer_decided_at IS NOT NULL;
UPDATE access_requests SET manager_comment = decision_comment
    WHERE state IN ('PendingCustomerApproval', 'Rejected')
       OR (state IN ('Approved', 'Completed') AND customer_decided_at IS NULL);
UPDATE access_requests SET ended_by_id = (SELECT u.id FROM users u WHERE u.email = access_requests.ended_by)
    WHERE ended_by IS NOT NULL;

-- A request nobody pre-approves expires 12 hours after it was created.
UPDATE access_requests SET pending_expires_at = created_at + 43200000
    WHERE state = 'PendingManagerApproval' AND pending_expires_at IS NULL;
CREATE INDEX access_requests_due_manager_expiry ON access_requests (pending_expires_at, id)
    WHERE state = 'PendingManagerApproval';

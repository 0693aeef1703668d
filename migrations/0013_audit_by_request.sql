-- The audit records of one request (its changes and the operator actions
-- under its grant) and of one ticket, found through the details every such
-- record carries (`RequestId`, `Ticket`): the request page lists the
-- actions taken under a grant, and the audit search narrows to a request
-- or a ticket. The expressions are the ones the queries use
-- (`store::audit::REQUEST_OF`, `TICKET_OF`); SQLite uses an expression
-- index only for the same expression.
CREATE INDEX audit_log_tenant_request ON audit_log (tenant_id, json_extract(details, '$.RequestId'), seq);
CREATE INDEX audit_log_tenant_ticket ON audit_log (tenant_id, json_extract(details, '$.Ticket'), seq);

-- The operations a request asks for (a JSON array of names, each once, in
-- name order); NULL on a request from before requests named them, whose
-- grant allows every operation of its service. What each approver allowed
-- is in the approvals column, with their approval.
ALTER TABLE access_requests ADD COLUMN operations TEXT;
ALTER TABLE request_index ADD COLUMN operations TEXT;

-- A manager's list holds the requests they decided as well as those they
-- opened; this index serves the second half of that OR.
CREATE INDEX access_requests_manager ON access_requests (manager_id, created_at DESC, id DESC);

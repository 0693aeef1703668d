-- Of the operations a request asks for, those that read content (a JSON
-- array of names), as the services registered them when it was asked:
-- what the decision page and the e-mails mark.
ALTER TABLE access_requests ADD COLUMN content_operations TEXT;
ALTER TABLE request_index ADD COLUMN content_operations TEXT;

-- An endpoint's signing secret can be replaced; the one it replaced still
-- signs deliveries (beside the new one) until `previous_until`, so that a
-- receiver can switch without missing one. Both are sealed (AES-GCM under
-- the Worker secret WEBHOOK_SECRETS_KEY, `backend/src/sealing.rs`).
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN previous_until INTEGER;

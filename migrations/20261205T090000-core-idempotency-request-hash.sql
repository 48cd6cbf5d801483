-- What a request with an idempotency key asked for (a hash of its method, path and body), so
-- that the key sent again with a different body is refused instead of replaying the first one.
-- Rows written before this column have none; they expire with the daily purge.
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS request_hash text;

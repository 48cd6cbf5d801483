-- Uploads kept for a form that came back with an error (a dataset's new file, while its other
-- fields are corrected), so that the person does not choose the file again. A stored file with
-- `pending_for` set is not used yet: only that user, in the municipality it was sent to, may
-- attach it, and attaching it clears both columns. The daily purge deletes the files still
-- pending a day after `pending_since` (abandoned forms).
--
-- Columns of stored_files rather than a table of their own: a table pointing at stored_files
-- would hang on its primary key, which the migration of 20261206 replaces when it runs again.
-- No foreign key to users either: a pending file of a deleted account is purged like any other.
-- Safe to run twice.

ALTER TABLE stored_files ADD COLUMN IF NOT EXISTS pending_for uuid;
ALTER TABLE stored_files ADD COLUMN IF NOT EXISTS pending_since timestamptz;
CREATE INDEX IF NOT EXISTS stored_files_pending ON stored_files (pending_since) WHERE pending_since IS NOT NULL;

-- Uploads kept for a form that came back with an error (a dataset's new file, while its other
-- fields are corrected), so that the person does not choose the file again. A row here means the
-- stored file is not used yet: only the user who sent it, in the municipality it was sent to,
-- may attach it; attaching it deletes the row. The daily purge deletes the stored files of rows
-- left for more than a day (abandoned forms), which deletes the rows with them.
-- Safe to run twice.

CREATE TABLE IF NOT EXISTS pending_uploads (
  municipality_id uuid NOT NULL,
  file_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, file_id),
  FOREIGN KEY (municipality_id, file_id) REFERENCES stored_files (municipality_id, id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS pending_uploads_created ON pending_uploads (created_at);

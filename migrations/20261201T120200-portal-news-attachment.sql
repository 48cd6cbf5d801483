-- A news item may carry one document or picture (a decree, a poster), stored in stored_files.
ALTER TABLE news ADD COLUMN IF NOT EXISTS attachment_id uuid REFERENCES stored_files (id);
CREATE INDEX IF NOT EXISTS stored_files_municipality ON stored_files (municipality_id, id);

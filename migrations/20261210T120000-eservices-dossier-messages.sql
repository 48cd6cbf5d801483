-- E-services: a message thread on each dossier between its applicant and the municipality's
-- agents; the hand-over of a dossier to a colleague in its history; and what the agents' list
-- searches by (reference prefix, applicant name without accents). Safe to run twice.

CREATE TABLE IF NOT EXISTS dossier_messages (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  dossier_id uuid NOT NULL,
  -- Null once the author's account is gone; the role says which side wrote.
  author_id uuid REFERENCES users (id) ON DELETE SET NULL,
  author_role text NOT NULL CHECK (author_role IN ('applicant', 'agent')),
  body text NOT NULL CHECK (length(body) <= 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, dossier_id) REFERENCES dossiers (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS dossier_messages_dossier ON dossier_messages (municipality_id, dossier_id, created_at);

-- A hand-over to a colleague is a staff-only line of the dossier's history.
ALTER TABLE dossier_events DROP CONSTRAINT IF EXISTS dossier_events_kind_check;
ALTER TABLE dossier_events ADD CONSTRAINT dossier_events_kind_check CHECK (kind IN ('transition', 'note', 'correction_answered', 'reassigned'));

-- The applicant's name folded (lower case, accents removed), for "ndeye" to find "Ndèye";
-- kept by trigger because unaccent() is not immutable and so cannot feed a generated column.
ALTER TABLE dossiers ADD COLUMN IF NOT EXISTS applicant_name_folded text NOT NULL DEFAULT '';
CREATE OR REPLACE FUNCTION dossiers_name_fold() RETURNS trigger AS $$
BEGIN
  NEW.applicant_name_folded := lower(unaccent(NEW.applicant_name));
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS dossiers_name_fold ON dossiers;
CREATE TRIGGER dossiers_name_fold BEFORE INSERT OR UPDATE OF applicant_name ON dossiers
  FOR EACH ROW EXECUTE FUNCTION dossiers_name_fold();
UPDATE dossiers SET applicant_name_folded = lower(unaccent(applicant_name)) WHERE applicant_name_folded <> lower(unaccent(applicant_name));

-- Trigrams serve a name searched anywhere in it (as datasets_title_trgm does for titles); the
-- pattern index serves a reference typed from its start ("RUF-2026-000" finds RUF-2026-00042).
CREATE INDEX IF NOT EXISTS dossiers_name_trgm ON dossiers USING gin (applicant_name_folded gin_trgm_ops);
CREATE INDEX IF NOT EXISTS dossiers_reference_prefix ON dossiers (municipality_id, reference text_pattern_ops);

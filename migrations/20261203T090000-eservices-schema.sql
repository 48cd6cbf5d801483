-- E-services: procedures (démarches), dossiers and their history, issued certificates and the
-- municipality's signing keys.

CREATE TABLE IF NOT EXISTS procedures (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
  category text NOT NULL CHECK (category IN ('civil_status', 'residence', 'legalisation', 'urbanism', 'land', 'travel', 'other')),
  -- The form definition (sections and fields), checked by the application against its schema.
  form jsonb NOT NULL DEFAULT '{"sections": []}',
  -- Bumped at each change of the form: a dossier records the version it was filled against.
  form_version integer NOT NULL DEFAULT 1,
  documents jsonb NOT NULL DEFAULT '[]',
  fee_amount bigint NOT NULL DEFAULT 0 CHECK (fee_amount >= 0),
  fee_payment text NOT NULL DEFAULT '' CHECK (length(fee_payment) <= 1000),
  processing_days integer NOT NULL CHECK (processing_days BETWEEN 1 AND 365),
  instructor_roles text[] NOT NULL DEFAULT '{agent}',
  retention_days integer NOT NULL DEFAULT 730 CHECK (retention_days BETWEEN 30 AND 36500),
  certificate jsonb,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  UNIQUE (municipality_id, slug)
);

-- One counter per municipality and year: references RUF-2026-00042 without gaps or duplicates.
CREATE TABLE IF NOT EXISTS dossier_counters (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  year integer NOT NULL,
  last_number integer NOT NULL DEFAULT 0,
  PRIMARY KEY (municipality_id, year)
);

CREATE TABLE IF NOT EXISTS dossiers (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  procedure_id uuid NOT NULL,
  -- Given at submission; a draft has none.
  reference text CHECK (reference ~ '^[A-Z]{3}-[0-9]{4}-[0-9]{5,}$'),
  state text NOT NULL DEFAULT 'draft'
    CHECK (state IN ('draft', 'submitted', 'under_instruction', 'accepted', 'refused', 'closed_without_follow_up')),
  -- A correction asked by the instructor and not yet answered by the citizen.
  correction_requested boolean NOT NULL DEFAULT false,
  channel text NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'counter')),
  applicant_id uuid REFERENCES users (id),
  applicant_name text NOT NULL CHECK (length(applicant_name) BETWEEN 1 AND 120),
  applicant_phone text CHECK (applicant_phone ~ '^\+[1-9][0-9]{6,14}$'),
  applicant_email text CHECK (applicant_email ~ '^[^@\s]+@[^@\s]+$'),
  applicant_locale text NOT NULL DEFAULT 'fr' CHECK (applicant_locale IN ('fr', 'pt', 'en')),
  answers jsonb NOT NULL DEFAULT '{}',
  form_version integer NOT NULL DEFAULT 1,
  -- The agent who filed it at the counter, and the one instructing it.
  filed_by uuid REFERENCES users (id),
  instructor_id uuid REFERENCES users (id),
  submitted_at timestamptz,
  due_on date,
  decided_at timestamptz,
  decision_reason text NOT NULL DEFAULT '' CHECK (length(decision_reason) <= 5000),
  -- Set when the personal data was erased at the end of the retention period.
  erased_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  UNIQUE (municipality_id, reference),
  FOREIGN KEY (municipality_id, procedure_id) REFERENCES procedures (municipality_id, id),
  CHECK (state = 'draft' OR (reference IS NOT NULL AND submitted_at IS NOT NULL)),
  CHECK (erased_at IS NOT NULL OR applicant_phone IS NOT NULL OR applicant_email IS NOT NULL OR applicant_id IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS dossiers_queue ON dossiers (municipality_id, procedure_id, state, due_on);
CREATE INDEX IF NOT EXISTS dossiers_applicant ON dossiers (municipality_id, applicant_id);

-- The dossier's history: transitions, messages to the citizen, internal notes.
CREATE TABLE IF NOT EXISTS dossier_events (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  dossier_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('transition', 'note', 'correction_answered')),
  from_state text,
  to_state text,
  -- Internal notes are seen by agents only; everything else by the citizen too.
  internal boolean NOT NULL DEFAULT false,
  body text NOT NULL DEFAULT '' CHECK (length(body) <= 5000),
  actor_id uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, dossier_id) REFERENCES dossiers (municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS dossier_events_dossier ON dossier_events (municipality_id, dossier_id, created_at);

-- Who opened which dossier, when: personal data is read on purpose, and it shows.
CREATE TABLE IF NOT EXISTS dossier_access_log (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id bigint GENERATED ALWAYS AS IDENTITY,
  dossier_id uuid NOT NULL,
  actor_id uuid REFERENCES users (id),
  action text NOT NULL CHECK (action IN ('view', 'download', 'export')),
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id)
);
CREATE INDEX IF NOT EXISTS dossier_access_log_dossier ON dossier_access_log (municipality_id, dossier_id, at);

-- Ed25519 keys signing the municipality's certificates. The newest unretired key signs; retired
-- keys still verify what they signed. The private key is a secret: backups must be kept as such.
CREATE TABLE IF NOT EXISTS signing_keys (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  kid text NOT NULL CHECK (kid ~ '^[0-9a-f]{16}$'),
  public_key text NOT NULL,
  private_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  PRIMARY KEY (municipality_id, kid),
  UNIQUE (kid)
);

CREATE TABLE IF NOT EXISTS certificates (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  dossier_id uuid NOT NULL,
  -- The document number printed on it and carried in its QR code, e.g. RUF-2026-00042-C1.
  number text NOT NULL CHECK (number ~ '^[A-Z]{3}-[0-9]{4}-[0-9]{5,}-C[0-9]+$'),
  kid text NOT NULL REFERENCES signing_keys (kid),
  token text NOT NULL,
  file_id uuid NOT NULL REFERENCES stored_files (id),
  pdf_sha256 text NOT NULL CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
  pdf_signature text NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_reason text NOT NULL DEFAULT '' CHECK (length(revoked_reason) <= 1000),
  revoked_by uuid REFERENCES users (id),
  PRIMARY KEY (municipality_id, id),
  UNIQUE (number),
  FOREIGN KEY (municipality_id, dossier_id) REFERENCES dossiers (municipality_id, id),
  CHECK (revoked_at IS NULL OR length(revoked_reason) > 0)
);
CREATE INDEX IF NOT EXISTS certificates_pdf ON certificates (pdf_sha256);

-- Citizen participation: processes and their phases, verified residents, proposals with their
-- supports and comment threads, flags for moderation, followers of a process.

CREATE TABLE IF NOT EXISTS processes (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  -- Who it concerns: the whole commune, a quarter, the young…
  scope text NOT NULL DEFAULT '' CHECK (length(scope) <= 200),
  -- Proposal categories offered in this process, one per line.
  categories text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  UNIQUE (municipality_id, slug)
);

CREATE TABLE IF NOT EXISTS process_phases (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  process_id uuid NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  -- What residents may do while the phase runs.
  proposals_open boolean NOT NULL DEFAULT false,
  supports_open boolean NOT NULL DEFAULT false,
  -- Followers are told once when the phase opens.
  opening_notified_at timestamptz,
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, process_id) REFERENCES processes (municipality_id, id) ON DELETE CASCADE,
  CHECK (ends_on >= starts_on)
);
CREATE INDEX IF NOT EXISTS process_phases_process ON process_phases (municipality_id, process_id, starts_on);

CREATE TABLE IF NOT EXISTS process_followers (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  process_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, process_id, user_id),
  FOREIGN KEY (municipality_id, process_id) REFERENCES processes (municipality_id, id) ON DELETE CASCADE
);

-- A verified resident of a municipality: by a code sent to their phone, or by an agent who saw
-- an identity document (who verified is kept, the document is not).
CREATE TABLE IF NOT EXISTS resident_verifications (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  user_id uuid NOT NULL REFERENCES users (id),
  method text NOT NULL CHECK (method IN ('sms_code', 'document')),
  verified_by uuid REFERENCES users (id),
  verified_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, user_id),
  CHECK (method = 'sms_code' OR verified_by IS NOT NULL)
);

CREATE TABLE IF NOT EXISTS resident_verification_codes (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  user_id uuid NOT NULL REFERENCES users (id),
  code_hash text NOT NULL,
  phone text NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  PRIMARY KEY (municipality_id, user_id)
);

CREATE TABLE IF NOT EXISTS proposals (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  process_id uuid NOT NULL,
  author_id uuid NOT NULL REFERENCES users (id),
  title text NOT NULL CHECK (length(title) BETWEEN 3 AND 150),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  category text NOT NULL DEFAULT '' CHECK (length(category) <= 100),
  location text NOT NULL DEFAULT '' CHECK (length(location) <= 200),
  photo_id uuid REFERENCES stored_files (id),
  status text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'evaluating', 'accepted', 'rejected', 'withdrawn')),
  answer text NOT NULL DEFAULT '' CHECK (length(answer) <= 10000),
  answered_at timestamptz,
  answered_by uuid REFERENCES users (id),
  hidden_at timestamptz,
  hidden_reason text NOT NULL DEFAULT '' CHECK (length(hidden_reason) <= 1000),
  hidden_by uuid REFERENCES users (id),
  supports_count integer NOT NULL DEFAULT 0,
  search_vector tsvector NOT NULL DEFAULT ''::tsvector,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, process_id) REFERENCES processes (municipality_id, id),
  CHECK ((status IN ('accepted', 'rejected') AND length(answer) > 0) OR status NOT IN ('accepted', 'rejected'))
);
CREATE INDEX IF NOT EXISTS proposals_process ON proposals (municipality_id, process_id, created_at DESC);
CREATE INDEX IF NOT EXISTS proposals_search ON proposals USING gin (search_vector);

CREATE OR REPLACE FUNCTION proposals_search_refresh() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('french', unaccent(NEW.title)), 'A') ||
    setweight(to_tsvector('portuguese', unaccent(NEW.title)), 'A') ||
    setweight(to_tsvector('french', unaccent(NEW.body)), 'B') ||
    setweight(to_tsvector('portuguese', unaccent(NEW.body)), 'B');
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS proposals_search_refresh ON proposals;
CREATE TRIGGER proposals_search_refresh BEFORE INSERT OR UPDATE OF title, body ON proposals
  FOR EACH ROW EXECUTE FUNCTION proposals_search_refresh();

-- One support per verified resident and proposal: the database refuses a second one, and a
-- support from someone not verified in the municipality.
CREATE TABLE IF NOT EXISTS proposal_supports (
  municipality_id uuid NOT NULL,
  proposal_id uuid NOT NULL,
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, proposal_id, user_id),
  FOREIGN KEY (municipality_id, proposal_id) REFERENCES proposals (municipality_id, id),
  FOREIGN KEY (municipality_id, user_id) REFERENCES resident_verifications (municipality_id, user_id)
);

CREATE TABLE IF NOT EXISTS proposal_comments (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  proposal_id uuid NOT NULL,
  parent_id uuid,
  author_id uuid NOT NULL REFERENCES users (id),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
  hidden_at timestamptz,
  hidden_reason text NOT NULL DEFAULT '' CHECK (length(hidden_reason) <= 1000),
  hidden_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, proposal_id) REFERENCES proposals (municipality_id, id),
  FOREIGN KEY (municipality_id, parent_id) REFERENCES proposal_comments (municipality_id, id)
);
CREATE INDEX IF NOT EXISTS proposal_comments_proposal ON proposal_comments (municipality_id, proposal_id, created_at);

CREATE TABLE IF NOT EXISTS content_flags (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  subject_type text NOT NULL CHECK (subject_type IN ('proposal', 'comment')),
  subject_id uuid NOT NULL,
  reporter_id uuid NOT NULL REFERENCES users (id),
  reason text NOT NULL CHECK (reason IN ('spam', 'offensive', 'personal_data', 'off_topic', 'other')),
  details text NOT NULL DEFAULT '' CHECK (length(details) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  PRIMARY KEY (municipality_id, id),
  UNIQUE (municipality_id, subject_type, subject_id, reporter_id)
);

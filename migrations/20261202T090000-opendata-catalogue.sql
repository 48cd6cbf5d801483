-- Open data catalogue: datasets, their resources (files or links) and the published versions.

CREATE TABLE IF NOT EXISTS datasets (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  -- DCAT-AP data themes (EU vocabulary codes: GOVE, ECON, EDUC, …).
  themes text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  licence text NOT NULL CHECK (licence IN ('odbl-1.0', 'cc-by-4.0', 'lo-2.0', 'cc0-1.0')),
  frequency text NOT NULL DEFAULT 'irregular'
    CHECK (frequency IN ('daily', 'weekly', 'monthly', 'quarterly', 'annual', 'irregular', 'never')),
  spatial text NOT NULL DEFAULT '' CHECK (length(spatial) <= 200),
  temporal_start date,
  temporal_end date,
  contact_name text NOT NULL DEFAULT '' CHECK (length(contact_name) <= 120),
  contact_email text NOT NULL DEFAULT '' CHECK (length(contact_email) <= 200),
  language text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'pt', 'en')),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  published_at timestamptz,
  version integer NOT NULL DEFAULT 0,
  search_vector tsvector NOT NULL DEFAULT ''::tsvector,
  created_by uuid REFERENCES users (id),
  updated_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  UNIQUE (municipality_id, slug),
  CHECK (status = 'draft' OR published_at IS NOT NULL),
  CHECK (temporal_end IS NULL OR temporal_start IS NULL OR temporal_end >= temporal_start)
);
CREATE INDEX IF NOT EXISTS datasets_search ON datasets USING gin (search_vector);
CREATE INDEX IF NOT EXISTS datasets_title_trgm ON datasets USING gin (title gin_trgm_ops);
CREATE INDEX IF NOT EXISTS datasets_published ON datasets (municipality_id, status, updated_at DESC);

-- Search text in French and Portuguese stemming, accents folded; computed by trigger because
-- unaccent() is not immutable and so cannot feed a generated column.
CREATE OR REPLACE FUNCTION datasets_search_refresh() RETURNS trigger AS $$
DECLARE
  body text := coalesce(NEW.description, '') || ' ' || array_to_string(NEW.tags, ' ');
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('french', unaccent(NEW.title)), 'A') ||
    setweight(to_tsvector('portuguese', unaccent(NEW.title)), 'A') ||
    setweight(to_tsvector('french', unaccent(body)), 'B') ||
    setweight(to_tsvector('portuguese', unaccent(body)), 'B');
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS datasets_search_refresh ON datasets;
CREATE TRIGGER datasets_search_refresh BEFORE INSERT OR UPDATE OF title, description, tags ON datasets
  FOR EACH ROW EXECUTE FUNCTION datasets_search_refresh();

CREATE TABLE IF NOT EXISTS dataset_resources (
  municipality_id uuid NOT NULL REFERENCES municipalities (id),
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  dataset_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  -- Either an uploaded file or a link to elsewhere.
  file_id uuid REFERENCES stored_files (id),
  url text CHECK (url IS NULL OR url ~ '^https?://'),
  format text NOT NULL CHECK (length(format) BETWEEN 1 AND 20),
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, id),
  FOREIGN KEY (municipality_id, dataset_id) REFERENCES datasets (municipality_id, id) ON DELETE CASCADE,
  CHECK ((file_id IS NULL) <> (url IS NULL))
);
CREATE INDEX IF NOT EXISTS dataset_resources_dataset ON dataset_resources (municipality_id, dataset_id, position);

-- Every published state of a dataset, with who published it, for its public history.
CREATE TABLE IF NOT EXISTS dataset_versions (
  municipality_id uuid NOT NULL,
  dataset_id uuid NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  snapshot jsonb NOT NULL,
  changed text[] NOT NULL DEFAULT '{}',
  published_by uuid REFERENCES users (id),
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, dataset_id, version),
  FOREIGN KEY (municipality_id, dataset_id) REFERENCES datasets (municipality_id, id) ON DELETE CASCADE
);

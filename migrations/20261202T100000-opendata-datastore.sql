-- The datastore: one typed table per tabular resource, in its own schema, described here.
CREATE SCHEMA IF NOT EXISTS datastore;

CREATE TABLE IF NOT EXISTS datastore_tables (
  municipality_id uuid NOT NULL,
  resource_id uuid NOT NULL,
  -- Name of the table in the datastore schema: r_ followed by the resource id's hex digits.
  table_name text NOT NULL CHECK (table_name ~ '^r_[0-9a-f]{32}$'),
  -- Frictionless Table Schema: { "fields": [{ "name", "title", "type" }] }.
  table_schema jsonb NOT NULL,
  row_count bigint NOT NULL CHECK (row_count >= 0),
  -- Data-quality report of the last load: encoding, delimiter, issues with line numbers.
  report jsonb NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (municipality_id, resource_id),
  FOREIGN KEY (municipality_id, resource_id) REFERENCES dataset_resources (municipality_id, id) ON DELETE CASCADE
);

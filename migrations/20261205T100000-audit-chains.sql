-- One audit chain per municipality and one for the network, instead of one for everything
-- (ADR 0008). The entries written before this migration keep their single chain, closed under
-- the name 'legacy': they verify exactly as before. New entries go to the chain of their
-- municipality (the municipality's id) or to 'network' (no municipality), each numbered from 1.
-- Daily checkpoints publish each chain's head, signed, so a truncation behind one is detected.

ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS chain text NOT NULL DEFAULT 'legacy';
ALTER TABLE audit_log ALTER COLUMN chain DROP DEFAULT;
ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_pkey;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (chain, seq);

-- One head per chain; the existing singleton row becomes the legacy chain's head.
ALTER TABLE audit_head ADD COLUMN IF NOT EXISTS chain text NOT NULL DEFAULT 'legacy';
ALTER TABLE audit_head ALTER COLUMN chain DROP DEFAULT;
ALTER TABLE audit_head DROP CONSTRAINT IF EXISTS audit_head_pkey;
ALTER TABLE audit_head DROP COLUMN IF EXISTS singleton;
ALTER TABLE audit_head ADD CONSTRAINT audit_head_pkey PRIMARY KEY (chain);

-- Ed25519 keys that sign checkpoints: one per municipality (signer = its id), one for the network
-- (signer = 'network', which also signs the legacy chain's checkpoints). Owned by core, apart
-- from the e-services keys that sign certificates.
CREATE TABLE IF NOT EXISTS audit_signing_keys (
  kid text PRIMARY KEY,
  signer text NOT NULL,
  municipality_id uuid,
  public_key text NOT NULL,
  private_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS audit_signing_keys_municipality ON audit_signing_keys (municipality_id, signer, created_at);

-- A chain's head as published on a day: its number, its hash, when, and the signature.
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  chain text NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  municipality_id uuid,
  hash text NOT NULL,
  at timestamptz NOT NULL,
  kid text NOT NULL,
  signature text NOT NULL,
  PRIMARY KEY (chain, seq)
);
CREATE INDEX IF NOT EXISTS audit_checkpoints_municipality ON audit_checkpoints (municipality_id, at);

CREATE OR REPLACE FUNCTION audit_checkpoints_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_checkpoints is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_checkpoints_append_only ON audit_checkpoints;
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_refuse_change();

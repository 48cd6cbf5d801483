-- Each municipality's own code for the references it gives citizens (RUF-2026-00042) and the
-- numbers of the documents it issues (RUF-2026-00042-C1). Certificate numbers are unique across
-- the network, so the code must be too: taking the first three letters of the address made
-- `rufisque` and `rufisque-nord` both RUF, and the second one's first certificate failed.
-- Existing municipalities keep the code they used (the first three letters); a later one that
-- shared it gets a digit (RUF2), so no reference already given out changes.
ALTER TABLE municipalities ADD COLUMN IF NOT EXISTS reference_code text;

UPDATE municipalities m SET reference_code = numbered.code
FROM (
  SELECT id,
         base || CASE WHEN rank = 1 THEN '' ELSE rank::text END AS code
  FROM (
    SELECT id, base, row_number() OVER (PARTITION BY base ORDER BY created_at, id) AS rank
    FROM (SELECT id, created_at, rpad(upper(left(regexp_replace(slug, '[^a-z]', '', 'g'), 3)), 3, 'X') AS base FROM municipalities) bases
  ) ranked
) numbered
WHERE numbered.id = m.id AND m.reference_code IS NULL;

ALTER TABLE municipalities ALTER COLUMN reference_code SET NOT NULL;
ALTER TABLE municipalities DROP CONSTRAINT IF EXISTS municipalities_reference_code_format;
ALTER TABLE municipalities ADD CONSTRAINT municipalities_reference_code_format CHECK (reference_code ~ '^[A-Z][A-Z0-9]{1,7}$');
CREATE UNIQUE INDEX IF NOT EXISTS municipalities_reference_code_key ON municipalities (reference_code);

-- References and document numbers follow the code, whatever its length.
ALTER TABLE dossiers DROP CONSTRAINT IF EXISTS dossiers_reference_check;
ALTER TABLE dossiers ADD CONSTRAINT dossiers_reference_check CHECK (reference ~ '^[A-Z][A-Z0-9]{1,7}-[0-9]{4}-[0-9]{5,}$');
ALTER TABLE certificates DROP CONSTRAINT IF EXISTS certificates_number_check;
ALTER TABLE certificates ADD CONSTRAINT certificates_number_check CHECK (number ~ '^[A-Z][A-Z0-9]{1,7}-[0-9]{4}-[0-9]{5,}-C[0-9]+$');

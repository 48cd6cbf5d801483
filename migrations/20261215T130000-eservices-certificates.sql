-- E-services certificates: who signed each one (office and name, as printed), and the short code
-- printed under its QR code that checks it by hand on /verify. Certificates issued before have
-- no code (their paper shows none) and an empty signatory. Safe to run twice.

ALTER TABLE certificates ADD COLUMN IF NOT EXISTS signatory_office text NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN IF NOT EXISTS signatory_name text NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN IF NOT EXISTS verification_code text;

-- Twelve characters of Crockford's base32, stored without the hyphens that group them on paper.
ALTER TABLE certificates DROP CONSTRAINT IF EXISTS certificates_verification_code_check;
ALTER TABLE certificates ADD CONSTRAINT certificates_verification_code_check CHECK (verification_code ~ '^[0-9A-HJKMNP-TV-Z]{12}$');
CREATE UNIQUE INDEX IF NOT EXISTS certificates_verification_code ON certificates (verification_code);

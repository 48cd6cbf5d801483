-- A municipality's identity colour, chosen by its administrator: it tints the header band of the
-- municipality's pages and its generated mark. NULL keeps the network's blue.
ALTER TABLE municipalities ADD COLUMN IF NOT EXISTS brand_color text;
ALTER TABLE municipalities DROP CONSTRAINT IF EXISTS municipalities_brand_color_format;
ALTER TABLE municipalities ADD CONSTRAINT municipalities_brand_color_format CHECK (brand_color ~ '^#[0-9a-f]{6}$');

-- Where the municipality's dot goes on the network's map (WGS 84 degrees), when known.
ALTER TABLE municipalities ADD COLUMN IF NOT EXISTS latitude double precision CHECK (latitude BETWEEN -90 AND 90);
ALTER TABLE municipalities ADD COLUMN IF NOT EXISTS longitude double precision CHECK (longitude BETWEEN -180 AND 180);

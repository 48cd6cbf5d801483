-- Participation: a process's proposal list reads through indexes at any size. Each sort has a
-- btree within (municipality, process) in its own order, so a page is an index scan that stops
-- at its LIMIT; a status or category filter has its own; the search reads the full-text index
-- and a trigram index of the title folded (lower case, accents removed). Safe to run twice.

-- The title folded, for "eau" to find "réseau d'eau" anywhere in it and "fontene" to come close to
-- "fontaine"; kept by the search trigger because unaccent() is not immutable and so can feed
-- neither a generated column nor an index expression.
ALTER TABLE proposals ADD COLUMN IF NOT EXISTS search_text text NOT NULL DEFAULT '';
CREATE OR REPLACE FUNCTION proposals_search_refresh() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('french', unaccent(NEW.title)), 'A') ||
    setweight(to_tsvector('portuguese', unaccent(NEW.title)), 'A') ||
    setweight(to_tsvector('french', unaccent(NEW.body)), 'B') ||
    setweight(to_tsvector('portuguese', unaccent(NEW.body)), 'B');
  NEW.search_text := lower(unaccent(NEW.title));
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
UPDATE proposals SET search_text = lower(unaccent(title)) WHERE search_text <> lower(unaccent(title));
CREATE INDEX IF NOT EXISTS proposals_search_text ON proposals USING gin (search_text gin_trgm_ops) WITH (fastupdate = off);

-- New entries go straight into the search indexes instead of a pending list: every search reads
-- that list in full until a VACUUM merges it, and PGlite runs no autovacuum (at 30,000 proposals
-- the list made a search ten times slower). Proposals are written at the pace people write them.
ALTER INDEX proposals_search SET (fastupdate = off);
SELECT gin_clean_pending_list('proposals_search'::regclass);

-- A random place of each proposal in the shuffled order. A seed picks where in that circle a
-- visitor starts, so the order holds page after page and a page is a range of this index; an
-- order computed from the seed (md5 of the id with it) would have to be computed for every
-- proposal of the process before the first page could be cut. Existing rows draw theirs here.
ALTER TABLE proposals ADD COLUMN IF NOT EXISTS shuffle_key integer NOT NULL DEFAULT floor(random() * 2147483647)::integer;

CREATE INDEX IF NOT EXISTS proposals_by_supports ON proposals (municipality_id, process_id, supports_count DESC, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS proposals_by_date ON proposals (municipality_id, process_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS proposals_by_shuffle ON proposals (municipality_id, process_id, shuffle_key);
CREATE INDEX IF NOT EXISTS proposals_by_status ON proposals (municipality_id, process_id, status);
CREATE INDEX IF NOT EXISTS proposals_by_category ON proposals (municipality_id, process_id, category);
-- proposals_by_date leads with the same columns and serves every query this one did.
DROP INDEX IF EXISTS proposals_process;

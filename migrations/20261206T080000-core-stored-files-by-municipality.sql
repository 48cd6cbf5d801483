-- Stored files are keyed by municipality like every other municipality-owned table: the key is
-- (municipality_id, id) and every table pointing at a file says which municipality's file it is,
-- so a row of one municipality can never point at another's file, and the table can later be
-- sharded by municipality with the rows that use it.
--
-- Files without a municipality. The platform has always stored every file for a municipality,
-- but the column was nullable. An unowned file that a row points at (a news item, a proposal, a
-- meeting photo, a dataset resource, a certificate, or a dossier's answers, which hold file ids
-- in JSON) takes that row's municipality. An unowned file that nothing points at cannot be
-- reached by any page or API, since every lookup names a municipality: its row is deleted (its
-- bytes stay on disk, where other rows may share them). Network-level data is not kept in
-- municipality tables with an empty key: the network's own tables (users, sessions, jobs…) are
-- keyed by their own id, and the audit names the network as a chain of its own. Should the
-- network come to store files, they get a table keyed that way, not a null municipality here.
--
-- A file pointed at by a row of another municipality is a tenancy breach that no code path
-- creates; rather than pick which municipality keeps it (and open it to the other), the migration
-- stops with the table's name, and changes nothing, for an operator to look at.
--
-- ON DELETE stays as it was (no action: a file still in use cannot be deleted). Safe to run twice.

UPDATE stored_files f SET municipality_id = owner.municipality_id
FROM (
  SELECT file_id, (array_agg(municipality_id ORDER BY municipality_id))[1] AS municipality_id
  FROM (
    SELECT municipality_id, attachment_id AS file_id FROM news WHERE attachment_id IS NOT NULL
    UNION SELECT municipality_id, photo_id FROM proposals WHERE photo_id IS NOT NULL
    UNION SELECT municipality_id, file_id FROM meeting_photos
    UNION SELECT municipality_id, file_id FROM dataset_resources WHERE file_id IS NOT NULL
    UNION SELECT municipality_id, file_id FROM certificates WHERE file_id IS NOT NULL
    UNION SELECT d.municipality_id, a.file_id::uuid
      FROM dossiers d, LATERAL (SELECT value #>> '{}' AS file_id FROM jsonb_path_query(d.answers, 'strict $.**.fileId') AS value) a
      WHERE a.file_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  ) referencing
  GROUP BY file_id
) owner
WHERE f.id = owner.file_id AND f.municipality_id IS NULL;

DO $$
DECLARE
  breach record;
BEGIN
  FOR breach IN
    SELECT 'news' AS source, count(*) AS n FROM news r JOIN stored_files f ON f.id = r.attachment_id WHERE f.municipality_id <> r.municipality_id
    UNION ALL SELECT 'proposals', count(*) FROM proposals r JOIN stored_files f ON f.id = r.photo_id WHERE f.municipality_id <> r.municipality_id
    UNION ALL SELECT 'meeting_photos', count(*) FROM meeting_photos r JOIN stored_files f ON f.id = r.file_id WHERE f.municipality_id <> r.municipality_id
    UNION ALL SELECT 'dataset_resources', count(*) FROM dataset_resources r JOIN stored_files f ON f.id = r.file_id WHERE f.municipality_id <> r.municipality_id
    UNION ALL SELECT 'certificates', count(*) FROM certificates r JOIN stored_files f ON f.id = r.file_id WHERE f.municipality_id <> r.municipality_id
  LOOP
    IF breach.n > 0 THEN
      RAISE EXCEPTION '% row(s) of % point at a stored file of another municipality', breach.n, breach.source;
    END IF;
  END LOOP;
END;
$$;

DELETE FROM stored_files WHERE municipality_id IS NULL;
ALTER TABLE stored_files ALTER COLUMN municipality_id SET NOT NULL;

-- The single-column keys go first: they hang on the primary key being replaced.
ALTER TABLE news DROP CONSTRAINT IF EXISTS news_attachment_id_fkey;
ALTER TABLE proposals DROP CONSTRAINT IF EXISTS proposals_photo_id_fkey;
ALTER TABLE meeting_photos DROP CONSTRAINT IF EXISTS meeting_photos_file_id_fkey;
ALTER TABLE dataset_resources DROP CONSTRAINT IF EXISTS dataset_resources_file_id_fkey;
ALTER TABLE certificates DROP CONSTRAINT IF EXISTS certificates_file_id_fkey;
ALTER TABLE news DROP CONSTRAINT IF EXISTS news_municipality_id_attachment_id_fkey;
ALTER TABLE proposals DROP CONSTRAINT IF EXISTS proposals_municipality_id_photo_id_fkey;
ALTER TABLE meeting_photos DROP CONSTRAINT IF EXISTS meeting_photos_municipality_id_file_id_fkey;
ALTER TABLE dataset_resources DROP CONSTRAINT IF EXISTS dataset_resources_municipality_id_file_id_fkey;
ALTER TABLE certificates DROP CONSTRAINT IF EXISTS certificates_municipality_id_file_id_fkey;

ALTER TABLE stored_files DROP CONSTRAINT IF EXISTS stored_files_pkey;
ALTER TABLE stored_files ADD CONSTRAINT stored_files_pkey PRIMARY KEY (municipality_id, id);
-- The primary key now serves the lookups this index was made for.
DROP INDEX IF EXISTS stored_files_municipality;

ALTER TABLE news ADD CONSTRAINT news_municipality_id_attachment_id_fkey
  FOREIGN KEY (municipality_id, attachment_id) REFERENCES stored_files (municipality_id, id);
ALTER TABLE proposals ADD CONSTRAINT proposals_municipality_id_photo_id_fkey
  FOREIGN KEY (municipality_id, photo_id) REFERENCES stored_files (municipality_id, id);
ALTER TABLE meeting_photos ADD CONSTRAINT meeting_photos_municipality_id_file_id_fkey
  FOREIGN KEY (municipality_id, file_id) REFERENCES stored_files (municipality_id, id);
ALTER TABLE dataset_resources ADD CONSTRAINT dataset_resources_municipality_id_file_id_fkey
  FOREIGN KEY (municipality_id, file_id) REFERENCES stored_files (municipality_id, id);
ALTER TABLE certificates ADD CONSTRAINT certificates_municipality_id_file_id_fkey
  FOREIGN KEY (municipality_id, file_id) REFERENCES stored_files (municipality_id, id);

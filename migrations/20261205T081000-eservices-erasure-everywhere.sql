-- Erasure after retention reaches every copy: a certificate keeps its number, dates and the
-- signature of its PDF's digest (so that a paper copy, or the PDF the holder kept, still checks),
-- but its PDF file and its token (which carries the holder's key fields) are removed.
ALTER TABLE certificates ALTER COLUMN file_id DROP NOT NULL;

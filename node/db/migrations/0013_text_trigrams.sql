-- Trigram indexes (pg_trgm) for the text people search in: file names and folders, descriptions,
-- keywords and the text read in photos. Smart search's words, metadata search's originalFileName,
-- originalPath and description, and the OCR search are all `ILIKE '%word%'`, which no b-tree can
-- answer: without these every search read every asset (0.3 s on PostgreSQL and 0.4 s on PGlite at
-- 100,000 assets for one word). pg_trgm ships with PostgreSQL (Debian's postgresql-15, the official
-- and Immich's images) and is a trusted extension; PGlite loads it (node/db/pglite.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- An asset's keywords as one text, for an index: array_to_string is only STABLE (arrays in general),
-- but of text[] it is immutable. Declared IMMUTABLE so the index can hold it (and not inlined, so a
-- query written with it matches the index).
CREATE FUNCTION hearth_keywords_text(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_to_string($1, ' ') $$;

CREATE INDEX assets_file_name_trgm ON assets USING gin (original_file_name gin_trgm_ops);
CREATE INDEX assets_path_trgm ON assets USING gin (original_path gin_trgm_ops);
CREATE INDEX asset_exif_description_trgm ON asset_exif USING gin (description gin_trgm_ops);
CREATE INDEX asset_exif_keywords_trgm ON asset_exif USING gin (hearth_keywords_text(keywords) gin_trgm_ops);
CREATE INDEX ocr_search_text_trgm ON ocr_search USING gin (text gin_trgm_ops);

-- External libraries (shares indexed in place): what keeps a rescan cheap, exact and crash-safe.

-- One asset per file of a library. assets.original_path is already unique across all assets (0001);
-- this states the invariant the scanner relies on where the library code owns it.
CREATE UNIQUE INDEX assets_library_path ON assets (library_id, original_path) WHERE library_id IS NOT NULL;

-- A library asset's folder (its path up to the last slash): a changed folder's assets are fetched by it.
CREATE INDEX assets_library_folder ON assets (library_id, (left(original_path, length(original_path) - strpos(reverse(original_path), '/')))) WHERE library_id IS NOT NULL;

-- The sidecar's mtime as last seen, so an edited XMP file sends the asset back to metadata extraction.
ALTER TABLE assets ADD COLUMN sidecar_mtime_ms double precision;

-- Every folder of a library that holds (or held) its assets, with a fingerprint of what the last
-- scan saw there: the names, sizes, mtimes and inodes of its media files and sidecars. A rescan
-- recomputes it from stats alone and leaves a folder whose fingerprint matches untouched, without
-- reading its assets from the database. NULL means "look again": written in the same transaction
-- as the first asset of a folder, replaced by the fingerprint once the whole folder is indexed.
CREATE TABLE library_folders (
  library_id uuid NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
  path text NOT NULL,
  fingerprint bytea,
  -- Media files seen there by the last scan (a rescan's progress estimate, without counting assets).
  files integer NOT NULL DEFAULT 0,
  PRIMARY KEY (library_id, path)
);

-- An asset row deleted by anyone (emptying the trash) makes its folder be looked at again, so a file
-- still on the share comes back, as in Immich.
CREATE FUNCTION library_folders_invalidate () RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE library_folders f SET fingerprint = NULL FROM (SELECT DISTINCT library_id, left(original_path, length(original_path) - strpos(reverse(original_path), '/')) AS path FROM gone WHERE library_id IS NOT NULL) g WHERE f.library_id = g.library_id AND f.path = g.path AND f.fingerprint IS NOT NULL; RETURN NULL; END $$;

CREATE TRIGGER assets_deleted_invalidate_library_folders AFTER DELETE ON assets
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION library_folders_invalidate();

-- Library assets written before this migration: their folders are looked at by the next scan.
INSERT INTO library_folders (library_id, path)
  SELECT DISTINCT library_id, left(original_path, length(original_path) - strpos(reverse(original_path), '/'))
  FROM assets WHERE library_id IS NOT NULL;

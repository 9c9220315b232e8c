-- Metadata the owner set in Hearth (a description, a rating) is listed in locked_properties: a later
-- read of the file's metadata (a rescan of a changed file, a forced re-run) keeps the owner's value
-- instead of the file's. The file itself is never written (Immich's lockedProperties, without the
-- sidecar write: Hearth does not touch a share).
ALTER TABLE asset_exif ADD COLUMN locked_properties text[] NOT NULL DEFAULT '{}';

-- A RAW file and the JPEG (or HEIC) the camera wrote beside it share a folder and a name: Hearth
-- stacks them as they arrive (stacks/repo.ts autoStackPairs). This finds an asset's namesakes.
CREATE INDEX assets_path_stem ON assets (owner_id, lower(regexp_replace(original_path, '\.[^./]*$', '')));

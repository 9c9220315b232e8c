-- The folder view (Immich's /api/view/folder): an owner's folders, and one folder's assets, by the
-- folder part of original_path (the expression of assets_library_folder, 0003, for every asset:
-- uploads as well as the shares' files).
CREATE INDEX assets_owner_folder ON assets (owner_id, (left(original_path, length(original_path) - strpos(reverse(original_path), '/'))));

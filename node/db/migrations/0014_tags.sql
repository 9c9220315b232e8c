-- Tags (Immich's): a user's own labels, nested by "/" ("Family/Grandma"), given to their assets.
-- `value` is the whole path, unique per user; `name` the last part. A parent is made with its
-- child, and deleting a tag deletes the tags below it. The files' own keywords stay in
-- asset_exif.keywords, read from the files; tags are what the owner gives in Hearth.
CREATE TABLE tags (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  value text NOT NULL CHECK (value <> '' AND length(value) <= 1000),
  parent_id uuid REFERENCES tags (id) ON DELETE CASCADE,
  color text CHECK (color IS NULL OR color ~ '^#[0-9a-fA-F]{6}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner_id, value)
);
CREATE INDEX tags_parent ON tags (parent_id);

CREATE TABLE tag_assets (
  tag_id uuid NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  asset_id uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tag_id, asset_id)
);
CREATE INDEX tag_assets_asset ON tag_assets (asset_id);

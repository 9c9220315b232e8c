-- Immich's INDIVIDUAL shared links: a public link to photos chosen one by one, not to an album.
ALTER TABLE shared_links DROP CONSTRAINT shared_links_type_check;
ALTER TABLE shared_links ADD CONSTRAINT shared_links_type_check CHECK (type IN ('ALBUM', 'INDIVIDUAL'));
CREATE TABLE shared_link_assets (
  link_id uuid NOT NULL REFERENCES shared_links (id) ON DELETE CASCADE,
  asset_id uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (link_id, asset_id)
);
CREATE INDEX shared_link_assets_asset ON shared_link_assets (asset_id);

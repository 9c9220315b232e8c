-- Immich's album activity: likes and comments on an album or on one of its photos, by the people
-- it is shared with. A like is kept once per person and photo (or album); the owner may turn
-- activity off for an album.
CREATE TABLE activities (
  id uuid PRIMARY KEY,
  album_id uuid NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
  asset_id uuid REFERENCES assets (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  is_liked boolean NOT NULL,
  comment text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((comment IS NULL) = is_liked)
);
CREATE INDEX activities_album ON activities (album_id, created_at);
CREATE UNIQUE INDEX activities_like_once ON activities (album_id, user_id, coalesce(asset_id, '00000000-0000-0000-0000-000000000000'::uuid)) WHERE is_liked;
ALTER TABLE albums ADD COLUMN is_activity_enabled boolean NOT NULL DEFAULT true;

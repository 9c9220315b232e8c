-- Sharing: albums shared with household users (viewer or editor), an album's sort order, and
-- public links. A link's key is looked up by its SHA-256 (so a guess learns nothing from timing);
-- the key itself is kept only sealed (AES-256-GCM) with a node secret in keys/, for the owner to copy.
CREATE TABLE album_users (
  album_id uuid NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('editor', 'viewer')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (album_id, user_id)
);
CREATE INDEX album_users_user ON album_users (user_id);

ALTER TABLE albums ADD COLUMN asset_order text NOT NULL DEFAULT 'desc' CHECK (asset_order IN ('asc', 'desc'));

CREATE TABLE shared_links (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('ALBUM')),
  album_id uuid REFERENCES albums (id) ON DELETE CASCADE,
  key_hash bytea NOT NULL UNIQUE,
  key_sealed bytea NOT NULL,
  password_hash text,
  description text,
  expires_at timestamptz,
  allow_download boolean NOT NULL DEFAULT true,
  allow_upload boolean NOT NULL DEFAULT false,
  show_metadata boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shared_links_owner ON shared_links (owner_id);
CREATE INDEX shared_links_album ON shared_links (album_id);

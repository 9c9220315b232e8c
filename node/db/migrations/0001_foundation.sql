-- Foundation: users, sessions, API keys, assets, albums, and the upload journal.
-- One dialect for PGlite (PostgreSQL 18 in WebAssembly) and PostgreSQL 15+: nothing newer than 15.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  password_hash text NOT NULL,
  is_admin boolean NOT NULL DEFAULT false,
  storage_label text,
  quota_size_in_bytes bigint CHECK (quota_size_in_bytes IS NULL OR quota_size_in_bytes >= 0),
  quota_usage_in_bytes bigint NOT NULL DEFAULT 0,
  should_change_password boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  device_type text NOT NULL DEFAULT '',
  device_os text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  key_hash bytea NOT NULL UNIQUE,
  permissions text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_user_id ON api_keys (user_id);

CREATE TABLE assets (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  device_asset_id text NOT NULL DEFAULT '',
  device_id text NOT NULL DEFAULT '',
  type text NOT NULL CHECK (type IN ('IMAGE', 'VIDEO', 'AUDIO', 'OTHER')),
  original_path text NOT NULL UNIQUE,
  original_file_name text NOT NULL,
  sidecar_path text,
  mime_type text NOT NULL,
  checksum_sha1 bytea NOT NULL,
  checksum_sha256 bytea NOT NULL,
  file_size bigint NOT NULL,
  file_created_at timestamptz NOT NULL,
  file_modified_at timestamptz NOT NULL,
  local_date_time timestamptz NOT NULL,
  is_favorite boolean NOT NULL DEFAULT false,
  visibility text NOT NULL DEFAULT 'timeline' CHECK (visibility IN ('timeline', 'archive', 'hidden', 'locked')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
-- One asset per content per user: concurrent uploads of one file race on this index.
CREATE UNIQUE INDEX assets_owner_sha1_key ON assets (owner_id, checksum_sha1);
CREATE INDEX assets_owner_sha256 ON assets (owner_id, checksum_sha256);
CREATE INDEX assets_owner_time ON assets (owner_id, file_created_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX assets_trash ON assets (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE albums (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  album_name text NOT NULL,
  description text NOT NULL DEFAULT '',
  album_thumbnail_asset_id uuid REFERENCES assets (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX albums_owner ON albums (owner_id);

CREATE TABLE album_assets (
  album_id uuid NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
  asset_id uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (album_id, asset_id)
);
CREATE INDEX album_assets_asset ON album_assets (asset_id);

-- The upload journal: written before an original is moved into the library and removed in the
-- transaction that records the asset, so a crash between the two is found and undone at start-up.
CREATE TABLE upload_intents (
  id uuid PRIMARY KEY,
  final_path text NOT NULL,
  sidecar_path text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Ingest: durable jobs, metadata, generated files, external libraries (shares indexed in place).

CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  queue text NOT NULL,
  name text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  -- At most one waiting or active job per (queue, dedupe_key): enqueueing the same work twice is a no-op.
  dedupe_key text,
  priority integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'active', 'completed', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3,
  run_at timestamptz NOT NULL DEFAULT now(),
  locked_at timestamptz,
  progress real,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX jobs_ready ON jobs (queue, priority DESC, run_at, id) WHERE status = 'waiting';
CREATE INDEX jobs_status ON jobs (queue, status);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (queue, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('waiting', 'active');

CREATE TABLE job_queues (
  queue text PRIMARY KEY,
  paused boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE libraries (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  import_paths text[] NOT NULL DEFAULT '{}',
  exclusion_patterns text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  refreshed_at timestamptz
);

ALTER TABLE assets ADD COLUMN library_id uuid REFERENCES libraries (id) ON DELETE CASCADE;
ALTER TABLE assets ADD COLUMN is_offline boolean NOT NULL DEFAULT false;
ALTER TABLE assets ADD COLUMN offline_since timestamptz;
-- For shares: what the last scan saw, so an unchanged file is recognised from a stat alone.
ALTER TABLE assets ADD COLUMN file_inode bigint;
ALTER TABLE assets ADD COLUMN file_mtime_ms double precision;
-- Ingest state: pending until metadata and thumbnails are done; failed with a reason a user can read.
ALTER TABLE assets ADD COLUMN ingest_status text NOT NULL DEFAULT 'pending' CHECK (ingest_status IN ('pending', 'ready', 'failed'));
ALTER TABLE assets ADD COLUMN failure_reason text;
ALTER TABLE assets ADD COLUMN thumbhash bytea;
ALTER TABLE assets ADD COLUMN thumbnail_path text;
ALTER TABLE assets ADD COLUMN preview_path text;
ALTER TABLE assets ADD COLUMN encoded_video_path text;
ALTER TABLE assets ADD COLUMN duration_seconds double precision;
ALTER TABLE assets ADD COLUMN live_photo_video_id uuid REFERENCES assets (id) ON DELETE SET NULL;
ALTER TABLE assets ADD COLUMN width integer;
ALTER TABLE assets ADD COLUMN height integer;

-- Uploads stay one asset per content per user; a share may hold the same photo twice (two paths).
DROP INDEX assets_owner_sha1_key;
CREATE UNIQUE INDEX assets_owner_sha1_key ON assets (owner_id, checksum_sha1) WHERE library_id IS NULL;
CREATE INDEX assets_library ON assets (library_id) WHERE library_id IS NOT NULL;
CREATE INDEX assets_owner_local_time ON assets (owner_id, local_date_time DESC) WHERE deleted_at IS NULL;

CREATE TABLE asset_exif (
  asset_id uuid PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
  date_time_original timestamptz,
  time_zone text,
  latitude double precision,
  longitude double precision,
  city text,
  state text,
  country text,
  make text,
  model text,
  lens_model text,
  f_number real,
  exposure_time text,
  iso integer,
  focal_length real,
  orientation integer,
  rating integer,
  description text,
  keywords text[] NOT NULL DEFAULT '{}',
  exif_image_width integer,
  exif_image_height integer,
  projection_type text,
  live_photo_cid text,
  fps real,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX asset_exif_make_model ON asset_exif (make, model);
CREATE INDEX asset_exif_city ON asset_exif (city);
CREATE INDEX asset_exif_live_cid ON asset_exif (live_photo_cid) WHERE live_photo_cid IS NOT NULL;
CREATE INDEX assets_pending ON assets (id) WHERE ingest_status = 'pending' AND deleted_at IS NULL;

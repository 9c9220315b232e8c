-- Faces and people. A face is a box on an asset's preview (pixels of that image, with its size,
-- as Immich's asset_face stores it) with its detection score; its embedding lives in face_search
-- (HNSW, cosine). A person belongs to one user: the owner of every asset its faces are on.

CREATE TABLE people (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL DEFAULT '',
  birth_date date,
  is_hidden boolean NOT NULL DEFAULT false,
  is_favorite boolean NOT NULL DEFAULT false,
  -- The feature face (asset_faces.id): its crop is the person's thumbnail.
  face_asset_id uuid,
  -- Relative to the data folder; empty until the thumbnail is first made.
  thumbnail_path text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX people_owner ON people (owner_id, is_hidden);

CREATE TABLE asset_faces (
  id uuid PRIMARY KEY,
  asset_id uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  person_id uuid REFERENCES people (id) ON DELETE SET NULL,
  image_width integer NOT NULL,
  image_height integer NOT NULL,
  bounding_box_x1 integer NOT NULL,
  bounding_box_y1 integer NOT NULL,
  bounding_box_x2 integer NOT NULL,
  bounding_box_y2 integer NOT NULL,
  score real NOT NULL DEFAULT 0,
  source_type text NOT NULL DEFAULT 'machine-learning' CHECK (source_type IN ('machine-learning', 'exif', 'manual')),
  is_hidden boolean NOT NULL DEFAULT false,
  -- Deleted by the user: kept (so a re-run of detection does not bring it back) but not shown.
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX asset_faces_asset ON asset_faces (asset_id);
CREATE INDEX asset_faces_person ON asset_faces (person_id) WHERE deleted_at IS NULL;

ALTER TABLE people ADD CONSTRAINT people_face_asset_fk FOREIGN KEY (face_asset_id) REFERENCES asset_faces (id) ON DELETE SET NULL;

CREATE TABLE face_search (
  face_id uuid PRIMARY KEY REFERENCES asset_faces (id) ON DELETE CASCADE,
  embedding vector(512) NOT NULL
);
CREATE INDEX face_search_embedding ON face_search USING hnsw (embedding vector_cosine_ops);

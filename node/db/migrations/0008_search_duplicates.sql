-- Smart search (CLIP embeddings) and duplicates (perceptual hashes, groups, dismissals).

-- One CLIP ViT-B-32 image embedding per asset, L2-normalised. HNSW with cosine distance (`<=>`);
-- queries set hnsw.ef_search for the recall they need (see bench/ml/README.md).
CREATE TABLE smart_search (
  asset_id uuid PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
  embedding vector(512) NOT NULL
);
CREATE INDEX smart_search_embedding ON smart_search USING hnsw (embedding vector_cosine_ops);

-- A 64-bit DCT perceptual hash of each image's preview (bit i = coefficient i above the median),
-- compared by Hamming distance. Stored as a signed bigint (the bit pattern as it is).
CREATE TABLE asset_phash (
  asset_id uuid PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
  phash bigint NOT NULL
);

-- Immich's shape: assets of one duplicate group share a duplicate_id.
ALTER TABLE assets ADD COLUMN duplicate_id uuid;
CREATE INDEX assets_duplicate ON assets (owner_id, duplicate_id) WHERE duplicate_id IS NOT NULL;

-- Pairs a user said are not duplicates (a dismissed group): detection never groups them again.
-- asset_a < asset_b, so each pair is stored once.
CREATE TABLE duplicate_dismissals (
  asset_a uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  asset_b uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  dismissed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (asset_a, asset_b),
  CHECK (asset_a < asset_b)
);
CREATE INDEX duplicate_dismissals_b ON duplicate_dismissals (asset_b);

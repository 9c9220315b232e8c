-- Text in photos (OCR): one row per recognised line with its box, and one searchable text per asset.

CREATE TABLE asset_ocr (
  id uuid PRIMARY KEY,
  asset_id uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  -- Corners (top-left, top-right, bottom-right, bottom-left) as fractions of the upright image's width and height.
  x1 real NOT NULL, y1 real NOT NULL,
  x2 real NOT NULL, y2 real NOT NULL,
  x3 real NOT NULL, y3 real NOT NULL,
  x4 real NOT NULL, y4 real NOT NULL,
  box_score real NOT NULL,
  text_score real NOT NULL,
  text text NOT NULL
);
CREATE INDEX asset_ocr_asset ON asset_ocr (asset_id);

-- The asset's lines joined, for search. 'simple' splits words and lowercases them without any
-- language's stemming or stop words, so Turkish, Japanese and English text are all found as written.
CREATE TABLE ocr_search (
  asset_id uuid PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
  text text NOT NULL,
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED
);
CREATE INDEX ocr_search_words ON ocr_search USING gin (search);

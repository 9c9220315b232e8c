-- Which model produced each embedding. Vectors of two models live in different spaces: a distance
-- between them means nothing, so every reader (clustering, face neighbours, smart search, CLIP
-- duplicates) compares only vectors of one model. Names are stable (node/ml/embedding-models.ts):
-- 'lite/fr_feature' (the lite pack's face embedder), 'buffalo_l' (InsightFace ArcFace, Immich's),
-- 'ViT-B-32__openai' (CLIP); a remote ML server's vectors carry the model name Hearth asked it for.
--
-- Rows already stored were written by the code before this migration: faces by the lite pack
-- (a remote server's faces were stored the same way, indistinguishably; re-run face detection
-- with force if HEARTH_ML_URLS pointed at an Immich server), CLIP by ViT-B-32__openai.
-- The defaults only fill those rows: every writer names its model from now on.

ALTER TABLE face_search ADD COLUMN model text NOT NULL DEFAULT 'lite/fr_feature';
ALTER TABLE face_search ALTER COLUMN model DROP DEFAULT;
-- A model's share of the faces: with few rows of a model (a re-run under way) the planner reads
-- them through this index exactly instead of filtering the HNSW index's candidates.
CREATE INDEX face_search_model ON face_search (model);

ALTER TABLE smart_search ADD COLUMN model text NOT NULL DEFAULT 'ViT-B-32__openai';
ALTER TABLE smart_search ALTER COLUMN model DROP DEFAULT;
CREATE INDEX smart_search_model ON smart_search (model);

/**
 * The names recorded with every embedding (`face_search.model`, `smart_search.model`, migration
 * 0010). Two models' vectors live in different spaces, so readers compare only vectors with the
 * same name. A name says which weights produced the vector, not where they ran: Immich's
 * buffalo_l on a remote server and the same weights run here are one space, one name.
 *
 * | name | vectors of |
 * | --- | --- |
 * | `lite/fr_feature` | the lite pack's face embedder (faces/analyzer.ts), run here |
 * | `buffalo_l` | InsightFace buffalo_l (ArcFace w600k_r50), as an Immich ML server runs it |
 * | `ViT-B-32__openai` | CLIP ViT-B/32 (OpenAI weights): the immich pack here, or a remote server |
 * | anything else | a remote server's: the `modelName` Hearth asked it for (machineLearning.facialRecognition.modelName) |
 *
 * A Hearth ML server names the model behind each answer (`x-hearth-ml-models`, protocol.ts); the
 * client records that name, which must be one of `EMBEDDING_MODELS` with the vectors' size. An
 * Immich server does not say: the name asked for is recorded.
 *
 * @example
 * await repo.upsert(assetId, embedding, CLIP_MODEL)
 */

/** The lite pack's face embedder (fr_feature.onnx). */
export const LITE_FACE_MODEL = 'lite/fr_feature'

/** The face model asked of a remote server when the settings name none (Immich's default). */
export const DEFAULT_REMOTE_FACE_MODEL = 'buffalo_l'

/** The CLIP pair Hearth runs (the immich pack) and asks remote servers for: image and text share this name. */
export const CLIP_MODEL = 'ViT-B-32__openai'

export type EmbeddingTask = 'facial-recognition' | 'clip'

/**
 * The embedding models Hearth knows: which task makes them and their vectors' size (the vector
 * columns hold 512). A Hearth ML server's reply may name only these (protocol.ts `replyModel`).
 */
export const EMBEDDING_MODELS: Readonly<Record<string, { task: EmbeddingTask, dimensions: number }>> = {
  [LITE_FACE_MODEL]: { task: 'facial-recognition', dimensions: 512 },
  [DEFAULT_REMOTE_FACE_MODEL]: { task: 'facial-recognition', dimensions: 512 },
  [CLIP_MODEL]: { task: 'clip', dimensions: 512 },
}

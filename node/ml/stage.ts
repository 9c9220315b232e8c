/**
 * The contract between the ML pipeline and each ML capability (faces, OCR, CLIP, duplicates).
 *
 * The pipeline (node/ml/service.ts) enqueues every available stage for an asset once its preview
 * exists, runs each on its Immich queue, and records `(asset, stage, version)` as done after the
 * stage's `run` returns, so a restart never repeats finished work and a bumped `version` (a new
 * model) redoes it. A stage stores its results idempotently (replace that asset's rows in one
 * transaction), so a crash between its write and the pipeline's record only repeats that asset.
 *
 * @example
 * export function faceStage (deps): MlStage {
 *   return { name: 'faces', version: 1, queue: 'faceDetection',
 *     available: async () => models.ready('lite', ['face-detector', 'face-embedder']),
 *     async run (asset, { signal }) { ... } }
 * }
 */
import type { QueueName } from '../jobs/queues.ts'

export interface MlAsset {
  id: string
  ownerId: string
  type: 'IMAGE' | 'VIDEO'
  /** Absolute path of the JPEG preview (upright, long side about 1440 px); for a video, a frame of it. */
  previewPath: string
  originalPath: string
  width: number | null
  height: number | null
}

export interface MlStage {
  /** Unique name, recorded with each asset it has processed. */
  name: string
  /** Bump when the results would differ (a new model, a fixed decoder): every asset is redone. */
  version: number
  queue: Extract<QueueName, 'faceDetection' | 'facialRecognition' | 'smartSearch' | 'ocr' | 'duplicateDetection'>
  /** Stages that must have run on the asset first (by name). */
  after?: string[]
  /** Whether the stage can run now (its models are present, or a remote ML server answers). */
  available(): Promise<boolean>
  run(asset: MlAsset, ctx: { signal: AbortSignal }): Promise<void>
  /**
   * Called when an admin forces a re-run (Immich's `PUT /api/jobs/<queue>` with `force`), before
   * every asset's record of this stage is forgotten: undo what a per-asset re-run would not
   * (clustering releases unnamed people's faces, so they are grouped again from scratch).
   */
  reset?(): Promise<void>
}

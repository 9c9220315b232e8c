/**
 * Immich's machine-learning protocol, as its server speaks to its `immich-machine-learning`
 * service (server/src/repositories/machine-learning.repository.ts in immich-app/immich):
 * `POST /predict` with a multipart form of `entries` (JSON: task → type → { modelName, options })
 * and an `image` file or a `text` field; `GET /ping` answers "pong". Embeddings travel as JSON
 * text ("[0.1,0.2,...]"), which is what pgvector reads. Hearth's ML server answers it at
 * `/ml/predict` and `/ml/ping`, and its client (`ml.remote`) sends it.
 */

export type ModelTask = 'clip' | 'facial-recognition' | 'ocr'

export interface BoundingBox { x1: number, y1: number, x2: number, y2: number }

/** One face, as Immich's ML service returns it: box in the image's pixels, embedding as JSON text. */
export interface ImmichFace { boundingBox: BoundingBox, embedding: string, score: number }

export interface DetectedFaces { imageWidth: number, imageHeight: number, faces: ImmichFace[] }

/** OCR, as Immich's ML service returns it: parallel arrays, `box` holding 8 numbers (4 corners x,y, as fractions of the image's width and height) per line. */
export interface ImmichOcr { text: string[], box: number[], boxScore: number[], textScore: number[] }

export interface PredictEntries {
  clip?: { visual?: { modelName: string }, textual?: { modelName: string, options?: { language?: string } } }
  'facial-recognition'?: {
    detection: { modelName: string, options?: { minScore?: number } }
    recognition: { modelName: string }
  }
  ocr?: {
    detection: { modelName: string, options?: { minScore?: number, maxResolution?: number } }
    recognition: { modelName: string, options?: { minScore?: number } }
  }
}

/** Parses a 512-d (or any) embedding as Immich sends it ("[0.1,...]"). */
export function parseEmbedding (text: string): Float32Array {
  const values = JSON.parse(text) as unknown
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'number')) throw new Error('an embedding must be a JSON array of numbers')
  return Float32Array.from(values as number[])
}

/** Formats an embedding as Immich sends it. */
export function formatEmbedding (v: ArrayLike<number>): string {
  return `[${Array.from(v, (x) => Number.isFinite(x) ? String(Math.fround(x)) : '0').join(',')}]`
}

/**
 * What a stage can ask of a remote ML server (one or more `HEARTH_ML_URLS`, or none). Each call
 * tries the healthy servers first and throws `RemoteUnavailableError` when no server could answer,
 * so the stage can fall back to its local model.
 */
export interface RemoteMl {
  /** Whether at least one server is configured and was healthy at the last check. */
  available(): boolean
  /** Applies the admin's settings (machineLearning.urls, availabilityChecks); optional. */
  configure?(settings: { enabled: boolean, urls: string[], availabilityChecks: { enabled: boolean, timeout: number, interval: number } }): void
  clip: {
    encodeImage(image: Buffer, o?: { modelName?: string, signal?: AbortSignal }): Promise<Float32Array>
    encodeText(text: string, o?: { modelName?: string, language?: string, signal?: AbortSignal }): Promise<Float32Array>
  }
  faces: {
    detect(image: Buffer, o?: { modelName?: string, minScore?: number, signal?: AbortSignal }): Promise<DetectedFaces>
  }
  ocr: {
    read(image: Buffer, o?: { modelName?: string, minDetectionScore?: number, minRecognitionScore?: number, maxResolution?: number, signal?: AbortSignal }): Promise<ImmichOcr & { imageWidth: number, imageHeight: number }>
  }
}

/** No remote ML server could answer (none configured, or all failed). */
export class RemoteUnavailableError extends Error {
  constructor (message: string, options?: { cause?: unknown }) { super(message, options); this.name = 'RemoteUnavailableError' }
}

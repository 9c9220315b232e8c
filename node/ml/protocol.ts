/**
 * Immich's machine-learning protocol, as its server speaks to its `immich-machine-learning`
 * service (server/src/repositories/machine-learning.repository.ts in immich-app/immich):
 * `POST /predict` with a multipart form of `entries` (JSON: task → type → { modelName, options })
 * and an `image` file or a `text` field; `GET /ping` answers "pong". Embeddings travel as JSON
 * text ("[0.1,0.2,...]"), which is what pgvector reads. Hearth's ML server answers it at
 * `/ml/predict` and `/ml/ping`, and its client (`ml.remote`) sends it.
 *
 * Hearth's server adds one header, `x-hearth-ml-models` (`MODELS_HEADER`): on a 200, the model
 * behind each task of the answer; on a 422 refusal (it has not the model asked for), the model it
 * has for each task asked. Grammar, parsed strictly by `parseModelsHeader`:
 *
 *     value = item *( OWS ";" OWS item )     e.g. "facial-recognition=lite/fr_feature"
 *     item  = task "=" model                 task: clip | facial-recognition | ocr, each at most once
 *     model = 1..128 of A-Z a-z 0-9 . _ - / +, starting with a letter or digit
 */
import { EMBEDDING_MODELS, type EmbeddingTask } from './embedding-models.ts'


export type ModelTask = 'clip' | 'facial-recognition' | 'ocr'
const modelTasks: readonly ModelTask[] = ['clip', 'facial-recognition', 'ocr']

/** The reply header in which a Hearth ML server names its models (grammar above). */
export const MODELS_HEADER = 'x-hearth-ml-models'

const modelNamePattern = /^[A-Za-z0-9][A-Za-z0-9._/+-]{0,127}$/

/** `{ 'facial-recognition': 'lite/fr_feature' }` → "facial-recognition=lite/fr_feature" (tasks in a fixed order). */
export function formatModelsHeader (models: Partial<Record<ModelTask, string>>): string {
  return modelTasks.filter((t) => models[t] !== undefined).map((t) => {
    if (!modelNamePattern.test(models[t]!)) throw new Error(`not a model name for ${MODELS_HEADER}: ${JSON.stringify(models[t])}`)
    return `${t}=${models[t]!}`
  }).join('; ')
}

/**
 * Reads `x-hearth-ml-models` (grammar above): task → model. Anything else (an empty value, an
 * unknown task, a task twice, a name with spaces or commas, two headers joined by ", ") throws a
 * `RemoteModelError` that quotes the value.
 */
export function parseModelsHeader (value: string): Partial<Record<ModelTask, string>> {
  const bad = (why: string) => new RemoteModelError(`malformed ${MODELS_HEADER} header ${JSON.stringify(value.slice(0, 200))}: ${why}`)
  const out: Partial<Record<ModelTask, string>> = {}
  const items = value.split(';').map((i) => i.trim())
  for (const item of items) {
    const m = /^([a-z-]+)=(.*)$/.exec(item)
    if (m === null) throw bad(item === '' ? 'an empty item' : `"${item}" is not task=model`)
    const [, task, model] = m as unknown as [string, string, string]
    if (!(modelTasks as readonly string[]).includes(task)) throw bad(`unknown task "${task}"`)
    if (out[task as ModelTask] !== undefined) throw bad(`${task} named twice`)
    if (!modelNamePattern.test(model)) throw bad(`"${model}" is not a model name`)
    out[task as ModelTask] = model
  }
  return out
}

/**
 * The model to record for a remote answer of `task`'s embeddings: the one the reply's
 * `x-hearth-ml-models` names (a Hearth server), else the one asked for (Immich's server does not
 * say). A header must name exactly the task asked, with a model of `EMBEDDING_MODELS` of that task
 * whose size is the embeddings'; a name asked for that Hearth knows must fit the embeddings too.
 * Anything else throws a `RemoteModelError`: recording vectors under a wrong name would put them
 * beside vectors of another space, so the job fails rather than guess.
 */
export function replyModel ({ header, task, asked, dimensions, server }: {
  header: string | null, task: EmbeddingTask, asked: string
  /** The size of each embedding in the reply. */
  dimensions: number[]
  /** Named in the errors. */
  server?: string
}): string {
  const from = server !== undefined ? ` from ${server}` : ''
  let model = asked
  if (header !== null) {
    const named = parseModelsHeader(header)
    const tasks = Object.keys(named)
    if (tasks.length !== 1 || named[task] === undefined) {
      throw new RemoteModelError(`the ${task} reply${from} has ${MODELS_HEADER} ${JSON.stringify(header)}, which does not name exactly its task`)
    }
    model = named[task]
    const known = Object.hasOwn(EMBEDDING_MODELS, model) ? EMBEDDING_MODELS[model]! : undefined
    if (known === undefined) throw new RemoteModelError(`the ${task} reply${from} names ${model}, a model this Hearth does not know (${Object.keys(EMBEDDING_MODELS).join(', ')})`)
    if (known.task !== task) throw new RemoteModelError(`the ${task} reply${from} names ${model}, which is a ${known.task} model`)
  }
  const known = Object.hasOwn(EMBEDDING_MODELS, model) ? EMBEDDING_MODELS[model]! : undefined
  const wrong = known !== undefined ? dimensions.find((d) => d !== known.dimensions) : undefined
  if (wrong !== undefined) throw new RemoteModelError(`the ${task} reply${from} is recorded as ${model}, whose embeddings have ${known!.dimensions} dimensions, but it sent ${wrong}`)
  return model
}

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
/** A remote embedding and the model that made it (protocol.ts `replyModel`). */
export interface RemoteEmbedding { embedding: Float32Array, model: string }

export interface RemoteMl {
  /** Whether at least one server is configured and was healthy at the last check. */
  available(): boolean
  /** Applies the admin's settings (machineLearning.urls, availabilityChecks); optional. */
  configure?(settings: { enabled: boolean, urls: string[], availabilityChecks: { enabled: boolean, timeout: number, interval: number } }): void
  clip: {
    encodeImage(image: Buffer, o?: { modelName?: string, signal?: AbortSignal }): Promise<RemoteEmbedding>
    encodeText(text: string, o?: { modelName?: string, language?: string, signal?: AbortSignal }): Promise<RemoteEmbedding>
  }
  faces: {
    /** `model`: the model that made the embeddings, to be recorded with them. */
    detect(image: Buffer, o?: { modelName?: string, minScore?: number, signal?: AbortSignal }): Promise<DetectedFaces & { model: string }>
  }
  ocr: {
    read(image: Buffer, o?: { modelName?: string, minDetectionScore?: number, minRecognitionScore?: number, maxResolution?: number, signal?: AbortSignal }): Promise<ImmichOcr & { imageWidth: number, imageHeight: number }>
  }
}

/** No remote ML server could answer (none configured, or all failed). */
export class RemoteUnavailableError extends Error {
  constructor (message: string, options?: { cause?: unknown }) { super(message, options); this.name = 'RemoteUnavailableError' }
}

/**
 * A reply's `x-hearth-ml-models` is malformed, or does not fit the reply (another task, a model
 * Hearth does not know, embeddings of another size). Not a `RemoteUnavailableError`: the stage does
 * not quietly fall back, the job fails with this message, so a server that misreports its model is
 * seen rather than recorded under a wrong name.
 */
export class RemoteModelError extends Error {
  constructor (message: string) { super(message); this.name = 'RemoteModelError' }
}

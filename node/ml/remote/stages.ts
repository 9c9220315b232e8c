/**
 * The stages' hook to remote ML: when a remote server is configured and healthy, a stage sends its
 * preview there and gets back results in the same shape its local model gives; when no server
 * answers it runs its local model (or, with none installed, fails the job so it is retried).
 *
 * @example
 * const r = await remoteFaces(ml, asset.previewPath, signal, () => ml.models.ready('lite', faceModels))
 * if (r !== undefined) return people.storeFaces(asset.id, r.image, r.faces, r.model)
 * // ...else the local analyzer
 */
import { readFile } from 'node:fs/promises'
import type { Logger } from 'pino'
import { parseEmbedding, RemoteUnavailableError, type RemoteMl } from '../protocol.ts'
import type { MlSettings } from '../settings.ts'
import { DEFAULT_REMOTE_FACE_MODEL } from '../embedding-models.ts'

export interface RemoteCapable { remote?: RemoteMl, settings?: () => MlSettings, log?: Logger }

/**
 * `call`'s answer when a remote server answered it; undefined when the stage should use its local
 * model (no server configured or healthy, or every server failed and the local model is ready).
 */
export async function tryRemote<T> (ml: RemoteCapable, localReady: () => Promise<boolean>, call: (remote: RemoteMl) => Promise<T>): Promise<T | undefined> {
  const remote = ml.remote
  if (remote === undefined || !remote.available()) return undefined
  try {
    return await call(remote)
  } catch (err) {
    if (!(err instanceof RemoteUnavailableError)) throw err
    if (!await localReady()) throw new Error(`no remote ML server answered and no local model is installed: ${err.message}`, { cause: err })
    ml.log?.warn({ err: err.message }, 'remote ML failed; using the local model')
    return undefined
  }
}

/**
 * The face model a remote server is asked for: what its embeddings are recorded under, unless a
 * Hearth server's reply names another (`x-hearth-ml-models`; it refuses a name it cannot serve).
 */
export const remoteFaceModel = (ml: RemoteCapable) => ml.settings?.().machineLearning.facialRecognition.modelName ?? DEFAULT_REMOTE_FACE_MODEL

/**
 * Faces of a preview from the remote server: the image's size, boxes in its pixels, embeddings,
 * and the model they are recorded under: the one the reply names (a Hearth server), else the name
 * asked for (Immich's server does not say). A reply whose model cannot be trusted fails the job
 * (`RemoteModelError`).
 */
export async function remoteFaces (ml: RemoteCapable, previewPath: string, signal: AbortSignal, localReady: () => Promise<boolean>) {
  return tryRemote(ml, localReady, async (remote) => {
    const s = ml.settings?.().machineLearning.facialRecognition
    const r = await remote.faces.detect(await readFile(previewPath), { modelName: remoteFaceModel(ml), minScore: s?.minScore, signal })
    return {
      model: r.model,
      image: { width: r.imageWidth, height: r.imageHeight },
      faces: r.faces.map((f) => ({ box: f.boundingBox, score: f.score, embedding: parseEmbedding(f.embedding) })),
    }
  })
}

/** OCR lines of a preview from the remote server, corners as fractions of its size (as stored). */
export async function remoteOcr (ml: RemoteCapable, previewPath: string, signal: AbortSignal, localReady: () => Promise<boolean>) {
  return tryRemote(ml, localReady, async (remote) => {
    const s = ml.settings?.().machineLearning.ocr
    const r = await remote.ocr.read(await readFile(previewPath), {
      modelName: s?.modelName, minDetectionScore: s?.minDetectionScore, minRecognitionScore: s?.minRecognitionScore, maxResolution: s?.maxResolution, signal,
    })
    const round = (v: number) => Math.round(v * 1e5) / 1e5
    return r.text.map((text, i) => {
      const b = r.box.slice(i * 8, i * 8 + 8).map(round)
      return {
        x1: b[0]!, y1: b[1]!, x2: b[2]!, y2: b[3]!, x3: b[4]!, y3: b[5]!, x4: b[6]!, y4: b[7]!,
        boxScore: r.boxScore[i]!, textScore: r.textScore[i]!, text,
      }
    })
  })
}

/**
 * Faces as two ML stages:
 * - `faces` (queue faceDetection): detect, align and embed the faces on an asset's preview with
 *   the `lite` pack, and store boxes and embeddings with the model that made them (replacing an
 *   earlier run's, see people/repo.ts `replaceAssetFaces`).
 * - `people` (queue facialRecognition, after `faces`): cluster the asset's new faces into people.
 *
 * With a remote ML server (HEARTH_ML_URLS) healthy, `faces` sends the preview there and stores its
 * boxes and embeddings (node/ml/remote/stages.ts), else it runs the lite pack here. An Immich
 * container's buffalo_l embeddings live in another space than the lite pack's, so each embedding
 * is stored with its model (the one a Hearth server's reply names, else `buffalo_l` or whatever
 * facialRecognition.modelName asked the server for; `lite/fr_feature` here) and clustering
 * compares only faces of one model. A Hearth ML server has the lite pack's model and refuses any
 * other name (node/ml/README.md), so a node asking it for `lite/fr_feature` records its faces and
 * its own fallback faces as one model. A face stage
 * falling back mid-backlog thus splits the new faces between two models; re-run detection with
 * force once the server is back to bring them into one.
 *
 * @example
 * for (const s of faceStages({ ml, runtime, people })) ml.addStage(s)
 */
import { PermanentJobError } from '../../jobs/service.ts'
import type { PeopleService } from '../../people/service.ts'
import type { ModelStore } from '../model-store.ts'
import type { ModelRuntime } from '../runtime.ts'
import type { MlStage } from '../stage.ts'
import { createFaceAnalyzer, type FaceAnalyzer } from './analyzer.ts'
import type { Normalisation } from './detector.ts'
import { decodeRgb } from './pixels.ts'
import type { RgbImage } from './types.ts'
import { remoteFaceModel, remoteFaces, type RemoteCapable } from '../remote/stages.ts'
import { LITE_FACE_MODEL } from '../embedding-models.ts'

export const faceModels = ['face-detector', 'face-detector-alt', 'face-embedder']

function norm (models: ModelStore, model: string): Normalisation | undefined {
  const input = models.manifest.packs.lite?.models[model]?.input
  return input?.mean !== undefined && input.std !== undefined ? { mean: input.mean, std: input.std } : undefined
}

/** The analyzer over the lite pack's files, as the model store finds them. */
export function liteFaceAnalyzer (models: ModelStore, runtime: ModelRuntime): FaceAnalyzer {
  return createFaceAnalyzer({
    runtime,
    files: { detector: models.path('lite', 'face-detector'), verifier: models.path('lite', 'face-detector-alt'), embedder: models.path('lite', 'face-embedder') },
    detectorNorm: norm(models, 'face-detector'),
    embedderNorm: norm(models, 'face-embedder'),
  })
}

/**
 * The model the `faces` stage embeds with now: the remote server's (asked by name) while one is
 * healthy, else the lite pack's when it is installed; undefined when neither can run.
 */
export async function faceModelInUse (ml: { models: ModelStore } & RemoteCapable): Promise<string | undefined> {
  if (ml.remote?.available() === true) return remoteFaceModel(ml)
  return await ml.models.ready('lite', faceModels) ? LITE_FACE_MODEL : undefined
}

export function faceStages ({ ml, runtime, people, version = 1 }: {
  ml: { models: ModelStore } & RemoteCapable, runtime: ModelRuntime, people: PeopleService, version?: number
}): MlStage[] {
  let analyzer: FaceAnalyzer | undefined
  const localReady = () => ml.models.ready('lite', faceModels)
  const available = async () => await localReady() || ml.remote?.available() === true
  return [
    {
      name: 'faces',
      version,
      queue: 'faceDetection',
      available,
      async run (asset, { signal }) {
        const remote = await remoteFaces(ml, asset.previewPath, signal, localReady)
        if (remote !== undefined) { await people.storeFaces(asset.id, remote.image, remote.faces, remote.model); return }
        analyzer ??= liteFaceAnalyzer(ml.models, runtime)
        let img: RgbImage
        try {
          img = await decodeRgb(asset.previewPath)
        } catch (err) {
          // A preview that cannot be decoded will not decode on a retry either.
          throw new PermanentJobError(`faces: the preview cannot be read (${(err as Error).message})`)
        }
        signal.throwIfAborted()
        const faces = await analyzer(img)
        signal.throwIfAborted()
        await people.storeFaces(asset.id, { width: img.width, height: img.height }, faces, LITE_FACE_MODEL)
      },
    },
    {
      name: 'people',
      version,
      queue: 'facialRecognition',
      after: ['faces'],
      available,
      async run (asset) {
        await people.recognizeAsset(asset.id)
      },
      // A forced re-run re-clusters: unnamed people give their faces back first (named ones keep them).
      async reset () { await people.resetRecognition() },
    },
  ]
}

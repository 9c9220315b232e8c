/**
 * OCR as an ML stage: reads the text in an asset's preview (a video's poster frame too) and stores
 * its lines, boxes as fractions of the preview's size, replacing any earlier result. With a remote ML
 * server (HEARTH_ML_URLS) healthy, the preview is read there (node/ml/remote/stages.ts), else here.
 *
 * @example
 * ml.addStage(ocrStage({ db, ml, runtime }))
 */
import type { Database } from '../../db/index.ts'
import { PermanentJobError } from '../../jobs/service.ts'
import { MediaError } from '../../media/errors.ts'
import { createOcrRepo } from '../../ocr/repo.ts'
import { createPixelReader } from '../../media/pixels.ts'
import type { ModelRuntime } from '../runtime.ts'
import type { MlService } from '../service.ts'
import type { MlStage } from '../stage.ts'
import { createOcrEngine, ocrModels, type OcrEngine, type OcrResult } from './engine.ts'
import { remoteOcr, type RemoteCapable } from '../remote/stages.ts'

/** Lines with corners as fractions of the image's width and height (as stored and as Immich returns them). */
export function normaliseLines (result: OcrResult) {
  const { width, height } = result
  const round = (v: number) => Math.round(v * 1e5) / 1e5
  return result.lines.map((l) => ({
    x1: round(l.box[0][0] / width), y1: round(l.box[0][1] / height),
    x2: round(l.box[1][0] / width), y2: round(l.box[1][1] / height),
    x3: round(l.box[2][0] / width), y3: round(l.box[2][1] / height),
    x4: round(l.box[3][0] / width), y4: round(l.box[3][1] / height),
    boxScore: l.boxScore, textScore: l.textScore, text: l.text,
  }))
}

export function ocrStage ({ db, ml, runtime, pack = 'lite', engine, version = 1 }: {
  db: Database, ml: Pick<MlService, 'models'> & RemoteCapable, runtime: ModelRuntime, pack?: string
  /** The OCR engine; by default PP-OCR from the pack through the runtime. */
  engine?: OcrEngine
  version?: number
}): MlStage {
  const repo = createOcrRepo(db)
  const ocr = engine ?? createOcrEngine({ runtime, pixels: createPixelReader(), manifest: ml.models.manifest, pack, path: (m) => ml.models.path(pack, m) })
  return {
    name: 'ocr',
    version,
    queue: 'ocr',
    available: async () => await ml.models.ready(pack, [...ocrModels]) || ml.remote?.available() === true,
    async run (asset, { signal }) {
      const remote = await remoteOcr(ml, asset.previewPath, signal, () => ml.models.ready(pack, [...ocrModels]))
      if (remote !== undefined) { await repo.replace(asset.id, remote); return }
      let result: OcrResult
      try {
        result = await ocr.read(asset.previewPath, { signal })
      } catch (err) {
        // A preview that cannot be decoded will not decode on a retry either: fail this job only.
        if (err instanceof MediaError) throw new PermanentJobError(`OCR: ${err.reason}`)
        throw err
      }
      signal.throwIfAborted()
      await repo.replace(asset.id, normaliseLines(result))
    },
  }
}

/**
 * The CLIP stage (queue smartSearch): embeds each asset's preview (a video's is a frame of it) and
 * stores it in `smart_search` with the model that made it. Runs through a remote Immich ML server
 * when one answers, else locally through the model runtime.
 *
 * @example
 * ml.addStage(clipStage({ db, ready: () => models.ready('immich', ['clip-visual']),
 *   encode: async (path) => ({ embedding: (await clip.encodeImages([path]))[0]!, model: CLIP_MODEL }) }))
 */
import type { Database } from '../../db/index.ts'
import type { MlStage } from '../stage.ts'
import { createSmartSearchRepo } from './repo.ts'

export function clipStage ({ db, encode, ready, version = 1 }: {
  db: Database
  /** One preview → its L2-normalised embedding, and the model that made it (node/ml/embedding-models.ts). */
  encode: (previewPath: string, o: { signal: AbortSignal }) => Promise<{ embedding: Float32Array, model: string }>
  ready: () => Promise<boolean>
  /** Bump with a new CLIP model: every asset is embedded again. */
  version?: number
}): MlStage {
  const repo = createSmartSearchRepo(db)
  return {
    name: 'clip',
    version,
    queue: 'smartSearch',
    available: ready,
    async run (asset, { signal }) {
      const { embedding, model } = await encode(asset.previewPath, { signal })
      if (embedding.length !== 512) throw new Error(`CLIP gave a ${embedding.length}-d embedding; smart_search holds 512-d (ViT-B-32)`)
      await repo.upsert(asset.id, embedding, model)
    },
  }
}

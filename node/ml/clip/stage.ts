/**
 * The CLIP stage (queue smartSearch): embeds each asset's preview (a video's is a frame of it) and
 * stores it in `smart_search`. Runs locally through the model runtime, or through a remote Immich ML
 * server when one answers and no local model is installed.
 *
 * @example
 * ml.add(clipStage({ db, encode: (path) => clip.encodeImages([path]).then((e) => e[0]!), ready: () => models.ready('immich', ['clip-visual']) }))
 */
import type { Database } from '../../db/index.ts'
import type { MlStage } from '../stage.ts'
import { createSmartSearchRepo } from './repo.ts'

export function clipStage ({ db, encode, ready, version = 1 }: {
  db: Database
  /** One preview → its L2-normalised embedding. */
  encode: (previewPath: string, o: { signal: AbortSignal }) => Promise<Float32Array>
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
      const embedding = await encode(asset.previewPath, { signal })
      if (embedding.length !== 512) throw new Error(`CLIP gave a ${embedding.length}-d embedding; smart_search holds 512-d (ViT-B-32)`)
      await repo.upsert(asset.id, embedding)
    },
  }
}

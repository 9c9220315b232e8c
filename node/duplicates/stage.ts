/**
 * The duplicate stage (queue duplicateDetection): hashes each asset's preview (a video's is a frame)
 * with a 64-bit DCT pHash, stores it, and groups the asset with its copies. Needs no model, so it is
 * always available. It uses CLIP embeddings when they are already there; it does not wait for them
 * (a node without CLIP must still find duplicates).
 */
import type { MlStage } from '../ml/stage.ts'
import { grayscale } from '../ml/clip/pixels.ts'
import { phash, PHASH_SIZE } from './phash.ts'
import type { DuplicateRepo } from './repo.ts'
import type { DuplicateService } from './service.ts'

export function duplicateStage ({ repo, service, version = 1 }: { repo: DuplicateRepo, service: DuplicateService, version?: number }): MlStage {
  return {
    name: 'duplicates',
    version,
    queue: 'duplicateDetection',
    available: async () => true,
    async run (asset, { signal }) {
      signal.throwIfAborted()
      const hash = phash(await grayscale(asset.previewPath, PHASH_SIZE))
      if (!await repo.setHash(asset.id, hash)) return // deleted meanwhile
      await service.detect(asset.id)
    },
  }
}

import type { AssetService } from '../assets/service.ts'
import type { Database } from '../db/index.ts'
import { isUuid } from '../db/ids.ts'
import { NotFoundError } from '../http/errors.ts'
import { route } from '../http/route.ts'
import { createOcrRepo } from './repo.ts'

/** `GET /api/assets/:id/ocr` in Immich's shape (AssetOcrResponseDto[]: normalised corners, scores, text). */
export function ocrRoutes ({ db, assets }: { db: Database, assets: AssetService }) {
  const repo = createOcrRepo(db)
  return [
    route({
      method: 'GET', path: '/api/assets/{id}/ocr', tag: 'Assets', access: 'user', permission: 'asset.read',
      summary: "Text recognised in a photo: one entry per line, its box's corners as fractions of the image's width and height (x1,y1 top-left, clockwise), and scores",
      handler: async ({ auth, params }) => {
        if (!isUuid(params.id)) throw new NotFoundError('Asset')
        const asset = await assets.getReadable(auth, params.id)
        return repo.list(asset.id)
      },
    }),
  ]
}

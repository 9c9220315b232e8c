import { z } from 'zod'
import { route } from '../http/route.ts'
import { NotFoundError } from '../http/errors.ts'
import { isUuid } from '../db/ids.ts'
import type { AssetService } from '../assets/service.ts'
import { createEditStore } from './store.ts'
import type { Queryable } from '../db/index.ts'
import { partnersShownBy } from '../partners/sql.ts'

/**
 * Non-destructive edits: a rotation stored beside the asset and applied when it is shown (the web
 * viewer and grid). `GET /api/edits` lists the user's edited assets for a grid to apply at once.
 */
export function editRoutes ({ db, assets, dataDir }: { db: Queryable, assets: AssetService, dataDir: string }) {
  const store = createEditStore(dataDir)
  const own = async (user: Parameters<AssetService['get']>[0], id: string) => {
    if (!isUuid(id)) throw new NotFoundError('Asset')
    return assets.get(user, id)
  }
  return [
    route({
      method: 'GET', path: '/api/edits', tag: 'Assets', access: 'user', permission: 'asset.read',
      summary: 'Your edited assets and their edits ({ [assetId]: { rotation } }); originals are never changed. withPartners=true adds those of the partners you show in your timeline',
      query: z.object({ withPartners: z.enum(['true', 'false']).optional() }),
      handler: async ({ auth, query }) => {
        if (query.withPartners !== 'true') return store.all(auth.user.id)
        const partners = await partnersShownBy(db, auth.user.id)
        const out = { ...(await store.all(auth.user.id)) }
        for (const partner of partners) {
          const theirs = await store.all(partner)
          // Only what the partner shares: not the edits of their locked or trashed photos.
          const shown = await db.query<{ id: string }>(`SELECT id FROM assets WHERE id = ANY($1::uuid[]) AND owner_id = $2 AND deleted_at IS NULL AND visibility <> 'locked'`, [Object.keys(theirs), partner])
          for (const { id } of shown) out[id] = theirs[id]!
        }
        return out
      },
    }),
    route({
      method: 'GET', path: '/api/assets/{id}/edits', tag: 'Assets', access: 'user', permission: 'asset.read',
      summary: 'How an asset is shown: its rotation (degrees clockwise), as its owner set it (also for a partner or an album member who may see it)',
      handler: async ({ auth, params }) => {
        if (!isUuid(params.id!)) throw new NotFoundError('Asset')
        const asset = await assets.getReadable(auth, params.id!)
        return store.get(asset.owner_id, asset.id)
      },
    }),
    route({
      method: 'PUT', path: '/api/assets/{id}/edits', tag: 'Assets', access: 'user', permission: 'asset.update',
      summary: 'Rotate an asset (0, 90, 180 or 270 degrees clockwise) without touching the original',
      body: z.object({ rotation: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)], { error: 'rotation: expected 0, 90, 180 or 270' }) }),
      handler: async ({ auth, params, body }) => { await own(auth.user, params.id); return store.set(auth.user.id, params.id, { rotation: body.rotation }) },
    }),
  ]
}

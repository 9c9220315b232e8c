/**
 * Stacks, in Immich's shapes (`/api/stacks`): a burst, a RAW and its JPEG or bracketed exposures
 * shown as one photo in the timeline (`withStacked=true`), under the one chosen as the cover.
 * Only the owner's own photos, not trashed, not hidden (a live photo's video) and not locked.
 */
import { z } from 'zod'
import type { Database } from '../db/index.ts'
import { isUuid } from '../db/ids.ts'
import { BadRequestError, NotFoundError } from '../http/errors.ts'
import { route } from '../http/route.ts'
import { toAssetDto } from '../assets/dto.ts'
import { createAssetRepo } from '../assets/repo.ts'
import { createStackRepo, type StackRow } from './repo.ts'

const assetIds = z.array(z.uuid({ error: 'expected asset ids (UUIDs)' })).max(1000, 'at most 1,000 photos in a stack')

export function stackRoutes ({ db, dataDir }: { db: Database, dataDir: string }) {
  const repo = createStackRepo(db)
  const assets = createAssetRepo(db)
  /** Immich's StackResponseDto: the stack with its photos (the cover first), each carrying the stack. */
  const dto = async (s: StackRow) => {
    const ids = await repo.memberIds(s.id)
    const rows = new Map((await assets.readableByIds(s.owner_id, ids)).map((a) => [a.id, a]))
    const summary = { id: s.id, primaryAssetId: s.primary_asset_id, assetCount: ids.length }
    return { id: s.id, primaryAssetId: s.primary_asset_id, assets: ids.filter((id) => rows.has(id)).map((id) => ({ ...toAssetDto(rows.get(id)!, dataDir), stack: summary })) }
  }
  const stackOf = async (ownerId: string, id: string) => {
    const s = isUuid(id) ? await repo.get(ownerId, id) : undefined
    if (s === undefined) throw new NotFoundError('Stack')
    return s
  }
  /** The owner's photos that may be stacked, or a 400 naming the first that may not. */
  const stackable = async (ownerId: string, ids: string[]) => {
    const rows = await db.query<{ id: string, deleted_at: Date | null, visibility: string }>(
      'SELECT id, deleted_at, visibility FROM assets WHERE owner_id = $1 AND id = ANY($2::uuid[])', [ownerId, ids])
    const found = new Map(rows.map((r) => [r.id, r]))
    for (const id of ids) {
      const r = found.get(id)
      if (r === undefined) throw new BadRequestError(`Asset ${id}: not one of your photos`)
      if (r.deleted_at !== null) throw new BadRequestError(`Asset ${id} is in the trash: restore it first`)
      if (r.visibility === 'locked') throw new BadRequestError(`Asset ${id} is in the locked folder: a locked photo cannot be stacked`)
      if (r.visibility === 'hidden') throw new BadRequestError(`Asset ${id} is hidden (the video of a live photo): stack the photo itself`)
    }
  }

  return [
    route({
      method: 'POST', path: '/api/stacks', tag: 'Stacks', access: 'user', permission: 'stack.create', status: 201,
      summary: 'Stack your photos (assetIds, two or more; the first is the cover). Photos already in stacks bring them along: the stacks merge',
      body: z.object({ assetIds: assetIds.min(2, 'a stack needs at least two photos') }),
      handler: async ({ auth, body }) => {
        const ids = [...new Set(body.assetIds)]
        if (ids.length < 2) throw new BadRequestError('assetIds: a stack needs at least two different photos')
        await stackable(auth.user.id, ids)
        const id = await db.transaction((tx) => repo.create(auth.user.id, ids, tx))
        return dto((await repo.get(auth.user.id, id))!)
      },
    }),
    route({
      method: 'GET', path: '/api/stacks', tag: 'Stacks', access: 'user', permission: 'stack.read',
      summary: 'Your stacks, newest first (primaryAssetId: the one with that cover)',
      query: z.object({ primaryAssetId: z.uuid({ error: 'primaryAssetId: expected an asset id' }).optional() }),
      handler: async ({ auth, query }) => Promise.all((await repo.list(auth.user.id, query.primaryAssetId)).map(dto)),
    }),
    route({
      method: 'GET', path: '/api/stacks/{id}', tag: 'Stacks', access: 'user', permission: 'stack.read',
      summary: 'One of your stacks, with its photos (the cover first, then newest first; not those in the trash)',
      handler: async ({ auth, params }) => dto(await stackOf(auth.user.id, params.id!)),
    }),
    route({
      method: 'PUT', path: '/api/stacks/{id}', tag: 'Stacks', access: 'user', permission: 'stack.update',
      summary: 'Choose the cover of a stack (primaryAssetId: one of its photos)',
      body: z.object({ primaryAssetId: z.uuid({ error: 'primaryAssetId: expected an asset id' }) }),
      handler: async ({ auth, params, body }) => {
        const s = await stackOf(auth.user.id, params.id!)
        if (!(await repo.memberIds(s.id)).includes(body.primaryAssetId)) throw new BadRequestError('primaryAssetId: not a photo of this stack (or it is in the trash)')
        await repo.setPrimary(s.id, body.primaryAssetId)
        return dto((await repo.get(auth.user.id, s.id))!)
      },
    }),
    route({
      method: 'DELETE', path: '/api/stacks/{id}', tag: 'Stacks', access: 'user', permission: 'stack.delete', status: 204,
      summary: 'Unstack: the stack ends, its photos stay, each on its own',
      handler: async ({ auth, params }) => { await repo.delete(auth.user.id, [(await stackOf(auth.user.id, params.id!)).id]) },
    }),
    route({
      method: 'DELETE', path: '/api/stacks', tag: 'Stacks', access: 'user', permission: 'stack.delete', status: 204,
      summary: 'Unstack several stacks at once (ids); all of them must be yours, or none ends',
      body: z.object({ ids: z.array(z.uuid({ error: 'expected stack ids (UUIDs)' })).min(1, 'name at least one stack').max(1000) }),
      handler: async ({ auth, body }) => {
        const ids = [...new Set(body.ids)]
        for (const id of ids) await stackOf(auth.user.id, id)
        await repo.delete(auth.user.id, ids)
      },
    }),
    route({
      method: 'DELETE', path: '/api/stacks/{id}/assets/{assetId}', tag: 'Stacks', access: 'user', permission: 'stack.update', status: 204,
      summary: 'Take one photo out of a stack (it stands alone again). Taking out the cover hands it to the newest photo left; a stack left with one photo ends',
      handler: async ({ auth, params }) => {
        const s = await stackOf(auth.user.id, params.id!)
        const [member] = isUuid(params.assetId!) ? await db.query('SELECT 1 FROM assets WHERE id = $1 AND stack_id = $2', [params.assetId, s.id]) : []
        if (member === undefined) throw new NotFoundError('Asset in this stack')
        await db.transaction((tx) => repo.takeOut([params.assetId!], tx))
      },
    }),
  ]
}

/** Immich's duplicates API: list groups, dismiss one ("not duplicates"), resolve (keep some, trash the rest). */
import { z } from 'zod'
import { toAssetDto } from '../assets/dto.ts'
import { isUuid } from '../db/ids.ts'
import { NotFoundError } from '../http/errors.ts'
import { route } from '../http/route.ts'
import type { DuplicateService } from './service.ts'

export function duplicateRoutes ({ duplicates, dataDir }: { duplicates: DuplicateService, dataDir: string }) {
  return [
    route({
      method: 'GET', path: '/api/duplicates', tag: 'Duplicates', access: 'user', permission: 'asset.read',
      summary: 'Groups of your photos that are copies of each other (same file, or resized, recompressed or slightly edited)',
      handler: async ({ auth }) => (await duplicates.list(auth.user.id)).map((g) => ({
        duplicateId: g.duplicateId,
        assets: g.assets.map((a) => ({ ...toAssetDto(a, dataDir, a.exif), duplicateId: g.duplicateId })),
      })),
    }),
    route({
      method: 'DELETE', path: '/api/duplicates/{id}', tag: 'Duplicates', access: 'user', permission: 'asset.update', status: 204,
      summary: 'Not duplicates: dissolve the group; these assets are never grouped together again',
      handler: async ({ auth, params }) => {
        if (!isUuid(params.id) || !await duplicates.dismiss(auth.user.id, params.id)) throw new NotFoundError('Duplicate group')
      },
    }),
    route({
      method: 'DELETE', path: '/api/duplicates', tag: 'Duplicates', access: 'user', permission: 'asset.update', status: 204,
      summary: 'Not duplicates, for several groups',
      body: z.object({ ids: z.array(z.uuid()).min(1).max(1000) }),
      handler: async ({ auth, body }) => { for (const id of body.ids) await duplicates.dismiss(auth.user.id, id) },
    }),
    route({
      method: 'POST', path: '/api/duplicates/resolve', tag: 'Duplicates', access: 'user', permission: 'asset.delete',
      summary: 'Keep the chosen copies of each group (or the best one: most pixels, then most metadata, then largest file) and move the rest to the trash',
      body: z.object({
        groups: z.array(z.object({
          duplicateId: z.uuid(),
          keepAssetIds: z.array(z.uuid()).max(1000).optional(),
          trashAssetIds: z.array(z.uuid()).max(1000).optional(),
        })).min(1).max(1000),
      }),
      handler: async ({ auth, body }) => duplicates.resolve(auth.user.id, body.groups),
    }),
  ]
}

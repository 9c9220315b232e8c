import { z } from 'zod'
import type { Config } from '../config/schema.ts'
import { isUuid } from '../db/ids.ts'
import { NotFoundError } from '../http/errors.ts'
import { route } from '../http/route.ts'
import { toAssetDto } from '../assets/dto.ts'
import { toUserDto } from '../users/dto.ts'
import type { UserRow } from '../users/repo.ts'
import type { AlbumRow } from './repo.ts'
import type { AlbumService } from './service.ts'

const ids = z.array(z.uuid({ error: 'expected asset ids (UUIDs)' })).max(65_000)

/** Albums in Immich's shapes (AlbumResponseDto, BulkIdResponseDto). */
export function albumRoutes ({ albums, config }: { albums: AlbumService, config: Config }) {
  const dto = (a: AlbumRow, owner: UserRow, assets: ReturnType<typeof toAssetDto>[] = []) => ({
    id: a.id,
    albumName: a.album_name,
    description: a.description,
    ownerId: a.owner_id,
    owner: toUserDto(owner),
    albumThumbnailAssetId: a.album_thumbnail_asset_id,
    assetCount: a.asset_count,
    assets,
    albumUsers: [],
    shared: false,
    hasSharedLink: false,
    isActivityEnabled: true,
    order: 'desc',
    startDate: a.start_date?.toISOString(),
    endDate: a.end_date?.toISOString(),
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
    lastModifiedAssetTimestamp: a.updated_at.toISOString(),
  })
  const get = async (ownerId: string, id: string) => {
    if (!isUuid(id)) throw new NotFoundError('Album')
    return albums.get(ownerId, id)
  }
  return [
    route({
      method: 'GET', path: '/api/albums', tag: 'Albums', access: 'user', permission: 'album.read',
      summary: 'Your albums (optionally those holding an asset)',
      query: z.object({ assetId: z.uuid().optional(), name: z.string().optional(), shared: z.enum(['true', 'false']).optional() }),
      handler: async ({ auth, query }) => {
        if (query.shared === 'true') return []
        return (await albums.repo.list(auth.user.id, { assetId: query.assetId, name: query.name })).map((a) => dto(a, auth.user))
      },
    }),
    route({
      method: 'POST', path: '/api/albums', tag: 'Albums', access: 'user', permission: 'album.create', status: 201,
      summary: 'Create an album, optionally with assets',
      body: z.object({ albumName: z.string().trim().min(1).max(500), description: z.string().max(10_000).optional(), assetIds: ids.optional() }),
      handler: async ({ auth, body }) => dto(await albums.create(auth.user.id, body), auth.user),
    }),
    route({
      method: 'GET', path: '/api/albums/{id}', tag: 'Albums', access: 'user', permission: 'album.read',
      summary: 'One album with its assets',
      query: z.object({ withoutAssets: z.enum(['true', 'false']).optional() }),
      handler: async ({ auth, params, query }) => {
        const album = await get(auth.user.id, params.id)
        const assets = query.withoutAssets === 'true' ? [] : (await albums.repo.assetsOf(album.id)).map((a) => toAssetDto(a, config.HEARTH_DATA_DIR))
        return dto(album, auth.user, assets)
      },
    }),
    route({
      method: 'PATCH', path: '/api/albums/{id}', tag: 'Albums', access: 'user', permission: 'album.update',
      summary: 'Rename an album, change its description or cover',
      body: z.object({ albumName: z.string().trim().min(1).max(500).optional(), description: z.string().max(10_000).optional(), albumThumbnailAssetId: z.uuid().optional() }),
      handler: async ({ auth, params, body }) => {
        await get(auth.user.id, params.id)
        if (body.albumThumbnailAssetId !== undefined) {
          const inAlbum = (await albums.repo.assetsOf(params.id)).some((a) => a.id === body.albumThumbnailAssetId)
          if (!inAlbum) throw new NotFoundError('Asset in this album')
        }
        await albums.repo.update(auth.user.id, params.id, { name: body.albumName, description: body.description, thumbnailAssetId: body.albumThumbnailAssetId })
        return dto(await get(auth.user.id, params.id), auth.user)
      },
    }),
    route({
      method: 'DELETE', path: '/api/albums/{id}', tag: 'Albums', access: 'user', permission: 'album.delete', status: 204,
      summary: 'Delete an album (its assets stay in the library)',
      handler: async ({ auth, params }) => {
        await get(auth.user.id, params.id)
        await albums.repo.remove(auth.user.id, params.id)
      },
    }),
    route({
      method: 'PUT', path: '/api/albums/{id}/assets', tag: 'Albums', access: 'user', permission: 'albumAsset.create',
      summary: 'Add assets to an album',
      body: z.object({ ids }),
      handler: async ({ auth, params, body }) => { await get(auth.user.id, params.id); return albums.addAssets(auth.user.id, params.id, body.ids) },
    }),
    route({
      method: 'DELETE', path: '/api/albums/{id}/assets', tag: 'Albums', access: 'user', permission: 'albumAsset.delete',
      summary: 'Remove assets from an album',
      body: z.object({ ids }),
      handler: async ({ auth, params, body }) => { await get(auth.user.id, params.id); return albums.removeAssets(auth.user.id, params.id, body.ids) },
    }),
  ]
}

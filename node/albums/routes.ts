import { z } from 'zod'
import type { Config } from '../config/schema.ts'
import type { Database } from '../db/index.ts'
import { isUuid } from '../db/ids.ts'
import { NotFoundError } from '../http/errors.ts'
import { route } from '../http/route.ts'
import { toAssetDto } from '../assets/dto.ts'
import { toUserDto } from '../users/dto.ts'
import { createUserRepo, type UserRow } from '../users/repo.ts'
import type { AlbumRow, AlbumUserRow } from './repo.ts'
import type { AlbumService } from './service.ts'

const ids = z.array(z.uuid({ error: 'expected asset ids (UUIDs)' })).max(65_000)
const role = z.enum(['editor', 'viewer'], { error: 'role: expected "editor" or "viewer"' })

/** Immich's AlbumResponseDto. */
export function toAlbumDto (a: AlbumRow, owner: UserRow, albumUsers: AlbumUserRow[], assets: unknown[] = []) {
  return {
    id: a.id,
    albumName: a.album_name,
    description: a.description,
    ownerId: a.owner_id,
    owner: toUserDto(owner),
    albumThumbnailAssetId: a.album_thumbnail_asset_id,
    assetCount: a.asset_count,
    assets,
    albumUsers: albumUsers.map((u) => ({ user: toUserDto(u.user), role: u.role })),
    shared: a.shared_users > 0 || a.shared_links > 0,
    hasSharedLink: a.shared_links > 0,
    isActivityEnabled: a.is_activity_enabled,
    order: a.asset_order,
    startDate: a.start_date?.toISOString(),
    endDate: a.end_date?.toISOString(),
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
    lastModifiedAssetTimestamp: a.updated_at.toISOString(),
  }
}

/** Albums and album sharing in Immich's shapes (AlbumResponseDto, BulkIdResponseDto). */
export function albumRoutes ({ albums, config, db }: { albums: AlbumService, config: Config, db: Database }) {
  const users = createUserRepo(db)
  const dtos = async (rows: AlbumRow[], withAssets = false) => {
    const ownerIds = [...new Set(rows.map((r) => r.owner_id))]
    const owners = new Map<string, UserRow>()
    for (const id of ownerIds) { const u = await users.byId(id); if (u !== undefined) owners.set(id, u) }
    const shares = await albums.repo.usersOf(rows.map((r) => r.id))
    return Promise.all(rows.map(async (a) => {
      const assets = withAssets ? (await albums.repo.assetsOf(a.id, a.asset_order)).map((x) => toAssetDto(x, config.HEARTH_DATA_DIR)) : []
      return toAlbumDto(a, owners.get(a.owner_id)!, shares.filter((s) => s.album_id === a.id), assets)
    }))
  }
  const one = async (a: AlbumRow, withAssets = false) => (await dtos([a], withAssets))[0]
  const albumId = (id: string) => {
    if (!isUuid(id)) throw new NotFoundError('Album')
    return id
  }
  return [
    route({
      method: 'GET', path: '/api/albums', tag: 'Albums', access: 'user', permission: 'album.read',
      summary: 'Your albums; shared=true: those shared (by you, or with you), shared=false: those no one else sees',
      query: z.object({ assetId: z.uuid().optional(), name: z.string().optional(), shared: z.enum(['true', 'false']).optional() }),
      handler: async ({ auth, query }) => {
        const mode = query.shared === 'true' ? 'shared' : query.shared === 'false' ? 'notShared' : 'owned'
        return dtos(await albums.repo.list(auth.user.id, { assetId: query.assetId, name: query.name, mode }))
      },
    }),
    route({
      method: 'POST', path: '/api/albums', tag: 'Albums', access: 'user', permission: 'album.create', status: 201,
      summary: 'Create an album, optionally with assets and users to share it with',
      body: z.object({
        albumName: z.string().trim().min(1).max(500), description: z.string().max(10_000).optional(), assetIds: ids.optional(),
        albumUsers: z.array(z.object({ userId: z.uuid(), role })).max(1000).optional(),
      }),
      handler: async ({ auth, body }) => {
        const album = await albums.create(auth.user.id, body)
        if (body.albumUsers !== undefined && body.albumUsers.length > 0) await albums.share(auth.user.id, album.id, body.albumUsers)
        return one(await albums.get(auth.user.id, album.id))
      },
    }),
    route({
      method: 'GET', path: '/api/albums/{id}', tag: 'Albums', access: 'user', permission: 'album.read',
      summary: 'One album (yours or shared with you) with its assets in the album\'s order',
      query: z.object({ withoutAssets: z.enum(['true', 'false']).optional() }),
      handler: async ({ auth, params, query }) => one(await albums.get(auth.user.id, albumId(params.id)), query.withoutAssets !== 'true'),
    }),
    route({
      method: 'PATCH', path: '/api/albums/{id}', tag: 'Albums', access: 'user', permission: 'album.update',
      summary: 'Rename an album, change its description, cover or sort order, or turn its likes and comments on or off (isActivityEnabled; owner only)',
      body: z.object({
        albumName: z.string().trim().min(1).max(500).optional(), description: z.string().max(10_000).optional(),
        albumThumbnailAssetId: z.uuid().optional(), order: z.enum(['asc', 'desc']).optional(), isActivityEnabled: z.boolean().optional(),
      }),
      handler: async ({ auth, params, body }) => one(await albums.update(auth.user.id, albumId(params.id), {
        name: body.albumName, description: body.description, thumbnailAssetId: body.albumThumbnailAssetId, order: body.order, isActivityEnabled: body.isActivityEnabled,
      })),
    }),
    route({
      method: 'DELETE', path: '/api/albums/{id}', tag: 'Albums', access: 'user', permission: 'album.delete', status: 204,
      summary: 'Delete an album (owner only; its assets stay in the library)',
      handler: async ({ auth, params }) => { await albums.remove(auth.user.id, albumId(params.id)) },
    }),
    route({
      method: 'PUT', path: '/api/albums/{id}/assets', tag: 'Albums', access: 'user', permission: 'albumAsset.create',
      summary: 'Add your assets to an album (owner or editor)',
      body: z.object({ ids }),
      handler: async ({ auth, params, body }) => albums.addAssets(auth.user.id, albumId(params.id), body.ids),
    }),
    route({
      method: 'DELETE', path: '/api/albums/{id}/assets', tag: 'Albums', access: 'user', permission: 'albumAsset.delete',
      summary: 'Remove assets from an album (the owner any, an editor their own)',
      body: z.object({ ids }),
      handler: async ({ auth, params, body }) => albums.removeAssets(auth.user.id, albumId(params.id), body.ids),
    }),
    route({
      method: 'PUT', path: '/api/albums/{id}/users', tag: 'Albums', access: 'user', permission: 'albumUser.create',
      summary: 'Share an album with users of this household, each as editor or viewer (owner only)',
      body: z.object({ albumUsers: z.array(z.object({ userId: z.uuid({ error: 'userId: expected a user id' }), role: role.default('editor') })).min(1).max(1000) }),
      handler: async ({ auth, params, body }) => {
        await albums.share(auth.user.id, albumId(params.id), body.albumUsers)
        return one(await albums.get(auth.user.id, params.id))
      },
    }),
    ...(['PUT', 'PATCH'] as const).map((method) => route({
      method, path: '/api/albums/{id}/user/{userId}', tag: 'Albums', access: 'user', permission: 'albumUser.update',
      summary: 'Change a shared user\'s role (owner only)',
      body: z.object({ role }),
      handler: async ({ auth, params, body }) => {
        if (!isUuid(params.userId)) throw new NotFoundError('User of this album')
        await albums.setRole(auth.user.id, albumId(params.id), params.userId, body.role)
        return one(await albums.get(auth.user.id, params.id))
      },
    })),
    route({
      method: 'DELETE', path: '/api/albums/{id}/user/{userId}', tag: 'Albums', access: 'user', permission: 'albumUser.delete', status: 204,
      summary: 'Stop sharing an album with a user (owner), or leave an album shared with you (userId "me")',
      handler: async ({ auth, params }) => {
        const target = params.userId === 'me' ? auth.user.id : params.userId
        if (!isUuid(target)) throw new NotFoundError('User of this album')
        await albums.unshare(auth.user.id, albumId(params.id), target)
      },
    }),
  ]
}

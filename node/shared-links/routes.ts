import type { Context } from 'koa'
import { z } from 'zod'
import type { Config } from '../config/schema.ts'
import { isUuid } from '../db/ids.ts'
import { NotFoundError } from '../http/errors.ts'
import { route } from '../http/route.ts'
import { toAssetDto } from '../assets/dto.ts'
import type { AssetRow } from '../assets/repo.ts'
import type { AlbumService } from '../albums/service.ts'
import type { AlbumRow } from '../albums/repo.ts'
import { toAlbumDto } from '../albums/routes.ts'
import { createUserRepo } from '../users/repo.ts'
import type { Database } from '../db/index.ts'
import type { SharedLinkRow } from './repo.ts'
import type { SharedLinkAccess, SharedLinkService } from './service.ts'

const single = (v: unknown) => typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined

/**
 * Reads a public link from a request: `?key=`, and for a password-protected link the token cookie,
 * `?token=` or `?password=` (a right password sets the cookie). Undefined when there is no key.
 */
export function sharedLinkAuthenticator (links: SharedLinkService, config: Config) {
  return async (ctx: Context): Promise<SharedLinkAccess | undefined> => {
    const key = single(ctx.query.key)
    if (key === undefined) return undefined
    const queryToken = single(ctx.query.token)
    const opened = await links.open({
      key, password: single(ctx.query.password), address: ctx.req.socket.remoteAddress ?? 'unknown',
      // The cookie's name holds the link's id, known once the key is looked up.
      token: (link) => queryToken ?? ctx.cookies.get(links.cookieName(link)),
    })
    if (opened.newToken !== undefined) setLinkCookie(ctx, links.cookieName(opened.link), opened.newToken, config)
    return opened
  }
}

function setLinkCookie (ctx: Context, name: string, token: string, config: Config) {
  ctx.cookies.set(name, token, { httpOnly: true, sameSite: 'lax', secure: config.HEARTH_SECURE_COOKIES, path: '/api/', overwrite: true, maxAge: 7 * 86_400_000 })
}

/** What a visitor through a link sees of an asset: everything, or without metadata when the link hides it (Immich's sanitized shape). */
export function linkAssetDto (a: AssetRow, link: SharedLinkRow, dataDir: string) {
  const full = toAssetDto(a, dataDir)
  if (link.show_metadata) return { ...full, originalPath: '' }
  return {
    id: a.id, type: full.type, thumbhash: full.thumbhash, originalMimeType: full.originalMimeType, localDateTime: full.localDateTime,
    fileCreatedAt: full.fileCreatedAt, duration: full.duration, livePhotoVideoId: full.livePhotoVideoId, hasMetadata: false,
    width: full.width, height: full.height, isFavorite: false, isTrashed: false, ownerId: full.ownerId,
  }
}

const assetIds = z.array(z.uuid({ error: 'assetIds: expected asset ids' })).max(10_000, 'assetIds: at most 10,000 photos in one link')

const linkBody = {
  description: z.string().max(10_000).nullable().optional(),
  expiresAt: z.coerce.date({ error: 'expiresAt: expected an ISO 8601 date' }).nullable().optional(),
  allowDownload: z.boolean().optional(),
  allowUpload: z.boolean().optional(),
  showMetadata: z.boolean().optional(),
}

/** Immich's shared-link API: album links, and links to chosen photos (INDIVIDUAL). */
export function sharedLinkRoutes ({ links, albums, config, db }: { links: SharedLinkService, albums: AlbumService, config: Config, db: Database }) {
  const users = createUserRepo(db)
  const albumDto = async (a: AlbumRow, assets: unknown[] = []) => {
    const owner = await users.byId(a.owner_id)
    return toAlbumDto(a, owner!, await albums.repo.usersOf([a.id]), assets)
  }
  const dto = async (l: SharedLinkRow, { withAssets = false, forOwner = true }: { withAssets?: boolean, forOwner?: boolean } = {}) => {
    const album = l.album_id === null ? undefined : await albums.repo.byIdAny(l.album_id)
    // An album link's photos on its page only; an INDIVIDUAL link's are the link itself (as in Immich).
    const rows = l.type === 'INDIVIDUAL' ? await links.repo.chosenAssets(l.id) : album !== undefined && withAssets ? await albums.repo.assetsOf(album.id, album.asset_order) : []
    const assets = rows.map((a) => linkAssetDto(a, l, config.HEARTH_DATA_DIR))
    const owner = l.type === 'INDIVIDUAL' ? await users.byId(l.owner_id) : undefined
    const albumOut = album === undefined ? undefined : await albumDto(album, assets)
    return {
      id: l.id,
      type: l.type,
      key: links.keyOf(l),
      userId: l.owner_id,
      description: l.description,
      // Only a hash is kept: the password cannot be shown again, only replaced.
      password: null,
      hasPassword: l.password_hash !== null,
      token: null,
      createdAt: l.created_at.toISOString(),
      expiresAt: l.expires_at?.toISOString() ?? null,
      allowDownload: l.allow_download,
      allowUpload: l.allow_upload,
      showMetadata: l.show_metadata,
      album: albumOut === undefined ? undefined : forOwner ? albumOut : { ...albumOut, owner: { id: albumOut.owner.id, name: albumOut.owner.name }, albumUsers: [] },
      assets,
      // Hearth's: who shares an INDIVIDUAL link's photos, for its page (an album link's album says it).
      ...(owner !== undefined && { owner: { id: owner.id, name: owner.name } }),
    }
  }
  const linkId = (id: string) => { if (!isUuid(id)) throw new NotFoundError('Shared link'); return id }

  return [
    route({
      method: 'GET', path: '/api/shared-links', tag: 'Shared links', access: 'user', permission: 'sharedLink.read',
      summary: 'Your public links (optionally those of one album)',
      query: z.object({ albumId: z.uuid().optional() }),
      handler: async ({ auth, query }) => Promise.all((await links.repo.list(auth.user.id, query.albumId)).map((l) => dto(l))),
    }),
    route({
      method: 'POST', path: '/api/shared-links', tag: 'Shared links', access: 'user', permission: 'sharedLink.create', status: 201,
      summary: 'Make a public link to one of your albums (type ALBUM, albumId) or to some of your photos (type INDIVIDUAL, assetIds), optionally with a password and an expiry',
      body: z.discriminatedUnion('type', [
        z.object({ type: z.literal('ALBUM'), albumId: z.uuid({ error: 'albumId: expected an album id' }), password: z.string().max(1024).optional(), ...linkBody }),
        z.object({ type: z.literal('INDIVIDUAL'), assetIds: assetIds.min(1, 'assetIds: choose at least one photo'), password: z.string().max(1024).optional(), ...linkBody }),
      ], { error: 'type: expected ALBUM (with albumId) or INDIVIDUAL (with assetIds)' }),
      handler: async ({ auth, body }) => dto(await links.create(auth.user.id, body)),
    }),
    route({
      method: 'PUT', path: '/api/shared-links/{id}/assets', tag: 'Shared links', access: 'user', permission: 'sharedLink.update',
      summary: 'Put more of your photos in a link made of chosen photos (INDIVIDUAL); per photo, whether it went in (error: duplicate or no_permission)',
      body: z.object({ assetIds: assetIds.min(1) }),
      handler: async ({ auth, params, body }) => links.addAssets(auth.user.id, linkId(params.id), body.assetIds),
    }),
    route({
      method: 'DELETE', path: '/api/shared-links/{id}/assets', tag: 'Shared links', access: 'user', permission: 'sharedLink.update',
      summary: 'Take photos out of a link made of chosen photos (INDIVIDUAL); per photo, whether it was in it (error: not_found)',
      body: z.object({ assetIds: assetIds.min(1) }),
      handler: async ({ auth, params, body }) => links.removeAssets(auth.user.id, linkId(params.id), body.assetIds),
    }),
    route({
      method: 'GET', path: '/api/shared-links/me', tag: 'Shared links', access: 'public', sharedLink: true,
      summary: 'What a public link shows (key=...; password=... or the cookie for a protected link): the album and its photos. 401 unknown key or password needed, 410 expired.',
      query: z.object({ key: z.string().min(1, 'key: expected the link\'s key') }),
      handler: async ({ link }) => {
        if (link === undefined) throw new NotFoundError('Shared link')
        return dto(link.link, { withAssets: true, forOwner: false })
      },
    }),
    route({
      method: 'POST', path: '/api/shared-links/login', tag: 'Shared links', access: 'public',
      summary: 'Unlock a password-protected link (key=...): sets a cookie for its photos',
      query: z.object({ key: z.string().min(1) }),
      body: z.object({ password: z.string().max(1024) }),
      handler: async ({ ctx, query, body }) => {
        const opened = await links.open({ key: query.key, password: body.password, address: ctx.req.socket.remoteAddress ?? 'unknown' })
        const token = opened.newToken ?? links.tokenOf(opened.link)
        setLinkCookie(ctx, links.cookieName(opened.link), token, config)
        return { ...await dto(opened.link, { forOwner: false }), token }
      },
    }),
    route({
      method: 'GET', path: '/api/shared-links/{id}', tag: 'Shared links', access: 'user', permission: 'sharedLink.read',
      summary: 'One of your public links',
      handler: async ({ auth, params }) => dto(await links.get(auth.user.id, linkId(params.id))),
    }),
    route({
      method: 'PATCH', path: '/api/shared-links/{id}', tag: 'Shared links', access: 'user', permission: 'sharedLink.update',
      summary: 'Change a link: description, password (null or "" removes it), expiry (null: never), download, metadata',
      body: z.object({ password: z.string().max(1024).nullable().optional(), changeExpiryTime: z.boolean().optional(), ...linkBody }),
      handler: async ({ auth, params, body }) => dto(await links.update(auth.user.id, linkId(params.id), body)),
    }),
    route({
      method: 'DELETE', path: '/api/shared-links/{id}', tag: 'Shared links', access: 'user', permission: 'sharedLink.delete', status: 204,
      summary: 'Delete a public link (it stops working at once)',
      handler: async ({ auth, params }) => { await links.remove(auth.user.id, linkId(params.id)) },
    }),
  ]
}

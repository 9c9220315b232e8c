import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Database } from '../db/index.ts'
import { uuidv7 } from '../db/ids.ts'
import { BadRequestError, HttpError, NotFoundError, TooManyRequestsError, UnauthorizedError } from '../http/errors.ts'
import { hashPassword, verifyPassword } from '../auth/passwords.ts'
import { createLoginThrottle } from '../auth/throttle.ts'
import { hashSecret } from '../auth/tokens.ts'
import type { AlbumService } from '../albums/service.ts'
import { createSharedLinkRepo, type SharedLinkRow } from './repo.ts'
import type { LinkSecret } from './secret.ts'

/** A request let in by a public link rather than by a signed-in user. */
export interface SharedLinkAccess { link: SharedLinkRow, key: string }

/** Thrown when a link's expiry date has passed. */
export class LinkExpiredError extends HttpError {
  constructor () { super(410, 'Gone', 'This link has expired: ask the person who shared it for a new one') }
}
/** Thrown when a link has a password and the request has neither it nor the token that proves it. */
export class LinkPasswordRequiredError extends HttpError {
  constructor () { super(401, 'Unauthorized', 'This link is protected by a password') }
}

export interface CreateLink {
  /** An album's link (ALBUM), or one to these photos (INDIVIDUAL): one of the two. */
  albumId?: string, assetIds?: string[], password?: string, expiresAt?: Date | null, allowDownload?: boolean, allowUpload?: boolean, showMetadata?: boolean, description?: string | null
}

/**
 * Public links to an album, or to photos chosen one by one (Immich's INDIVIDUAL links): anyone
 * with the key sees the photos (and downloads the originals when allowed), without an account. Keys are 32 random bytes; only their SHA-256 is
 * looked up, and the key itself is kept sealed with the node secret for the owner to copy again.
 * A password is checked with Argon2 behind a throttle (per link and address, and per link), and
 * a right guess earns a token (an HMAC of the link and its password hash, so changing the
 * password logs every browser out).
 */
export function createSharedLinkService ({ db, albums, secret, maxFailures, lockoutSeconds }: {
  db: Database, albums: AlbumService, secret: LinkSecret, maxFailures: number, lockoutSeconds: number
}) {
  const repo = createSharedLinkRepo(db)
  const perAddress = createLoginThrottle({ maxFailures, lockoutSeconds })
  const perLink = createLoginThrottle({ maxFailures: maxFailures * 4, lockoutSeconds })

  /** Those of `ids` the owner may put in a link: their own, not trashed, locked or hidden. */
  const shareable = async (ownerId: string, ids: string[]) => new Set(ids.length === 0 ? [] : (await db.query<{ id: string }>(
    "SELECT id FROM assets WHERE owner_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL AND visibility IN ('timeline', 'archive')", [ownerId, ids])).map((r) => r.id))
  const tokenOf = (link: SharedLinkRow) => secret.sign(`${link.id}:${link.password_hash ?? ''}`)
  const sameToken = (a: string, b: string) => {
    const x = Buffer.from(a)
    const y = Buffer.from(b)
    return x.length === y.length && timingSafeEqual(x, y)
  }

  return {
    repo,
    tokenOf,
    keyOf: (link: SharedLinkRow) => secret.unseal(link.key_sealed),
    cookieName: (link: SharedLinkRow) => `hearth_link_${link.id.replaceAll('-', '')}`,

    async create (ownerId: string, o: CreateLink): Promise<SharedLinkRow> {
      // Only the album's owner shares it (404 if they cannot see it, 403 if they only see it).
      if (o.albumId !== undefined) await albums.owned(ownerId, o.albumId)
      const chosen = o.albumId === undefined ? [...new Set(o.assetIds ?? [])] : []
      if (o.albumId === undefined) {
        const mine = await shareable(ownerId, chosen)
        const other = chosen.find((id) => !mine.has(id))
        if (other !== undefined) throw new BadRequestError(`assetIds: ${other} is not one of your photos, or is in the trash or the locked folder`)
      }
      const key = randomBytes(32).toString('base64url')
      const link = {
        id: uuidv7(), owner_id: ownerId, type: o.albumId === undefined ? 'INDIVIDUAL' as const : 'ALBUM' as const, album_id: o.albumId ?? null,
        key_hash: hashSecret(key), key_sealed: secret.seal(key),
        password_hash: o.password !== undefined && o.password !== '' ? await hashPassword(o.password) : null,
        description: o.description ?? null, expires_at: o.expiresAt ?? null,
        allow_download: o.allowDownload ?? true, allow_upload: o.allowUpload ?? false, show_metadata: o.showMetadata ?? true,
      }
      return db.transaction(async (tx) => {
        const row = await repo.insert(link, tx)
        await repo.addAssets(row.id, chosen, tx)
        return row
      })
    },

    /**
     * Puts more of the owner's photos in an INDIVIDUAL link (Immich's PUT /shared-links/:id/assets):
     * per photo, whether it went in, or why not (duplicate: already in it; no_permission: not the
     * owner's, or trashed or locked).
     */
    async addAssets (ownerId: string, id: string, assetIds: string[]) {
      const link = await this.get(ownerId, id)
      if (link.type !== 'INDIVIDUAL') throw new BadRequestError('This link shares an album: add the photos to the album instead')
      const mine = await shareable(ownerId, assetIds)
      const added = new Set(await repo.addAssets(link.id, assetIds.filter((a) => mine.has(a))))
      return assetIds.map((assetId) => added.has(assetId) ? { assetId, success: true } : { assetId, success: false, error: mine.has(assetId) ? 'duplicate' : 'no_permission' })
    },

    /** Takes photos out of an INDIVIDUAL link (not_found: it did not hold them). */
    async removeAssets (ownerId: string, id: string, assetIds: string[]) {
      const link = await this.get(ownerId, id)
      if (link.type !== 'INDIVIDUAL') throw new BadRequestError('This link shares an album: take the photos out of the album instead')
      const removed = new Set(await repo.removeAssets(link.id, assetIds))
      return assetIds.map((assetId) => removed.has(assetId) ? { assetId, success: true } : { assetId, success: false, error: 'not_found' })
    },

    async get (ownerId: string, id: string): Promise<SharedLinkRow> {
      const link = await repo.byId(ownerId, id)
      if (link === undefined) throw new NotFoundError('Shared link')
      return link
    },

    async update (ownerId: string, id: string, p: Omit<CreateLink, 'albumId' | 'assetIds' | 'password'> & { password?: string | null }) {
      const passwordHash = p.password === undefined ? undefined : p.password === null || p.password === '' ? null : await hashPassword(p.password)
      const row = await repo.update(ownerId, id, { ...p, passwordHash })
      if (row === undefined) throw new NotFoundError('Shared link')
      return row
    },

    async remove (ownerId: string, id: string) {
      if (!await repo.remove(ownerId, id)) throw new NotFoundError('Shared link')
    },

    /**
     * Lets a request in by its link key. Unknown keys are 401, expired links 410; a link with a
     * password needs the token (cookie or `token`) or the password, which is throttled. Returns the
     * token to set when the password was given and right.
     */
    async open ({ key, password, token, address }: { key: string, password?: string, token?: (link: SharedLinkRow) => string | undefined, address: string }): Promise<SharedLinkAccess & { newToken?: string }> {
      const link = key.length > 0 && key.length <= 200 ? await repo.byKeyHash(hashSecret(key)) : undefined
      if (link === undefined) throw new UnauthorizedError('Invalid share key: this link does not exist (or no longer exists)')
      if (link.expires_at !== null && link.expires_at.getTime() <= Date.now()) throw new LinkExpiredError()
      if (link.password_hash === null) return { link, key }
      const given = token?.(link)
      if (given !== undefined && given !== '' && sameToken(given, tokenOf(link))) return { link, key }
      if (password === undefined || password === '') throw new LinkPasswordRequiredError()
      const keys = [`link:${link.id}:${address}`]
      const wait = Math.max(perAddress.retryAfter(keys), perLink.retryAfter([`link:${link.id}`]))
      if (wait > 0) throw new TooManyRequestsError(`Too many wrong passwords: try again in ${Math.ceil(wait)} seconds`, wait)
      if (!await verifyPassword(link.password_hash, password)) {
        perAddress.fail(keys)
        perLink.fail([`link:${link.id}`])
        throw new UnauthorizedError('Wrong password for this link')
      }
      perAddress.succeed(keys)
      return { link, key, newToken: tokenOf(link) }
    },
  }
}

export type SharedLinkService = ReturnType<typeof createSharedLinkService>

import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Database } from '../db/index.ts'
import { uuidv7 } from '../db/ids.ts'
import { HttpError, NotFoundError, TooManyRequestsError, UnauthorizedError } from '../http/errors.ts'
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
  albumId: string, password?: string, expiresAt?: Date | null, allowDownload?: boolean, allowUpload?: boolean, showMetadata?: boolean, description?: string | null
}

/**
 * Public links to an album: anyone with the key sees the album's photos (and downloads the
 * originals when allowed), without an account. Keys are 32 random bytes; only their SHA-256 is
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
      await albums.owned(ownerId, o.albumId)
      const key = randomBytes(32).toString('base64url')
      return repo.insert({
        id: uuidv7(), owner_id: ownerId, type: 'ALBUM', album_id: o.albumId,
        key_hash: hashSecret(key), key_sealed: secret.seal(key),
        password_hash: o.password !== undefined && o.password !== '' ? await hashPassword(o.password) : null,
        description: o.description ?? null, expires_at: o.expiresAt ?? null,
        allow_download: o.allowDownload ?? true, allow_upload: o.allowUpload ?? false, show_metadata: o.showMetadata ?? true,
      })
    },

    async get (ownerId: string, id: string): Promise<SharedLinkRow> {
      const link = await repo.byId(ownerId, id)
      if (link === undefined) throw new NotFoundError('Shared link')
      return link
    },

    async update (ownerId: string, id: string, p: Omit<CreateLink, 'albumId' | 'password'> & { password?: string | null }) {
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

/**
 * Basic authentication for WebDAV: the user's email and password, or an API key secret as the
 * password (an "app password" for clients that store it; the user name is then not checked).
 * Failures are throttled per account and per address, and logged. Successful checks are cached
 * for a minute so that a client's hundreds of requests do not each pay for Argon2.
 */
import { createHash } from 'node:crypto'
import type { AuthService } from '../../node/auth/service.ts'
import { HttpError } from '../../node/http/errors.ts'
import type { UserService } from '../../node/users/service.ts'
import type { UserRow } from '../../node/users/repo.ts'

export type AuthOutcome = { user: UserRow } | { retryAfter: number } | undefined

/** The check, its throttle and its logging are the node's (AuthService.verifyCredentials), shared with the web login and SFTP. */
export function createDavAuth ({ auth, users }: { auth: AuthService, users: UserService }) {
  const cache = new Map<string, { userId: string, until: number }>()

  return {
    /** The user the Authorization header names, `retryAfter` while throttled, or undefined. */
    async check (authorization: string | undefined, address: string): Promise<AuthOutcome> {
      const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '')
      if (m === null) return undefined
      const decoded = Buffer.from(m[1], 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon < 0) return undefined
      const email = decoded.slice(0, colon)
      const password = decoded.slice(colon + 1)
      const cacheKey = createHash('sha256').update(decoded).digest('base64')
      const hit = cache.get(cacheKey)
      if (hit !== undefined && hit.until > Date.now()) {
        const user = await users.repo.byId(hit.userId)
        if (user !== undefined) return { user }
      }
      try {
        // Clients that store an app password may send any user name with it (Windows adds a domain).
        const { user } = await auth.verifyCredentials({ email, secret: password, address, channel: 'webdav', appPassword: 'any-user' })
        if (cache.size > 1000) cache.clear()
        cache.set(cacheKey, { userId: user.id, until: Date.now() + 60_000 })
        return { user }
      } catch (err) {
        if (!(err instanceof HttpError)) throw err
        if (err.status === 429) return { retryAfter: Number(err.headers['retry-after']) }
        return undefined
      }
    },
  }
}

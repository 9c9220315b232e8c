/**
 * Basic authentication for WebDAV: the user's email and password, or an API key secret as the
 * password (an "app password" for clients that store it; the user name is then not checked).
 * Failures are throttled per account and per address, and logged. Successful checks are cached
 * for a minute so that a client's hundreds of requests do not each pay for Argon2.
 */
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import type { Database } from '../../node/db/index.ts'
import type { UserService } from '../../node/users/service.ts'
import type { UserRow } from '../../node/users/repo.ts'
import { verifyPassword, decoyHash } from '../../node/auth/passwords.ts'
import { hashSecret } from '../../node/auth/tokens.ts'
import { createLoginThrottle } from '../../node/auth/throttle.ts'

export type AuthOutcome = { user: UserRow } | { retryAfter: number } | undefined

export function createDavAuth ({ db, users, log, maxFailures, lockoutSeconds }: {
  db: Database, users: UserService, log: Logger, maxFailures: number, lockoutSeconds: number
}) {
  const perAccount = createLoginThrottle({ maxFailures, lockoutSeconds })
  const perAddress = createLoginThrottle({ maxFailures: maxFailures * 4, lockoutSeconds })
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
      const keys = [`account:${email.toLowerCase()}`]
      const wait = Math.max(perAccount.retryAfter(keys), perAddress.retryAfter([address]))
      if (wait > 0) {
        log.warn({ email, address }, 'WebDAV login refused: too many failures')
        return { retryAfter: wait }
      }
      let user: UserRow | undefined
      const [key] = await db.query<{ user_id: string }>('SELECT user_id FROM api_keys WHERE key_hash = $1', [hashSecret(password)])
      if (key !== undefined) user = await users.repo.byId(key.user_id)
      if (user === undefined) {
        const byEmail = email === '' ? undefined : await users.repo.byEmail(email)
        const ok = await verifyPassword(byEmail?.password_hash ?? await decoyHash(), password)
        if (ok) user = byEmail
      }
      if (user === undefined) {
        perAccount.fail(keys)
        perAddress.fail([address])
        log.warn({ email, address }, 'WebDAV login failed')
        return undefined
      }
      perAccount.succeed(keys)
      perAddress.succeed([address])
      if (cache.size > 1000) cache.clear()
      cache.set(cacheKey, { userId: user.id, until: Date.now() + 60_000 })
      return { user }
    },
  }
}

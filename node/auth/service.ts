import type { IncomingHttpHeaders } from 'node:http'
import type { Config } from '../config/schema.ts'
import type { Database } from '../db/index.ts'
import { uuidv7 } from '../db/ids.ts'
import { BadRequestError, ForbiddenError, NotFoundError, TooManyRequestsError, UnauthorizedError } from '../http/errors.ts'
import type { UserRow } from '../users/repo.ts'
import type { UserService } from '../users/service.ts'
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts'
import { hasPermission, isPermission, type Permission } from './permissions.ts'
import { createAuthRepo, type ApiKeyRow } from './repo.ts'
import { createLoginThrottle } from './throttle.ts'
import { hashSecret, newSecret } from './tokens.ts'

/** Who is calling: a user, through a session (all their permissions) or an API key (its own). */
export interface AuthContext {
  user: UserRow
  sessionId?: string
  apiKey?: ApiKeyRow
  /**
   * Until when this session may open the locked folder (Immich's elevated permission), after the
   * PIN code was given; undefined when it may not. Never set for an API key.
   */
  unlockedUntil?: Date
  /** Keeps this session's locked folder open a few minutes more (it was just used). */
  keepUnlocked?: () => Promise<void>
}

/** The locked folder stays open this long after the PIN is given (Immich's 15 minutes)... */
const UNLOCK_MS = 15 * 60_000
/** ...and, while it is used, at least this long after each use (Immich's 5 minutes). */
const UNLOCK_SLIDE_MS = 5 * 60_000

/**
 * Refuses a caller whose locked folder is not open, saying how to open it; for one whose folder is
 * open, this use keeps it open a few minutes more. Only a use of the folder does: a request for
 * anything else (the status, the timeline) lets it close on time.
 */
export async function requireUnlocked (auth: AuthContext | undefined): Promise<void> {
  if (auth?.unlockedUntil !== undefined && auth.unlockedUntil.getTime() > Date.now()) {
    await auth.keepUnlocked?.()
    return
  }
  throw new ForbiddenError(auth?.apiKey !== undefined
    ? 'The locked folder is open only to a signed-in session unlocked with the PIN code, never to an API key'
    : auth?.user.pin_code_hash === null
      ? 'The locked folder needs a PIN code: set one (POST /api/auth/pin-code), unlock with it, and try again'
      : 'The locked folder is locked: unlock it with your PIN code (POST /api/auth/session/unlock) and try again')
}

/** A 6-digit PIN code, as Immich's. */
export const PIN_PATTERN = /^\d{6}$/

export const SESSION_COOKIE = 'hearth_access_token'
/** Immich's web client cookie name, accepted too so Immich-style clients keep working. */
const IMMICH_COOKIE = 'immich_access_token'

export function createAuthService ({ db, users, config, onEvent }: {
  db: Database, users: UserService, config: Config
  onEvent?: (event: 'login-failed' | 'login-locked' | 'login', detail: Record<string, unknown>) => void
}) {
  const repo = createAuthRepo(db)
  const perAccount = createLoginThrottle({ maxFailures: config.HEARTH_LOGIN_MAX_FAILURES, lockoutSeconds: config.HEARTH_LOGIN_LOCKOUT_SECONDS })
  // One address may fail more often than one account (a household shares a few machines).
  const perAddress = createLoginThrottle({ maxFailures: config.HEARTH_LOGIN_MAX_FAILURES * 4, lockoutSeconds: config.HEARTH_LOGIN_LOCKOUT_SECONDS })
  const sessionMs = config.HEARTH_SESSION_DAYS * 86_400_000

  const can = (auth: AuthContext, permission: Permission) =>
    auth.apiKey === undefined || hasPermission(auth.apiKey.permissions, permission)

  async function fromSessionToken (token: string): Promise<AuthContext | undefined> {
    const session = await repo.sessionByTokenHash(hashSecret(token))
    if (session === undefined) return undefined
    const user = await users.repo.byId(session.user_id)
    if (user === undefined) return undefined
    // Sliding expiry, refreshed at most hourly to spare the database a write per request.
    if (Date.now() - session.updated_at.getTime() > 3_600_000) await repo.touchSession(session.id, new Date(Date.now() + sessionMs))
    const auth: AuthContext = { user, sessionId: session.id }
    if (session.pin_expires_at !== null && session.pin_expires_at.getTime() > Date.now()) {
      auth.unlockedUntil = session.pin_expires_at
      // An open locked folder in use stays open a few minutes past its last use.
      auth.keepUnlocked = async () => {
        if (auth.unlockedUntil === undefined || auth.unlockedUntil.getTime() - Date.now() >= UNLOCK_SLIDE_MS) return
        auth.unlockedUntil = new Date(Date.now() + UNLOCK_SLIDE_MS)
        await repo.setSessionPin(session.id, auth.unlockedUntil)
      }
    }
    return auth
  }

  /**
   * Checks the caller's PIN code, or their password (which stands in for a forgotten PIN), under
   * the login throttle: guessing six digits is as slow as guessing a password.
   */
  async function checkPin (auth: AuthContext, given: { pinCode?: string, password?: string }, address: string): Promise<void> {
    if (auth.user.pin_code_hash === null) throw new BadRequestError('You have no PIN code yet: set one up first (POST /api/auth/pin-code)')
    const keys = [`pin:${auth.user.id}`]
    const wait = Math.max(perAccount.retryAfter(keys), perAddress.retryAfter([address]))
    if (wait > 0) {
      onEvent?.('login-locked', { email: auth.user.email, address, channel: 'pin' })
      throw new TooManyRequestsError(`Too many wrong PIN codes: try again in ${Math.ceil(wait)} seconds`, wait)
    }
    let ok: boolean
    if (given.password !== undefined) ok = await verifyPassword(auth.user.password_hash, given.password)
    else if (given.pinCode !== undefined) ok = await verifyPassword(auth.user.pin_code_hash, given.pinCode)
    else throw new BadRequestError('Give your PIN code (pinCode), or your password')
    if (!ok) {
      perAccount.fail(keys)
      perAddress.fail([address])
      onEvent?.('login-failed', { email: auth.user.email, address, channel: 'pin' })
      throw new BadRequestError(given.password !== undefined ? 'Wrong password' : 'Wrong PIN code')
    }
    perAccount.succeed(keys)
    perAddress.succeed([address])
  }

  const sessionOnly = (auth: AuthContext): string => {
    if (auth.sessionId === undefined) throw new BadRequestError('Only a signed-in session can be unlocked or locked, not an API key')
    return auth.sessionId
  }

  return {
    repo,
    can,

    /**
     * Checks a user name and secret: for the web login, and for protocols without sessions
     * (WebDAV Basic, SFTP). One throttle for all of them, so switching protocol buys an attacker no
     * extra guesses. `appPassword` also accepts an API key's secret as the password: of the named
     * user only, or of anyone when the client's user name cannot be trusted to match (WebDAV).
     */
    async verifyCredentials ({ email, secret, address, channel = 'web', appPassword = 'no' }: {
      email: string, secret: string, address: string, channel?: string, appPassword?: 'no' | 'same-user' | 'any-user'
    }): Promise<{ user: UserRow, via: 'password' | 'app-password' }> {
      const keys = [`account:${email.trim().toLowerCase()}`]
      const wait = Math.max(perAccount.retryAfter(keys), perAddress.retryAfter([address]))
      if (wait > 0) {
        onEvent?.('login-locked', { email, address, channel })
        throw new TooManyRequestsError(`Too many failed logins: try again in ${Math.ceil(wait)} seconds`, wait)
      }
      let user = email.trim() === '' ? undefined : await users.repo.byEmail(email.trim())
      let via: 'password' | 'app-password' | undefined
      if (appPassword !== 'no' && secret !== '') {
        // An API key is checked first: it costs one lookup, where a password costs Argon2.
        const key = await repo.apiKeyByHash(hashSecret(secret))
        if (key !== undefined && (appPassword === 'any-user' || key.user_id === user?.id)) {
          user = await users.repo.byId(key.user_id)
          via = 'app-password'
        }
      }
      if (via === undefined && await verifyPassword(user?.password_hash ?? await decoyHash(), secret)) via = 'password'
      if (user === undefined || via === undefined) {
        perAccount.fail(keys)
        perAddress.fail([address])
        onEvent?.('login-failed', { email, address, channel })
        throw new UnauthorizedError('Incorrect email or password')
      }
      perAccount.succeed(keys)
      perAddress.succeed([address])
      return { user, via }
    },

    /**
     * The same throttle and log for credentials checked outside (SFTP public keys): seconds to wait
     * before `email` or `address` may try again (0: go ahead), and recording the outcome.
     */
    throttle: {
      retryAfter: (email: string, address: string) => Math.max(perAccount.retryAfter([`account:${email.trim().toLowerCase()}`]), perAddress.retryAfter([address])),
      fail (email: string, address: string, channel: string, detail: Record<string, unknown> = {}) {
        perAccount.fail([`account:${email.trim().toLowerCase()}`])
        perAddress.fail([address])
        onEvent?.('login-failed', { email, address, channel, ...detail })
      },
      succeed (email: string, address: string) {
        perAccount.succeed([`account:${email.trim().toLowerCase()}`])
        perAddress.succeed([address])
      },
    },

    async login ({ email, password, address, deviceType = '', deviceOs = '' }: {
      email: string, password: string, address: string, deviceType?: string, deviceOs?: string
    }) {
      const { user } = await this.verifyCredentials({ email, secret: password, address })
      const token = newSecret()
      const sessionId = uuidv7()
      await repo.insertSession({ id: sessionId, userId: user.id, tokenHash: hashSecret(token), deviceType, deviceOs, expiresAt: new Date(Date.now() + sessionMs) })
      onEvent?.('login', { userId: user.id, address })
      return { user, token, sessionId }
    },

    async logout (auth: AuthContext) {
      if (auth.sessionId !== undefined) await repo.deleteSession(auth.user.id, auth.sessionId)
    },

    /** Reads credentials from headers: x-api-key, Bearer token, x-immich-user-token or the session cookie. */
    async authenticate (headers: IncomingHttpHeaders): Promise<AuthContext | undefined> {
      const apiKey = single(headers['x-api-key'])
      if (apiKey !== undefined && apiKey !== '') {
        const key = await repo.apiKeyByHash(hashSecret(apiKey))
        if (key === undefined) throw new UnauthorizedError('Invalid API key')
        const user = await users.repo.byId(key.user_id)
        if (user === undefined) throw new UnauthorizedError('Invalid API key')
        return { user, apiKey: key }
      }
      const bearer = /^Bearer\s+(\S+)$/i.exec(single(headers.authorization) ?? '')?.[1]
      const token = bearer ?? single(headers['x-immich-user-token']) ?? cookie(headers.cookie, SESSION_COOKIE) ?? cookie(headers.cookie, IMMICH_COOKIE)
      if (token === undefined || token === '') return undefined
      const auth = await fromSessionToken(token)
      if (auth === undefined) throw new UnauthorizedError('Your session has expired or was ended: log in again')
      return auth
    },

    /** Immich's GET /api/auth/status: whether a PIN is set and whether this session's locked folder is open. */
    async status (auth: AuthContext) {
      const session = auth.sessionId === undefined ? undefined : (await repo.sessionsOf(auth.user.id)).find((s) => s.id === auth.sessionId)
      return {
        pinCode: auth.user.pin_code_hash !== null,
        password: true,
        isElevated: auth.unlockedUntil !== undefined,
        expiresAt: session?.expires_at.toISOString(),
        pinExpiresAt: auth.unlockedUntil?.toISOString(),
      }
    },

    /** A first PIN code for the locked folder. */
    async setupPin (auth: AuthContext, pinCode: string) {
      if (auth.user.pin_code_hash !== null) throw new BadRequestError('You already have a PIN code: change it (PUT /api/auth/pin-code) or reset it with your password')
      await repo.setPinHash(auth.user.id, await hashPassword(pinCode))
    },

    /** A new PIN code, given the old one or the password. */
    async changePin (auth: AuthContext, given: { pinCode?: string, password?: string }, newPinCode: string, address: string) {
      await checkPin(auth, given, address)
      await repo.setPinHash(auth.user.id, await hashPassword(newPinCode))
    },

    /**
     * Removes the PIN code, given it or the password (a forgotten PIN); every session's locked
     * folder closes. The locked photos stay locked until a new PIN opens them.
     */
    async resetPin (auth: AuthContext, given: { pinCode?: string, password?: string }, address: string) {
      await checkPin(auth, given, address)
      await repo.setPinHash(auth.user.id, null)
      await repo.lockSessions(auth.user.id)
    },

    /** Opens this session's locked folder for 15 minutes (Immich's session unlock). */
    async unlock (auth: AuthContext, pinCode: string, address: string) {
      const id = sessionOnly(auth)
      await checkPin(auth, { pinCode }, address)
      await repo.setSessionPin(id, new Date(Date.now() + UNLOCK_MS))
    },

    async lock (auth: AuthContext) {
      await repo.setSessionPin(sessionOnly(auth), null)
    },

    async changePassword (auth: AuthContext, current: string, next: string) {
      if (!await verifyPassword(auth.user.password_hash, current)) throw new BadRequestError('The current password is wrong')
      const user = await users.update(auth.user.id, { password: next, shouldChangePassword: false })
      // Everyone else signed in as this user (a lost phone, say) is signed out.
      await repo.deleteOtherSessions(user.id, auth.sessionId)
      return user
    },

    /** Refuses unknown permissions, and ones stronger than the API key asking (a key cannot mint a stronger key). */
    assertGrantable (auth: AuthContext, wanted: string[]) {
      const unknown = wanted.filter((p) => !isPermission(p))
      if (unknown.length > 0) throw new BadRequestError(`permissions: unknown permission(s) ${unknown.join(', ')}`)
      if (wanted.length === 0) throw new BadRequestError('permissions: give at least one permission (or "all")')
      if (auth.apiKey !== undefined) {
        const missing = wanted.filter((p) => !hasPermission(auth.apiKey!.permissions, p as Permission))
        if (missing.length > 0) throw new ForbiddenError(`This API key cannot grant ${missing.join(', ')}`)
      }
    },

    async createApiKey (auth: AuthContext, name: string, wanted: string[]) {
      this.assertGrantable(auth, wanted)
      const secret = newSecret()
      const row = await repo.insertApiKey({ id: uuidv7(), userId: auth.user.id, name, keyHash: hashSecret(secret), permissions: wanted })
      return { secret, apiKey: row }
    },

    async getApiKey (auth: AuthContext, id: string) {
      const key = await repo.apiKeyOf(auth.user.id, id)
      if (key === undefined) throw new NotFoundError('API key')
      return key
    },
  }
}

export type AuthService = ReturnType<typeof createAuthService>

const single = (v: string | string[] | undefined) => Array.isArray(v) ? v[0] : v

function cookie (header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return undefined
}

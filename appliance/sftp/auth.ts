/**
 * Who may log in over SFTP: the user's email and password, or an app password (an API key's
 * secret, given as the password with the user's email as the user name). Failures are throttled
 * per account and per address with the same rules as the web login, and logged.
 */
import type { Logger } from 'pino'
import type { Config } from '../../node/config/schema.ts'
import type { Database } from '../../node/db/index.ts'
import { createAuthRepo } from '../../node/auth/repo.ts'
import { decoyHash, verifyPassword } from '../../node/auth/passwords.ts'
import { createLoginThrottle } from '../../node/auth/throttle.ts'
import { hashSecret } from '../../node/auth/tokens.ts'
import type { UserService } from '../../node/users/service.ts'
import type { UserRow } from '../../node/users/repo.ts'

export type SftpLoginResult = { ok: true, user: UserRow, via: 'password' | 'app-password' } | { ok: false, reason: 'locked' | 'wrong', retryAfter?: number }

export function createSftpAuthenticator ({ db, users, config, log }: { db: Database, users: UserService, config: Config, log: Logger }) {
  const repo = createAuthRepo(db)
  const perAccount = createLoginThrottle({ maxFailures: config.HEARTH_LOGIN_MAX_FAILURES, lockoutSeconds: config.HEARTH_LOGIN_LOCKOUT_SECONDS })
  const perAddress = createLoginThrottle({ maxFailures: config.HEARTH_LOGIN_MAX_FAILURES * 4, lockoutSeconds: config.HEARTH_LOGIN_LOCKOUT_SECONDS })

  return async function login (username: string, password: string, address: string): Promise<SftpLoginResult> {
    const email = username.trim()
    const keys = [`sftp-account:${email.toLowerCase()}`]
    const wait = Math.max(perAccount.retryAfter(keys), perAddress.retryAfter([address]))
    if (wait > 0) {
      log.warn({ email, address }, 'sftp login refused: too many failures')
      return { ok: false, reason: 'locked', retryAfter: wait }
    }
    const user = await users.repo.byEmail(email)
    let via: 'password' | 'app-password' | undefined
    if (await verifyPassword(user?.password_hash ?? await decoyHash(), password)) via = 'password'
    else if (user !== undefined && password !== '') {
      const key = await repo.apiKeyByHash(hashSecret(password))
      if (key !== undefined && key.user_id === user.id) via = 'app-password'
    }
    if (user === undefined || via === undefined) {
      perAccount.fail(keys)
      perAddress.fail([address])
      log.warn({ email, address }, 'sftp login failed')
      return { ok: false, reason: 'wrong' }
    }
    perAccount.succeed(keys)
    perAddress.succeed([address])
    log.info({ userId: user.id, address, via }, 'sftp login')
    return { ok: true, user, via }
  }
}

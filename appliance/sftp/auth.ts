/**
 * Who may log in over SFTP: the user's email and password, or an app password (an API key's
 * secret, given as the password with the user's email as the user name). The check, its throttle
 * and its logging are the node's (AuthService.verifyCredentials), shared with the web and WebDAV.
 */
import type { AuthService } from '../../node/auth/service.ts'
import { HttpError } from '../../node/http/errors.ts'
import type { UserRow } from '../../node/users/repo.ts'

export type SftpLoginResult = { ok: true, user: UserRow, via: 'password' | 'app-password' } | { ok: false, reason: 'locked' | 'wrong', retryAfter?: number }

export function createSftpAuthenticator ({ auth }: { auth: AuthService }) {
  return async function login (username: string, password: string, address: string): Promise<SftpLoginResult> {
    try {
      const { user, via } = await auth.verifyCredentials({ email: username, secret: password, address, channel: 'sftp', appPassword: 'same-user' })
      return { ok: true, user, via }
    } catch (err) {
      if (!(err instanceof HttpError)) throw err
      return err.status === 429
        ? { ok: false, reason: 'locked', retryAfter: Number(err.headers['retry-after']) }
        : { ok: false, reason: 'wrong' }
    }
  }
}

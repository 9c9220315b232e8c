/**
 * Who is signed in, and the server's public settings. Screens read `session.user`; changes are
 * announced with `hearth-session` on window.
 */
import { api, ApiError } from './api.ts'
import type { ServerConfig, ServerFeatures, User } from './types.ts'
import { setSignedInHint } from './lib/prefetch.ts'

export const SESSION_EVENT = 'hearth-session'

export const session = {
  user: null as User | null,
  config: null as ServerConfig | null,
  features: null as ServerFeatures | null,

  /** Loads the server's settings and, when a session cookie is valid, the user. */
  async load (): Promise<void> {
    const [config, features] = await Promise.all([
      api.get<ServerConfig>('/api/server/config'),
      api.get<ServerFeatures>('/api/server/features').catch(() => null),
    ])
    this.config = config
    this.features = features
    try {
      this.user = await api.get<User>('/api/users/me', { quiet401: true })
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err
      this.user = null
    }
    changed()
  },

  set (user: User | null): void { this.user = user; changed() },

  async logout (): Promise<void> {
    try { await api.post('/api/auth/logout', undefined, { quiet401: true }) } catch { /* the session may already be gone */ }
    this.user = null
    changed()
  },
}

function changed (): void {
  setSignedInHint(session.user !== null)
  window.dispatchEvent(new CustomEvent(SESSION_EVENT))
}

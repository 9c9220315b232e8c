import { timingSafeEqual } from 'node:crypto'
import type { Database } from '../db/index.ts'
import type { Config } from '../config/schema.ts'
import { route, type AnyRoute } from '../http/route.ts'
import { buildOpenApi } from '../http/openapi.ts'
import { ForbiddenError, UnauthorizedError } from '../http/errors.ts'
import { supportedMediaTypes } from '../assets/media-types.ts'
import type { LibraryStorage } from '../storage/library.ts'
import type { AuthService } from '../auth/service.ts'
import type { Metrics } from '../observability/metrics.ts'
import { version } from './version.ts'

/** Server information, health, metrics and the API description. */
export function serverRoutes ({ db, config, storage, auth, metrics, allRoutes, mlFeatures }: {
  db: Database, config: Config, storage: LibraryStorage, auth: AuthService, metrics: Metrics, allRoutes: () => AnyRoute[]
  /** Immich's ML flags (smartSearch, facialRecognition, ocr, duplicateDetection): true only while their models are ready. */
  mlFeatures?: () => Promise<Record<string, boolean>>
}) {
  const [major, minor, patch] = version.split('.').map(Number)
  let openapi: unknown
  return [
    route({
      method: 'GET', path: '/.well-known/immich', tag: 'Server', access: 'public',
      summary: 'Where the API is (Immich clients discover it here)',
      handler: async () => ({ api: { endpoint: '/api' } }),
    }),
    route({
      method: 'GET', path: '/api/server/ping', tag: 'Server', access: 'public', summary: 'Liveness: {"res":"pong"}',
      handler: async () => ({ res: 'pong' }),
    }),
    route({
      method: 'GET', path: '/api/server/version', tag: 'Server', access: 'public', summary: 'Hearth\'s version',
      handler: async () => ({ major, minor, patch }),
    }),
    route({
      method: 'GET', path: '/api/server/media-types', tag: 'Server', access: 'public', summary: 'File extensions Hearth accepts',
      handler: async () => supportedMediaTypes(),
    }),
    route({
      method: 'GET', path: '/api/server/features', tag: 'Server', access: 'public', summary: 'What this server can do',
      handler: async () => ({
        // Places are named offline from bundled data (node/places), always; there is no map tile server.
        smartSearch: false, facialRecognition: false, duplicateDetection: false, map: false, reverseGeocoding: true,
        importFaces: false, sidecar: true, search: true, trash: config.HEARTH_TRASH_DAYS > 0, oauth: false, oauthAutoLaunch: false,
        passwordLogin: true, configFile: false, email: false, ocr: false,
        ...(await mlFeatures?.()),
      }),
    }),
    route({
      method: 'GET', path: '/api/server/config', tag: 'Server', access: 'public', summary: 'Public settings for clients',
      handler: async () => {
        const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')
        return { loginPageMessage: '', trashDays: config.HEARTH_TRASH_DAYS, userDeleteDelay: 0, oauthButtonText: '', isInitialized: n > 0, isOnboarded: n > 0, externalDomain: config.HEARTH_PUBLIC_URL ?? '', publicUsers: false, mapDarkStyleUrl: '', mapLightStyleUrl: '' }
      },
    }),
    route({
      method: 'GET', path: '/api/server/about', tag: 'Server', access: 'user', permission: 'server.about', summary: 'Versions of Hearth and its parts',
      handler: async () => ({ version: `v${version}`, versionUrl: '', nodejs: process.version, licensed: false, database: db.engine }),
    }),
    route({
      method: 'GET', path: '/api/server/storage', tag: 'Server', access: 'user', permission: 'server.storage', summary: 'Disk use of the data folder',
      handler: async () => {
        const { free, total } = await storage.freeBytes()
        const used = total - free
        const fmt = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`
        return { diskSize: fmt(total), diskUse: fmt(used), diskAvailable: fmt(free), diskSizeRaw: total, diskUseRaw: used, diskAvailableRaw: free, diskUsagePercentage: total > 0 ? Math.round((used / total) * 10000) / 100 : 0 }
      },
    }),
    route({
      method: 'GET', path: '/api/health', tag: 'Server', access: 'public', summary: 'Readiness: the database answers and the data folder has room',
      handler: async ({ ctx }) => {
        const checks: Record<string, string> = {}
        try { await db.query('SELECT 1'); checks.database = 'ok' } catch { checks.database = 'unreachable' }
        try { const { free } = await storage.freeBytes(); checks.storage = free > config.HEARTH_MIN_FREE_SPACE ? 'ok' : 'full' } catch { checks.storage = 'unreadable' }
        const ok = Object.values(checks).every((v) => v === 'ok')
        ctx.status = ok ? 200 : 503
        return { status: ok ? 'ok' : 'degraded', version, engine: db.engine, checks }
      },
    }),
    route({
      method: 'GET', path: '/api/openapi.json', tag: 'Server', access: 'public', summary: 'This document',
      handler: async () => (openapi ??= buildOpenApi(allRoutes(), version)),
    }),
    route({
      method: 'GET', path: '/metrics', tag: 'Server', access: 'public',
      summary: 'Prometheus metrics: send HEARTH_METRICS_TOKEN as a Bearer token, or an admin\'s credentials',
      handler: async ({ ctx }) => {
        const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1]
        const token = config.HEARTH_METRICS_TOKEN
        const tokenOk = token !== undefined && bearer !== undefined && bearer.length === token.length && timingSafeEqual(Buffer.from(bearer), Buffer.from(token))
        if (!tokenOk) {
          const caller = await auth.authenticate(ctx.req.headers).catch(() => undefined)
          if (caller === undefined) throw new UnauthorizedError('Metrics need HEARTH_METRICS_TOKEN as a Bearer token, or an admin\'s credentials')
          if (!caller.user.is_admin || !auth.can(caller, 'server.metrics')) throw new ForbiddenError('Only an admin may read metrics')
        }
        ctx.type = metrics.registry.contentType
        return metrics.registry.metrics()
      },
    }),
  ]
}

import { randomUUID } from 'node:crypto'
import Koa, { type Context } from 'koa'
import { Router } from '@koa/router'
import type { Logger } from 'pino'
import type { AuthService } from '../auth/service.ts'
import { requestScope } from './context.ts'
import { parseWith, readJson } from './body.ts'
import { ForbiddenError, HttpError, ServiceUnavailableError, UnauthorizedError } from './errors.ts'
import type { AnyRoute } from './route.ts'
import type { SharedLinkAccess } from '../shared-links/service.ts'
import type { HttpMetrics } from '../observability/metrics.ts'
import { discardRest } from '../assets/upload.ts'

export interface AppDeps {
  routes: AnyRoute[]
  auth: AuthService
  log: Logger
  metrics?: HttpMetrics
  /** True once shutdown began: new requests get 503 while those in flight finish. */
  isDraining?: () => boolean
  /** Handles what no API route matched (the web UI's static files), if anything. */
  fallback?: Koa.Middleware
  /** Modules' own HTTP handling (WebDAV), after request ids and errors, before the routes. */
  middleware?: Koa.Middleware[]
  /** Lets a request with a public link's `?key=` into routes marked `sharedLink` (undefined without a key). */
  sharedLinks?: (ctx: Context) => Promise<SharedLinkAccess | undefined>
}

/** Builds the Koa application: request ids and logs, errors to JSON, auth per route, the routes. */
export function createHttpApp ({ routes, auth, log, metrics, isDraining, fallback, middleware = [], sharedLinks }: AppDeps): Koa {
  const app = new Koa({ proxy: false })
  app.silent = true

  app.use(async (ctx, next) => {
    const incoming = ctx.get('x-request-id')
    const requestId = /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID()
    const reqLog = log.child({ reqId: requestId })
    ctx.set('x-request-id', requestId)
    const started = process.hrtime.bigint()
    await requestScope.run({ requestId, log: reqLog }, async () => {
      try {
        if (isDraining?.() === true) {
          ctx.set('connection', 'close')
          discardRest(ctx.req)
          throw new ServiceUnavailableError('Hearth is shutting down; try again in a moment')
        }
        await next()
      } catch (err) {
        writeError(ctx, err, reqLog, requestId)
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9
        const routeName = (ctx.state.routePath as string | undefined) ?? 'unmatched'
        metrics?.observe(ctx.method, routeName, ctx.status, seconds)
        const level = ctx.status >= 500 ? 'error' : 'info'
        reqLog[level]({ method: ctx.method, route: routeName, path: ctx.path, status: ctx.status, ms: Math.round(seconds * 1000), userId: (ctx.state.userId as string | undefined) }, 'request')
      }
    })
  })

  for (const m of middleware) app.use(m)

  const router = new Router()
  for (const r of routes) {
    const koaPath = r.path.replace(/\{(\w+)\}/g, ':$1')
    const method = r.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'
    router[method](koaPath, async (ctx) => {
      ctx.state.routePath = r.path
      // A link's key wins over a session: a signed-in relative opening someone's link sees the link's album.
      const link = r.sharedLink === true ? await sharedLinks?.(ctx) : undefined
      const authCtx = link === undefined ? await auth.authenticate(ctx.req.headers) : undefined
      if (authCtx !== undefined) ctx.state.userId = authCtx.user.id
      if (r.access !== 'public' && link === undefined) {
        if (authCtx === undefined) throw new UnauthorizedError()
        if (r.access === 'admin' && !authCtx.user.is_admin) throw new ForbiddenError('Only an admin may do this')
        if (r.permission !== undefined && !auth.can(authCtx, r.permission)) {
          throw new ForbiddenError(`This API key lacks the "${r.permission}" permission`)
        }
      }
      const query = r.query !== undefined ? parseWith(r.query, ctx.query) : ctx.query
      const body = r.body !== undefined && typeof r.body !== 'string' ? await readJson(ctx, r.body) : undefined
      ctx.status = r.status ?? 200
      const result = await r.handler({ ctx, auth: authCtx!, body, query, params: ctx.params as Record<string, string>, link })
      if (result !== undefined) ctx.body = result
    })
  }
  app.use(router.routes())
  app.use(router.allowedMethods())
  if (fallback !== undefined) app.use(fallback)
  return app
}

/** Immich's error shape: `{ message, error, statusCode, correlationId }`. 5xx details stay in the log. */
function writeError (ctx: Context, err: unknown, log: Logger, requestId: string) {
  if (err instanceof HttpError) {
    ctx.status = err.status
    for (const [k, v] of Object.entries(err.headers)) ctx.set(k, v)
    ctx.body = { message: err.message, error: err.code, statusCode: err.status, correlationId: requestId }
    // 503 and 507 are conditions (shutting down, disk full), not faults: a warning, without a stack.
    if (err.status === 503 || err.status === 507) log.warn({ status: err.status }, err.message)
    else if (err.status >= 500) log.error({ err }, err.message)
    return
  }
  const status = (err as { status?: number }).status
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Errors thrown by Koa itself (a malformed URL, say).
    ctx.status = status
    ctx.body = { message: (err as Error).message, error: 'Bad Request', statusCode: status, correlationId: requestId }
    return
  }
  log.error({ err }, 'unhandled error')
  ctx.status = 500
  ctx.body = { message: 'Internal server error: the details are in Hearth\'s log under this correlationId', error: 'Internal Server Error', statusCode: 500, correlationId: requestId }
}

/**
 * WebDAV at /dav/ on the main port: each user's tree (Uploads read-write, Libraries and Albums
 * read-only) for mapped network drives, Finder, davfs2, rclone and phone sync apps. See README.md.
 *
 * @example
 * createNode(config, { modules: [webdavModule()] })
 */
import { dirname } from 'node:path'
import type Koa from 'koa'
import type { NodeContext, NodeModule } from '../../node/index.ts'
import { createDavAuth } from './auth.ts'
import { createDavHandler, DavError } from './handler.ts'
import { passwordAllowed } from './transport.ts'
import { createReadOnlyTree } from '../tree/readonly.ts'
import { createUploadsArea } from '../tree/uploads.ts'

export function webdavModule (): (ctx: NodeContext) => NodeModule {
  return (nc) => {
    const log = nc.log.child({ component: 'webdav' })
    const auth = createDavAuth({ auth: nc.auth, users: nc.users })
    const uploads = createUploadsArea(nc)
    const { handle, sweep, close } = createDavHandler(nc, { userRoot: (user) => dirname(uploads.rootOf(user.id)), uploads, readOnly: createReadOnlyTree(nc.db) })
    let sweeper: NodeJS.Timeout | undefined
    const runSweep = () => { sweep().catch((err: unknown) => log.error({ err }, 'could not make unlocked WebDAV uploads assets')) }

    const middleware: Koa.Middleware = async (ctx, next) => {
      if (ctx.path !== '/dav' && !ctx.path.startsWith('/dav/')) return next()
      ctx.set('DAV', '1, 2')
      ctx.set('MS-Author-Via', 'DAV')
      ctx.set('Allow', 'OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND, PROPPATCH, LOCK, UNLOCK')
      try {
        if (ctx.method === 'OPTIONS') { ctx.status = 200; ctx.body = ''; return }
        const peer = ctx.req.socket.remoteAddress ?? ''
        if (!passwordAllowed(nc.config.HEARTH_WEBDAV_ALLOW_HTTP, { encrypted: 'encrypted' in ctx.req.socket, peer, forwardedProto: ctx.get('x-forwarded-proto') || undefined, forwardedFor: ctx.get('x-forwarded-for') || undefined })) {
          // Refused before any challenge, so the client never sends the password in the clear.
          log.warn({ address: peer, forwardedFor: ctx.get('x-forwarded-for') || undefined }, 'WebDAV over plain HTTP from outside the LAN refused')
          throw new DavError(403, 'WebDAV takes passwords only over HTTPS from outside your home network: use an https:// address (or see HEARTH_WEBDAV_ALLOW_HTTP)')
        }
        const outcome = await auth.check(ctx.get('authorization') || undefined, ctx.req.socket.remoteAddress ?? 'unknown')
        if (outcome === undefined || 'retryAfter' in outcome) {
          if (outcome !== undefined) ctx.set('Retry-After', String(Math.ceil(outcome.retryAfter)))
          ctx.set('WWW-Authenticate', 'Basic realm="Hearth", charset="UTF-8"')
          ctx.status = 401
          ctx.type = 'text/plain'
          ctx.body = outcome === undefined ? 'Log in with your Hearth email and password, or an API key as the password\n' : 'Too many failed logins: try again later\n'
          return
        }
        await handle(ctx, outcome.user)
      } catch (err) {
        const status = err instanceof DavError ? err.status : 500
        if (status === 500) log.error({ err, method: ctx.method, path: ctx.path }, 'WebDAV request failed')
        else log.debug({ status, method: ctx.method, path: ctx.path, reason: (err as Error).message }, 'WebDAV request refused')
        // Whatever the client still sends is read and thrown away, so the connection stays usable.
        if (!ctx.req.readableEnded) ctx.req.resume()
        ctx.status = status
        ctx.type = 'text/plain'
        ctx.body = `${(err as Error).message || String(status)}\n`
      }
    }
    return {
      name: 'webdav',
      middleware,
      // Locks live in memory: after a restart every upload that waited for its UNLOCK is unlocked, so
      // it becomes an asset now; later, an upload whose lock expires without an UNLOCK does as the
      // lock expires (the lock manager's timer), and the minute sweep catches anything left over.
      async start () { await sweep(); sweeper = setInterval(runSweep, 60_000).unref() },
      async stop () { clearInterval(sweeper); close() },
    }
  }
}

/**
 * The WebDAV methods (RFC 4918 class 1 and 2) over the per-user tree. Requests arrive through Koa;
 * bodies are streamed (PUT goes straight to a hashed temporary file), XML bodies are read up to 1 MB.
 */
import { createReadStream, type Stats } from 'node:fs'
import { cp, mkdir, readdir, rename, rm, stat, writeFile, copyFile } from 'node:fs/promises'
import type Koa from 'koa'
import type { NodeContext } from '../../node/index.ts'
import type { UserRow } from '../../node/users/repo.ts'
import { DiskFullError, TooLargeError, type WrittenFile } from '../../node/storage/library.ts'
import { mediaTypeOf } from '../../node/assets/media-types.ts'
import { EscapeError, type ReadOnlyTree } from '../tree/readonly.ts'
import type { UploadsArea } from '../tree/uploads.ts'
import { createLockManager, parseIfHeader, submittedTokens, type Lock } from './locks.ts'
import { child, elements, escapeXml, parseXml, serialize, XmlError, type XmlElement } from './xml.ts'
import { AREAS, davPath, hrefOf, PathError, segmentsOf, targetOf, uploadsRel, type Target } from './tree.ts'
export { isScratchName } from '../tree/uploads.ts'

const DAV = 'DAV:'
export class DavError extends Error {
  readonly status: number
  constructor (status: number, message = '') { super(message); this.status = status }
}

interface Resource { target: Target, collection: boolean, size: number, mtime: Date, ctime: Date, /** a read-only file's location */ file?: string }

const httpDate = (d: Date) => d.toUTCString()
const etagOf = (r: Resource) => `"${r.size.toString(16)}-${Math.floor(r.mtime.getTime()).toString(16)}${r.collection ? '-c' : ''}"`
const started = new Date()

export function createDavHandler (nc: NodeContext, { userRoot, uploads, readOnly }: { userRoot: (user: UserRow) => string, uploads: UploadsArea, readOnly: ReadOnlyTree }) {
  const locks = createLockManager({
    onExpire: () => { sweep().catch((err: unknown) => nc.log.error({ err, component: 'webdav' }, 'could not make uploads whose WebDAV lock expired assets')) },
  })
  /** Dead properties by file path: kept in memory, carried by COPY and MOVE, dropped by DELETE. */
  const deadProps = new Map<string, Map<string, { ns: string, local: string, xml: string }>>()

  async function resource (target: Target): Promise<Resource | undefined> {
    if (target.readOnly !== undefined) {
      const n = await readOnly.resolve(target.readOnly.userId, target.segments)
      if (n === undefined) return undefined
      return n.kind === 'dir'
        ? { target, collection: true, size: 0, mtime: n.mtime, ctime: n.mtime }
        : { target, collection: false, size: n.size, mtime: n.mtime, ctime: n.mtime, file: n.file }
    }
    if (target.fsPath === undefined) return target.fixed ? { target, collection: true, size: 0, mtime: started, ctime: started } : undefined
    let st: Stats
    try { st = await stat(target.fsPath) } catch { return undefined }
    return { target, collection: st.isDirectory(), size: st.isDirectory() ? 0 : st.size, mtime: st.mtime, ctime: st.birthtime.getTime() > 0 ? st.birthtime : st.ctime }
  }

  async function childrenOf (r: Resource, root: string): Promise<Resource[]> {
    const segs = r.target.segments
    if (segs.length === 0) return (await Promise.all(AREAS.map((a) => resource(targetOf([a], root))))).filter((x) => x !== undefined)
    if (r.target.readOnly !== undefined) {
      return ((await readOnly.list(r.target.readOnly.userId, segs)) ?? []).map((n) => {
        const target = targetOf([...segs, n.name], root)
        return n.kind === 'dir'
          ? { target, collection: true, size: 0, mtime: n.mtime, ctime: n.mtime }
          : { target, collection: false, size: n.size, mtime: n.mtime, ctime: n.mtime, file: n.file }
      })
    }
    if (r.target.fsPath === undefined) return []
    const names = await readdir(r.target.fsPath)
    return (await Promise.all(names.sort().map((n) => resource(targetOf([...segs, n], root))))).filter((x) => x !== undefined)
  }

  async function readBody (ctx: Koa.Context, limit = 1 << 20): Promise<string> {
    const chunks: Buffer[] = []
    let n = 0
    for await (const c of ctx.req as AsyncIterable<Buffer>) {
      n += c.length
      if (n > limit) throw new DavError(413, 'request body too large')
      chunks.push(c)
    }
    return Buffer.concat(chunks).toString('utf8')
  }
  const hasBody = (ctx: Koa.Context) => Number(ctx.get('content-length') || '0') > 0 || ctx.get('transfer-encoding') !== ''

  async function readXml (ctx: Koa.Context): Promise<XmlElement | undefined> {
    const text = await readBody(ctx)
    if (text.trim() === '') return undefined
    try { return parseXml(text) } catch (err) { if (err instanceof XmlError) throw new DavError(400, `bad XML: ${err.message}`); throw err }
  }

  function targetOfUrl (url: string, ctx: Koa.Context, root: string): Target {
    let u: URL
    try { u = new URL(url, `http://${ctx.get('host') || 'localhost'}`) } catch { throw new DavError(400, 'bad URL') }
    let segs: string[]
    try { segs = segmentsOf(u.pathname) } catch (err) { if (err instanceof PathError) throw new DavError(u.pathname.startsWith('/dav') ? 400 : 502, err.message); throw err }
    return targetOf(segs, root)
  }

  /** Evaluates the If header and refuses writes to locked resources whose token was not submitted. */
  async function checkLocks (ctx: Koa.Context, user: UserRow, root: string, writes: Array<{ target: Target, descendants: boolean }>) {
    const header = ctx.get('if')
    const lists = header === '' ? undefined : parseIfHeader(header)
    if (header !== '' && lists === undefined) throw new DavError(400, 'malformed If header')
    if (lists !== undefined) {
      let pass = false
      for (const list of lists) {
        const target = list.resource !== undefined ? targetOfUrl(list.resource, ctx, root) : writes[0]?.target
        if (target === undefined) continue
        const path = davPath(target.segments)
        const r = await resource(target)
        const ok = list.conditions.every((c) => {
          const v = c.token !== undefined ? locks.covering(path).some((l) => l.token === c.token) : (r !== undefined && etagOf(r) === c.etag)
          return c.not ? !v : v
        })
        if (ok) { pass = true; break }
      }
      if (!pass) throw new DavError(412, 'If header condition failed')
    }
    const tokens = submittedTokens(lists)
    for (const w of writes) {
      for (const l of locks.covering(davPath(w.target.segments), w.descendants)) {
        if (!tokens.has(l.token) || l.userId !== user.id) throw new DavError(423, 'locked')
      }
    }
  }

  const propKey = (ns: string, local: string) => `${ns}\u0000${local}`
  const nsAttr = (ns: string) => ns === '' ? ' xmlns=""' : ` xmlns:X="${escapeXml(ns)}"`
  const emptyProp = (ns: string, local: string) => ns === DAV ? `<D:${local}/>` : ns === '' ? `<${local} xmlns=""/>` : `<X:${local}${nsAttr(ns)}/>`

  function lockXml (l: Lock, root: string) {
    return `<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:${l.scope}/></D:lockscope><D:depth>${l.depth === '0' ? '0' : 'infinity'}</D:depth>` +
      (l.owner !== '' ? `<D:owner>${l.owner}</D:owner>` : '') +
      `<D:timeout>Second-${Math.max(0, Math.round((l.expires - Date.now()) / 1000))}</D:timeout><D:locktoken><D:href>${escapeXml(l.token)}</D:href></D:locktoken>` +
      `<D:lockroot><D:href>${escapeXml(hrefOf(targetOf(l.path.split('/').filter((s) => s !== ''), root).segments, false))}</D:href></D:lockroot></D:activelock>`
  }

  const liveNames = ['creationdate', 'displayname', 'getcontentlength', 'getcontenttype', 'getetag', 'getlastmodified', 'resourcetype', 'supportedlock', 'lockdiscovery']
  function liveProp (r: Resource, name: string, root: string): string | undefined {
    switch (name) {
      case 'creationdate': return r.ctime.toISOString()
      case 'displayname': return escapeXml(r.target.segments.at(-1) ?? '')
      case 'getcontentlength': return r.collection ? undefined : String(r.size)
      case 'getcontenttype': return r.collection ? 'httpd/unix-directory' : (mediaTypeOf(r.target.segments.at(-1) ?? '')?.mime ?? 'application/octet-stream')
      case 'getetag': return escapeXml(etagOf(r))
      case 'getlastmodified': return httpDate(r.mtime)
      case 'resourcetype': return r.collection ? '<D:collection/>' : ''
      case 'supportedlock': return r.target.writable || r.target.fsPath !== undefined
        ? '<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry><D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>'
        : ''
      case 'lockdiscovery': return locks.covering(davPath(r.target.segments)).map((l) => lockXml(l, root)).join('')
      default: return undefined
    }
  }

  function propfindResponse (r: Resource, mode: 'allprop' | 'propname' | 'prop', wanted: XmlElement[], root: string): string {
    const found: string[] = []
    const missing: string[] = []
    const dead = r.target.fsPath !== undefined ? deadProps.get(r.target.fsPath) : undefined
    if (mode === 'prop') {
      for (const w of wanted) {
        const live = w.ns === DAV ? liveProp(r, w.local, root) : undefined
        if (live !== undefined) { found.push(`<D:${w.local}>${live}</D:${w.local}>`); continue }
        const d = dead?.get(propKey(w.ns, w.local))
        if (d !== undefined) found.push(d.xml)
        else missing.push(emptyProp(w.ns, w.local))
      }
    } else {
      for (const n of liveNames) {
        const live = liveProp(r, n, root)
        if (live !== undefined) found.push(mode === 'propname' ? `<D:${n}/>` : `<D:${n}>${live}</D:${n}>`)
      }
      for (const d of dead?.values() ?? []) found.push(mode === 'propname' ? emptyProp(d.ns, d.local) : d.xml)
    }
    const stat = (props: string[], status: string) => props.length === 0 ? '' : `<D:propstat><D:prop>${props.join('')}</D:prop><D:status>HTTP/1.1 ${status}</D:status></D:propstat>`
    return `<D:response><D:href>${escapeXml(hrefOf(r.target.segments, r.collection))}</D:href>${stat(found, '200 OK')}${stat(missing, '404 Not Found')}</D:response>`
  }

  const multistatus = (ctx: Koa.Context, inner: string) => {
    ctx.status = 207
    ctx.type = 'application/xml; charset=utf-8'
    ctx.body = `<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">${inner}</D:multistatus>`
  }

  function moveProps (from: string, to: string, keepSource: boolean) {
    for (const [p, v] of [...deadProps]) {
      if (p === from || p.startsWith(from + '/')) {
        deadProps.set(to + p.slice(from.length), new Map(v))
        if (!keepSource) deadProps.delete(p)
      }
    }
  }
  function dropProps (path: string) { for (const p of [...deadProps.keys()]) if (p === path || p.startsWith(path + '/')) deadProps.delete(p) }

  const methods: Record<string, (ctx: Koa.Context, user: UserRow, t: Target, root: string) => Promise<void>> = {
    async OPTIONS (ctx) {
      ctx.status = 200
      ctx.body = ''
    },

    async GET (ctx, _user, t, root) {
      const r = await resource(t)
      if (r === undefined) throw new DavError(404)
      ctx.set('etag', etagOf(r))
      ctx.set('last-modified', httpDate(r.mtime))
      if (r.collection) {
        const kids = await childrenOf(r, root)
        ctx.type = 'text/html; charset=utf-8'
        ctx.body = `<!doctype html><title>Hearth</title><ul>${kids.map((k) => `<li><a href="${escapeXml(hrefOf(k.target.segments, k.collection))}">${escapeXml(k.target.segments.at(-1)!)}${k.collection ? '/' : ''}</a></li>`).join('')}</ul>`
        return
      }
      ctx.set('accept-ranges', 'bytes')
      ctx.type = mediaTypeOf(t.segments.at(-1)!)?.mime ?? 'application/octet-stream'
      const range = /^bytes=(\d*)-(\d*)$/.exec(ctx.get('range'))
      if (range !== null && (range[1] !== '' || range[2] !== '') && (ctx.get('if-range') === '' || ctx.get('if-range') === etagOf(r))) {
        let start = range[1] === '' ? Math.max(0, r.size - Number(range[2])) : Number(range[1])
        let end = range[1] === '' ? r.size - 1 : range[2] === '' ? r.size - 1 : Math.min(Number(range[2]), r.size - 1)
        if (start >= r.size || start > end) { ctx.status = 416; ctx.set('content-range', `bytes */${r.size}`); ctx.body = ''; return }
        start = Math.max(0, start); end = Math.max(start, end)
        // A null body makes Koa answer 204 and drop Content-Length: HEAD sets it first, then the status and length.
        if (ctx.method === 'HEAD') ctx.body = null
        else ctx.body = createReadStream(r.file ?? t.fsPath!, { start, end })
        ctx.status = 206
        ctx.set('content-range', `bytes ${start}-${end}/${r.size}`)
        ctx.length = end - start + 1
        return
      }
      if (ctx.method === 'HEAD') ctx.body = null
      else ctx.body = createReadStream(r.file ?? t.fsPath!)
      ctx.status = 200
      ctx.length = r.size
    },

    async PUT (ctx, user, t, root) {
      if (!t.writable) throw new DavError(t.fixed ? 405 : 403, 'read-only')
      const existing = await resource(t)
      if (existing?.collection === true) throw new DavError(405, 'a collection is there')
      const parent = await resource(targetOf(t.segments.slice(0, -1), root))
      if (parent === undefined || !parent.collection) throw new DavError(409, 'the parent folder does not exist')
      await checkLocks(ctx, user, root, [{ target: t, descendants: false }])
      let file: WrittenFile
      try {
        file = await nc.storage.writeTemp(ctx.req, { limit: nc.config.HEARTH_MAX_UPLOAD_SIZE })
      } catch (err) {
        if (err instanceof TooLargeError) throw new DavError(413, err.message)
        // The client went away mid-upload: writeTemp has removed the partial file; nothing is kept.
        if (ctx.req.destroyed || (err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as Error).message === 'aborted') {
          nc.log.info({ userId: user.id, path: davPath(t.segments) }, 'WebDAV upload abandoned by the client; discarded')
          throw new DavError(400, 'upload abandoned')
        }
        throw err
      }
      try {
        // Still locked by the client (Windows, Finder): it becomes an asset when it is unlocked.
        const deferred = locks.covering(davPath(t.segments)).length > 0
        await uploads.complete(user, file, uploadsRel(t), { deferred, via: 'dav' })
      } finally {
        await nc.storage.discard(file.tempPath).catch(() => {})
      }
      const written = await resource(t)
      if (written !== undefined) ctx.set('etag', etagOf(written))
      ctx.body = null
      ctx.status = existing === undefined ? 201 : 204
    },

    async DELETE (ctx, user, t, root) {
      if (!t.writable) throw new DavError(403, 'read-only')
      if (await resource(t) === undefined) throw new DavError(404)
      await checkLocks(ctx, user, root, [{ target: t, descendants: true }])
      await rm(t.fsPath!, { recursive: true, force: true })
      await uploads.removed(user, uploadsRel(t))
      dropProps(t.fsPath!)
      locks.removeUnder(davPath(t.segments))
      ctx.body = null
      ctx.status = 204
    },

    async MKCOL (ctx, user, t, root) {
      if (hasBody(ctx)) { await readBody(ctx); throw new DavError(415, 'MKCOL with a body is not supported') }
      if (t.readOnly !== undefined && !t.fixed) throw new DavError(403, 'read-only')
      if (await resource(t) !== undefined) throw new DavError(405, 'already exists')
      if (!t.writable) throw new DavError(403, 'read-only')
      const parent = await resource(targetOf(t.segments.slice(0, -1), root))
      if (parent === undefined || !parent.collection) throw new DavError(409, 'the parent folder does not exist')
      await checkLocks(ctx, user, root, [{ target: t, descendants: false }])
      await mkdir(t.fsPath!)
      ctx.body = null
      ctx.status = 201
    },

    async COPY (ctx, user, t, root) { await copyOrMove(ctx, user, t, root, false) },
    async MOVE (ctx, user, t, root) { await copyOrMove(ctx, user, t, root, true) },

    async PROPFIND (ctx, _user, t, root) {
      const depth = ctx.get('depth') || 'infinity'
      if (depth !== '0' && depth !== '1') {
        ctx.status = 403
        ctx.type = 'application/xml; charset=utf-8'
        ctx.body = '<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>'
        return
      }
      const body = await readXml(ctx)
      let mode: 'allprop' | 'propname' | 'prop' = 'allprop'
      let wanted: XmlElement[] = []
      if (body !== undefined) {
        if (body.ns !== DAV || body.local !== 'propfind') throw new DavError(400, 'expected DAV:propfind')
        const prop = child(body, DAV, 'prop')
        if (prop !== undefined) { mode = 'prop'; wanted = elements(prop) } else if (child(body, DAV, 'propname') !== undefined) mode = 'propname'
        else if (child(body, DAV, 'allprop') === undefined) throw new DavError(400, 'empty propfind')
      }
      const r = await resource(t)
      if (r === undefined) throw new DavError(404)
      const all = depth === '1' && r.collection ? [r, ...await childrenOf(r, root)] : [r]
      multistatus(ctx, all.map((x) => propfindResponse(x, mode, wanted, root)).join(''))
    },

    async PROPPATCH (ctx, user, t, root) {
      const body = await readXml(ctx)
      if (body === undefined || body.ns !== DAV || body.local !== 'propertyupdate') throw new DavError(400, 'expected DAV:propertyupdate')
      const r = await resource(t)
      if (r === undefined) throw new DavError(404)
      if (t.fsPath === undefined || t.fixed) throw new DavError(403, 'read-only')
      await checkLocks(ctx, user, root, [{ target: t, descendants: false }])
      const ops: Array<{ set: boolean, el: XmlElement }> = []
      for (const op of elements(body)) {
        if (op.ns !== DAV || (op.local !== 'set' && op.local !== 'remove')) continue
        for (const prop of elements(op).filter((e) => e.ns === DAV && e.local === 'prop')) for (const el of elements(prop)) ops.push({ set: op.local === 'set', el })
      }
      const protectedOne = ops.some((o) => o.el.ns === DAV && liveNames.includes(o.el.local))
      const results = ops.map((o) => `<D:propstat><D:prop>${emptyProp(o.el.ns, o.el.local)}</D:prop><D:status>HTTP/1.1 ${
        protectedOne ? (o.el.ns === DAV && liveNames.includes(o.el.local) ? '403 Forbidden' : '424 Failed Dependency') : '200 OK'}</D:status></D:propstat>`)
      if (!protectedOne) {
        const map = deadProps.get(t.fsPath) ?? new Map()
        for (const o of ops) {
          const k = propKey(o.el.ns, o.el.local)
          if (o.set) map.set(k, { ns: o.el.ns, local: o.el.local, xml: serialize(o.el) })
          else map.delete(k)
        }
        deadProps.set(t.fsPath, map)
      }
      multistatus(ctx, `<D:response><D:href>${escapeXml(hrefOf(t.segments, r.collection))}</D:href>${results.join('')}</D:response>`)
    },

    async LOCK (ctx, user, t, root) {
      const body = await readXml(ctx)
      const path = davPath(t.segments)
      const timeoutHeader = /Second-(\d+)/i.exec(ctx.get('timeout'))
      const timeout = timeoutHeader !== null ? Math.min(Number(timeoutHeader[1]), 604_800) : 3600
      if (body === undefined) {
        // A refresh: the If header names the lock.
        const tokens = submittedTokens(parseIfHeader(ctx.get('if')))
        const lock = locks.covering(path).find((l) => tokens.has(l.token))
        if (lock === undefined) throw new DavError(412, 'no lock to refresh')
        locks.refresh(lock, timeout)
        ctx.status = 200
        ctx.type = 'application/xml; charset=utf-8'
        ctx.body = `<?xml version="1.0" encoding="utf-8"?>\n<D:prop xmlns:D="DAV:"><D:lockdiscovery>${lockXml(lock, root)}</D:lockdiscovery></D:prop>`
        return
      }
      if (t.fsPath === undefined || (!t.writable && !t.fixed)) throw new DavError(403, 'read-only')
      if (body.ns !== DAV || body.local !== 'lockinfo') throw new DavError(400, 'expected DAV:lockinfo')
      const scopeEl = child(body, DAV, 'lockscope')
      const scope = scopeEl !== undefined && child(scopeEl, DAV, 'shared') !== undefined ? 'shared' : 'exclusive'
      const ownerEl = child(body, DAV, 'owner')
      const owner = ownerEl === undefined ? '' : ownerEl.children.map((c) => typeof c === 'string' ? escapeXml(c) : serialize(c)).join('')
      const depthHeader = ctx.get('depth') || 'infinity'
      if (depthHeader !== '0' && depthHeader !== 'infinity') throw new DavError(400, 'Depth must be 0 or infinity')
      const conflicts = locks.covering(path, depthHeader === 'infinity')
      if (conflicts.some((l) => l.scope === 'exclusive' || scope === 'exclusive')) throw new DavError(423, 'already locked')
      await checkLocks(ctx, user, root, [])
      let status = 200
      if (await resource(t) === undefined) {
        const parent = await resource(targetOf(t.segments.slice(0, -1), root))
        if (parent === undefined || !parent.collection) throw new DavError(409, 'the parent folder does not exist')
        await writeFile(t.fsPath, '', { flag: 'wx' })
        status = 201
      }
      const lock = locks.create({ path, userId: user.id, scope, depth: depthHeader === '0' ? '0' : 'infinity', owner, timeoutSeconds: timeout })
      ctx.status = status
      ctx.set('lock-token', `<${lock.token}>`)
      ctx.type = 'application/xml; charset=utf-8'
      ctx.body = `<?xml version="1.0" encoding="utf-8"?>\n<D:prop xmlns:D="DAV:"><D:lockdiscovery>${lockXml(lock, root)}</D:lockdiscovery></D:prop>`
    },

    async UNLOCK (ctx, user, t) {
      const token = /^<(.+)>$/.exec(ctx.get('lock-token').trim())?.[1]
      if (token === undefined) throw new DavError(400, 'Lock-Token header missing')
      const lock = locks.covering(davPath(t.segments)).find((l) => l.token === token)
      if (lock === undefined || lock.userId !== user.id) throw new DavError(409, 'no such lock on this resource')
      locks.remove(token)
      if (t.fsPath !== undefined && t.writable) await uploads.release(user, uploadsRel(t), (rel) => locks.covering(`/Uploads/${rel}`).length > 0)
      ctx.body = null
      ctx.status = 204
    },
  }
  methods.HEAD = methods.GET

  async function copyOrMove (ctx: Koa.Context, user: UserRow, t: Target, root: string, move: boolean) {
    const destHeader = ctx.get('destination')
    if (destHeader === '') throw new DavError(400, 'Destination header missing')
    const dest = targetOfUrl(destHeader, ctx, root)
    const src = await resource(t)
    if (src === undefined) throw new DavError(404)
    // A read-only file may be copied into /Uploads (never a folder: a share's symlinks must not come along).
    if ((t.fsPath === undefined && (src.file === undefined || move)) || (move && !t.writable)) throw new DavError(403, 'read-only')
    if (!dest.writable) throw new DavError(403, 'the destination is read-only')
    const from = src.file ?? t.fsPath!, to = dest.fsPath!
    if (from === to) throw new DavError(403, 'source and destination are the same')
    if (to.startsWith(from + '/')) throw new DavError(403, 'cannot copy or move a folder into itself')
    const overwrite = ctx.get('overwrite').toUpperCase() !== 'F'
    const existing = await resource(dest)
    if (existing !== undefined && !overwrite) throw new DavError(412, 'the destination exists')
    const parent = await resource(targetOf(dest.segments.slice(0, -1), root))
    if (parent === undefined || !parent.collection) throw new DavError(409, 'the destination folder does not exist')
    await checkLocks(ctx, user, root, [...(move ? [{ target: t, descendants: true }] : []), { target: dest, descendants: true }])
    if (existing !== undefined) { await rm(to, { recursive: true, force: true }); dropProps(to) }
    if (src.file !== undefined) {
      await copyFile(src.file, to)
      if (existing !== undefined) await uploads.removed(user, uploadsRel(dest))
    } else if (move) {
      await rename(from, to)
      moveProps(from, to, false)
      locks.removeUnder(davPath(t.segments))
      await uploads.moved(user, uploadsRel(t), uploadsRel(dest), { isFile: !src.collection, via: 'dav' })
    } else if (src.collection && ctx.get('depth') === '0') {
      await mkdir(to)
      const p = deadProps.get(from)
      if (p !== undefined) deadProps.set(to, new Map(p))
    } else {
      await cp(from, to, { recursive: true, errorOnExist: true, force: false })
      moveProps(from, to, true)
      await uploads.copied(user, uploadsRel(t), uploadsRel(dest))
    }
    ctx.body = null
    ctx.status = existing === undefined ? 201 : 204
  }

  /** Deferred uploads whose locks are gone (expired, or lost in a restart) become assets. */
  async function sweep () {
    await uploads.releaseAll((userId, rel) => locks.covering(`/Uploads/${rel}`).some((l) => l.userId === userId))
  }

  /** Handles one authenticated request for `user`. */
  async function handle (ctx: Koa.Context, user: UserRow) {
    const root = userRoot(user)
    await mkdir(`${root}/Uploads`, { recursive: true })
    let segments: string[]
    try { segments = segmentsOf(ctx.path) } catch (err) {
      if (err instanceof PathError) throw new DavError(400, err.message)
      throw err
    }
    // Koa decodes nothing, but a raw ".." segment may also come percent-encoded or in the raw URL.
    if (/(^|\/)(\.|%2e){2}(\/|$)/i.test(ctx.url.split('?')[0])) throw new DavError(400, 'path escapes the tree')
    const t = targetOf(segments, root)
    const method = methods[ctx.method]
    if (method === undefined) throw new DavError(405, `${ctx.method} is not supported`)
    try {
      await method(ctx, user, t, root)
    } catch (err) {
      if (err instanceof DiskFullError) throw new DavError(507, err.message)
      if (err instanceof EscapeError) throw new DavError(403, err.message)
      if ((err as { status?: number }).status === 507) throw new DavError(507, (err as Error).message)
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new DavError(507, 'the disk is full')
      if (code === 'ENOENT') throw new DavError(409, 'a folder on the way does not exist')
      if (code === 'EEXIST') throw new DavError(405, 'already exists')
      if (code === 'ENOTDIR') throw new DavError(409, 'not a folder')
      throw err
    }
  }
  return { handle, sweep, close: () => { locks.close() } }
}

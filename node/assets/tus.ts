/**
 * Resumable uploads with tus (https://tus.io) at `/api/upload/tus`, for large videos over flaky
 * connections: POST creates an upload (Upload-Length, Upload-Metadata with `filename` and
 * optionally `fileCreatedAt`, `fileModifiedAt`, `deviceAssetId`, `deviceId`, `isFavorite`), PATCH
 * sends bytes from Upload-Offset, HEAD tells where to resume after a disconnect. Same credentials
 * as the rest of the API; each upload belongs to the user who made it (another user's upload is a
 * 404). The size is checked against the quota, the disk and HEARTH_MAX_UPLOAD_SIZE before a byte is
 * taken. Bytes are staged in `library/.uploads/` (same file system as the library, and not swept at
 * start-up as `.partial/` is, so an upload survives a restart); on completion the file is fsynced,
 * hashed and handed to the same durable path as `POST /api/assets` (`assets.store`): exactly one
 * asset, a duplicate of an existing one by SHA-1 is reported as such. Unfinished uploads expire
 * (HEARTH_UPLOAD_EXPIRY_HOURS after they were started) and are removed hourly.
 *
 * The reply to the last PATCH carries `Hearth-Asset-Id` and `Hearth-Asset-Status` (created or duplicate).
 *
 * A crash after the last byte arrived but before the import finished leaves a complete upload in
 * `.uploads/`: `recover()` (at start-up, before the node listens) imports it then, once (a second
 * import of the same bytes would be the same SHA-1, reported as a duplicate, never a second asset),
 * and removes, with a log line, what cannot be imported (unreadable info, more bytes than announced,
 * an owner who is gone, a type Hearth does not take). Unfinished uploads stay for the client to resume.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type Koa from 'koa'
import type { Logger } from 'pino'
import { Server } from '@tus/server'
import { FileStore } from '@tus/file-store'
import { Upload } from '@tus/utils'
import type { Config } from '../config/schema.ts'
import type { AuthService } from '../auth/service.ts'
import { ForbiddenError, HttpError, ServiceUnavailableError, UnauthorizedError } from '../http/errors.ts'
import type { UserRow } from '../users/repo.ts'
import { safeFileName, type LibraryStorage } from '../storage/library.ts'
import { mediaTypeOf } from './media-types.ts'
import type { AssetService, UploadOutcome } from './service.ts'
import { formatBytes } from './upload.ts'

export const TUS_PATH = '/api/upload/tus'

/** What tus sends back for a refused request. */
const refuse = (status: number, message: string) => ({ status_code: status, body: `${message}\n` })

export function createTusUploads ({ auth, assets, storage, config, log, onCreated, expiryMs }: {
  auth: AuthService, assets: AssetService, storage: LibraryStorage, config: Config, log: Logger
  onCreated: (outcome: UploadOutcome) => Promise<void>
  expiryMs: number
}) {
  const directory = join(storage.root, '.uploads')
  const store = new FileStore({ directory, expirationPeriodInMilliseconds: expiryMs })
  const caller = new AsyncLocalStorage<UserRow>()
  const user = () => {
    const u = caller.getStore()
    if (u === undefined) throw refuse(401, 'Authentication required')
    return u
  }
  const ownerOf = (id: string) => id.split('_')[0]

  async function limitsLeft (u: UserRow) {
    const { free } = await storage.freeBytes()
    return {
      quota: u.quota_size_in_bytes === null ? Number.POSITIVE_INFINITY : Math.max(0, u.quota_size_in_bytes - u.quota_usage_in_bytes),
      disk: Math.max(0, free - config.HEARTH_MIN_FREE_SPACE),
    }
  }

  async function hashFile (path: string) {
    const fh = await open(path, 'r+')
    try { await fh.sync() } finally { await fh.close() }
    const sha1 = createHash('sha1')
    const sha256 = createHash('sha256')
    let size = 0
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      sha1.update(chunk); sha256.update(chunk); size += chunk.length
    }
    return { size, sha1: sha1.digest(), sha256: sha256.digest() }
  }

  const parseDate = (v: string | null | undefined) => {
    if (v === undefined || v === null || v === '') return undefined
    const d = new Date(v)
    return Number.isNaN(d.getTime()) ? undefined : d
  }

  /** Makes a completed upload an asset of `u` and removes the staged file (the library holds its own link). */
  async function complete (u: UserRow, upload: Upload, { keepOnUnexpectedError = false } = {}): Promise<UploadOutcome> {
    let keep = false
    const meta = upload.metadata ?? {}
    const fileName = safeFileName(meta.filename ?? meta.name ?? 'upload')
    const media = mediaTypeOf(fileName)
    try {
      if (media === undefined) throw refuse(400, `Unsupported file type: ${fileName}`)
      const tempPath = join(directory, upload.id)
      const hashed = await hashFile(tempPath)
      const created = parseDate(meta.fileCreatedAt) ?? parseDate(meta.fileModifiedAt) ?? new Date()
      const outcome = await assets.store(u, { tempPath, ...hashed }, {
        fileName, type: media.type, mime: media.mime, created, modified: parseDate(meta.fileModifiedAt) ?? created,
        deviceAssetId: meta.deviceAssetId ?? `tus:${upload.id}`, deviceId: meta.deviceId ?? 'web', isFavorite: meta.isFavorite === 'true', visibility: 'timeline',
      })
      log.info({ userId: u.id, assetId: outcome.id, status: outcome.status, size: hashed.size }, 'resumable upload stored')
      if (outcome.status === 'created') await onCreated(outcome).catch((err: unknown) => log.error({ err, assetId: outcome.id }, 'could not queue the new asset'))
      return outcome
    } catch (err) {
      if (err instanceof HttpError) throw refuse(err.status, err.message)
      if (typeof err === 'object' && err !== null && 'status_code' in err) throw err
      keep = keepOnUnexpectedError
      throw err
    } finally {
      if (!keep) await store.remove(upload.id).catch(() => {})
    }
  }

  const server = new Server({
    path: TUS_PATH,
    datastore: store,
    relativeLocation: true,
    maxSize: config.HEARTH_MAX_UPLOAD_SIZE,
    // The owner's id is part of the upload's id: nobody else can reach it.
    namingFunction: () => `${user().id}_${randomBytes(16).toString('hex')}`,
    onIncomingRequest: async (_req, id) => {
      if (ownerOf(id) !== user().id) throw refuse(404, 'Upload not found')
    },
    onUploadCreate: async (_req, upload) => {
      const u = user()
      if (upload.size === undefined) throw refuse(400, 'Upload-Length is required: Hearth checks the size against your quota before taking the file')
      const name = upload.metadata?.filename ?? upload.metadata?.name
      if (name === undefined || name === null || name === '') throw refuse(400, 'Upload-Metadata needs the file\'s name (filename)')
      if (mediaTypeOf(safeFileName(name)) === undefined) throw refuse(400, `Unsupported file type: ${safeFileName(name)}. GET /api/server/media-types lists what Hearth accepts.`)
      const left = await limitsLeft(u)
      if (upload.size > left.quota) throw refuse(507, `Not enough room in your quota: ${formatBytes(left.quota)} left. Empty the trash or ask an admin for a larger quota.`)
      if (upload.size > left.disk) throw refuse(507, `The server's disk is full (${formatBytes(left.disk)} free for uploads). Ask an admin to free space.`)
      return {}
    },
    onUploadFinish: async (_req, upload) => {
      const outcome = await complete(user(), upload)
      return { headers: { 'Hearth-Asset-Id': outcome.id, 'Hearth-Asset-Status': outcome.status } }
    },
    exposedHeaders: ['Hearth-Asset-Id', 'Hearth-Asset-Status'],
  })

  return {
    directory,

    /** Koa middleware for TUS_PATH: authenticates, then hands the raw request to tus. */
    middleware (uploads: { begin(): boolean, end(): void }): Koa.Middleware {
      return async (ctx, next) => {
        if (ctx.path !== TUS_PATH && !ctx.path.startsWith(`${TUS_PATH}/`)) return next()
        ctx.state.routePath = TUS_PATH
        let u: UserRow | undefined
        if (ctx.method !== 'OPTIONS') {
          const who = await auth.authenticate(ctx.req.headers)
          if (who === undefined) throw new UnauthorizedError()
          if (!auth.can(who, 'asset.upload')) throw new ForbiddenError('This API key lacks the "asset.upload" permission')
          ctx.state.userId = who.user.id
          u = who.user
        }
        if (!uploads.begin()) throw new ServiceUnavailableError('Hearth is shutting down; resume the upload in a moment')
        try {
          ctx.respond = false
          // A client that vanishes mid-PATCH leaves tus waiting to write a reply nobody reads: the closed response ends it.
          const closed = new Promise<void>((resolve) => ctx.res.once('close', resolve))
          await Promise.race([caller.run(u as UserRow, () => server.handle(ctx.req, ctx.res)), closed])
        } finally {
          uploads.end()
        }
        ctx.status = ctx.res.statusCode
      }
    },

    /**
     * Imports uploads whose last byte arrived before a crash stopped their import, and removes the
     * damaged ones; unfinished uploads are left for their client to resume. Run before listening.
     */
    async recover (userById: (id: string) => Promise<UserRow | undefined>) {
      const result = { imported: 0, duplicates: 0, removed: 0, unfinished: 0 }
      const names = await readdir(directory).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return [] as string[]; throw err })
      const infos = new Set(names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)))
      const discard = async (id: string, reason: string, extra: Record<string, unknown> = {}) => {
        await rm(join(directory, id), { force: true })
        await rm(join(directory, `${id}.json`), { force: true })
        result.removed++
        log.warn({ uploadId: id, reason, ...extra }, 'removed a damaged resumable upload')
      }
      // A data file without its info: the crash came between creating the two (no byte was taken yet).
      for (const n of names) if (!n.endsWith('.json') && !n.startsWith('.') && !infos.has(n)) await discard(n, 'no upload info beside the data')
      for (const id of infos) {
        let info: { size?: unknown, metadata?: Record<string, string | null> }
        try { info = JSON.parse(await readFile(join(directory, `${id}.json`), 'utf8')) as typeof info } catch { await discard(id, 'unreadable upload info'); continue }
        const data = await stat(join(directory, id)).catch(() => undefined)
        if (data === undefined || !data.isFile()) { await discard(id, 'its data is missing'); continue }
        if (typeof info.size !== 'number' || !Number.isSafeInteger(info.size) || info.size < 0) { await discard(id, 'no valid length in its info'); continue }
        if (data.size < info.size) { result.unfinished++; continue }
        if (data.size > info.size) { await discard(id, 'more bytes than announced', { size: data.size, announced: info.size }); continue }
        const u = await userById(ownerOf(id) ?? '').catch(() => undefined)
        if (u === undefined) { await discard(id, 'its owner no longer exists'); continue }
        try {
          const outcome = await complete(u, new Upload({ id, size: info.size, offset: info.size, metadata: info.metadata ?? {} }), { keepOnUnexpectedError: true })
          if (outcome.status === 'duplicate') result.duplicates++; else result.imported++
          log.info({ uploadId: id, userId: u.id, assetId: outcome.id, status: outcome.status }, 'imported a resumable upload finished before a crash')
        } catch (err) {
          if (!(typeof err === 'object' && err !== null && 'status_code' in err)) {
            // Not the upload's fault (the database, the disk): keep it for the next start.
            log.error({ err, uploadId: id }, 'could not import a finished resumable upload; it stays for the next start')
            continue
          }
          // A refusal (a type Hearth does not take, no room): complete() removed the staged files; say why.
          result.removed++
          const reason = String((err as { body?: unknown }).body ?? '').trim()
          log.warn({ uploadId: id, reason }, 'removed a damaged resumable upload')
        }
      }
      if (result.imported + result.duplicates + result.removed > 0) log.info(result, 'recovered resumable uploads interrupted by a crash')
      return result
    },

    /** Removes uploads left unfinished past their expiry; returns how many. */
    async cleanUpExpired (): Promise<number> {
      return server.cleanUpExpiredUploads()
    },
  }
}

export type TusUploads = ReturnType<typeof createTusUploads>

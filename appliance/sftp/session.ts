/**
 * One SFTP session: the protocol requests of one logged-in user against their tree (see tree.ts).
 * Uploads go to a temporary file in the library's `.partial/` folder with positional writes (so
 * pipelined, out-of-order WRITEs from rclone or fastPut land right), are hashed and fsynced at
 * CLOSE, and only then become an asset (`assets.store`, then ingest). A session that ends with a
 * file still open discards it: an abandoned upload is never ingested.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import ssh2 from 'ssh2'
import type { Attributes, SFTPWrapper } from 'ssh2'
import type { NodeContext } from '../../node/index.ts'
import { mediaTypeOf } from '../../node/assets/media-types.ts'
import { DiskFullError, safeFileName, type WrittenFile } from '../../node/storage/library.ts'
import { uuidv7 } from '../../node/db/ids.ts'
import type { UserRow } from '../../node/users/repo.ts'
import { PathRefused, joinPath, nameOf, normalizeSftpPath, parentOf } from './paths.ts'
import { READ_ONLY_ROOTS, ROOTS, UPLOADS, isUnderUploads, type Entry, type TreeView } from './tree.ts'

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp

class SftpError extends Error {
  readonly code: number
  constructor (code: number, message: string) { super(message); this.code = code }
}
const denied = (msg = 'Permission denied') => new SftpError(STATUS_CODE.PERMISSION_DENIED, msg)
const noSuch = (msg = 'No such file') => new SftpError(STATUS_CODE.NO_SUCH_FILE, msg)
const failure = (msg: string) => new SftpError(STATUS_CODE.FAILURE, msg)

type Handle =
  | { kind: 'dir', entries: Entry[] | undefined }
  | { kind: 'read', fh: FileHandle, size: number, mtime: number }
  | { kind: 'write', fh: FileHandle, path: string, tempPath: string, size: number, pending: Set<Promise<unknown>>, error?: SftpError, replaces?: string }

const DIR_MODE = 0o40755
const FILE_MODE_RW = 0o100644
const FILE_MODE_RO = 0o100444

function attrsOf (e: Entry): Attributes {
  const now = Math.floor(Date.now() / 1000)
  if (e.kind === 'dir') {
    const mode = READ_ONLY_ROOTS.some((r) => e.path === r || e.path.startsWith(`${r}/`)) ? 0o40555 : DIR_MODE
    return { mode, uid: 0, gid: 0, size: 0, atime: now, mtime: now }
  }
  if (e.kind === 'pending') return { mode: FILE_MODE_RW, uid: 0, gid: 0, size: e.size, atime: now, mtime: now }
  const mtime = Math.floor(new Date(e.asset.file_modified_at).getTime() / 1000)
  return { mode: isUnderUploads(e.path) ? FILE_MODE_RW : FILE_MODE_RO, uid: 0, gid: 0, size: Number(e.asset.file_size), atime: mtime, mtime }
}

function longname (e: Entry, a: Attributes): string {
  const dir = e.kind === 'dir'
  const perms = dir ? 'drwxr-xr-x' : '-rw-r--r--'
  const date = new Date(a.mtime * 1000)
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })
  return `${perms}    1 hearth   hearth   ${String(a.size).padStart(12)} ${month} ${String(date.getUTCDate()).padStart(2)} ${String(date.getUTCFullYear())} ${nameOf(e.path)}`
}

export function serveSftp ({ sftp, user, ctx, tree, log }: { sftp: SFTPWrapper, user: UserRow, ctx: NodeContext, tree: TreeView, log: Logger }) {
  const { assets, storage, ingest, config, db } = ctx
  const state = tree.stateOf(user.id)
  const handles = new Map<number, Handle>()
  let nextHandle = 1

  const newHandle = (h: Handle) => {
    const id = nextHandle++
    handles.set(id, h)
    const buf = Buffer.alloc(4)
    buf.writeUInt32BE(id)
    return buf
  }
  const handleOf = (buf: Buffer): [number, Handle] => {
    const id = buf.length === 4 ? buf.readUInt32BE(0) : -1
    const h = handles.get(id)
    if (h === undefined) throw failure('Invalid handle')
    return [id, h]
  }
  const path = (raw: string) => normalizeSftpPath(raw)
  const writableFolder = (dir: string) => dir === UPLOADS || state.folders.has(dir)

  /** Runs a request; errors become SFTP status replies with a message. */
  const serve = (reqid: number, what: string, fn: () => Promise<void>) => {
    fn().catch((err: unknown) => {
      if (err instanceof SftpError) { sftp.status(reqid, err.code, err.message); return }
      if (err instanceof PathRefused) { sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, err.message); return }
      if (err instanceof DiskFullError) { sftp.status(reqid, STATUS_CODE.FAILURE, err.message); return }
      const e = err as Error & { status?: number }
      if (e.status === 507) { sftp.status(reqid, STATUS_CODE.FAILURE, e.message); return }
      log.error({ err, request: what }, 'sftp request failed')
      sftp.status(reqid, STATUS_CODE.FAILURE, e.message ?? 'Failure')
    })
  }

  async function quotaLeft (): Promise<number> {
    const fresh = await ctx.users.repo.byId(user.id)
    const u = fresh ?? user
    return u.quota_size_in_bytes === null ? Number.POSITIVE_INFINITY : Math.max(0, Number(u.quota_size_in_bytes) - Number(u.quota_usage_in_bytes))
  }

  async function hashFile (tempPath: string): Promise<{ size: number, sha1: Buffer, sha256: Buffer }> {
    const sha1 = createHash('sha1')
    const sha256 = createHash('sha256')
    let size = 0
    for await (const chunk of createReadStream(tempPath, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      sha1.update(chunk); sha256.update(chunk); size += chunk.length
    }
    return { size, sha1: sha1.digest(), sha256: sha256.digest() }
  }

  async function finishUpload (h: Extract<Handle, { kind: 'write' }>) {
    try {
      await Promise.allSettled([...h.pending])
      if (h.error !== undefined) throw h.error
      await h.fh.sync().catch((err: NodeJS.ErrnoException) => { throw err.code === 'ENOSPC' || err.code === 'EDQUOT' ? new DiskFullError() : err })
      await h.fh.close()
      const hashed = await hashFile(h.tempPath)
      if (hashed.size === 0) return // an empty file (a client probing) is not a photo
      if (hashed.size > await quotaLeft()) throw failure('Not enough room in your quota for this file. Empty the trash or ask an admin for a larger quota.')
      const fileName = safeFileName(nameOf(h.path))
      const media = mediaTypeOf(fileName)!
      const file: WrittenFile = { tempPath: h.tempPath, ...hashed }
      const now = new Date()
      const outcome = await assets.store(user, file, {
        fileName, type: media.type, mime: media.mime, created: now, modified: now,
        deviceAssetId: `sftp:${h.path}:${hashed.size}`, deviceId: 'sftp', isFavorite: false, visibility: 'timeline',
      })
      if (outcome.status === 'created') {
        await ingest.enqueueAsset(outcome.id, 'interactive').catch((err: unknown) => log.error({ err, assetId: outcome.id }, 'could not queue ingest'))
      }
      // Overwriting a file keeps the old version in the trash.
      if (h.replaces !== undefined && h.replaces !== outcome.id) await assets.delete(user, [h.replaces], false)
      state.placed.set(h.path, outcome.id)
      log.info({ userId: user.id, assetId: outcome.id, status: outcome.status, path: h.path, size: hashed.size }, 'sftp upload stored')
    } finally {
      state.pending.delete(h.path)
      await h.fh.close().catch(() => {})
      await rm(h.tempPath, { force: true })
    }
  }

  sftp.on('REALPATH', (reqid: number, raw: string) => serve(reqid, 'REALPATH', async () => {
    const p = path(raw)
    sftp.name(reqid, [{ filename: p, longname: p, attrs: {} as Attributes }])
  }))

  const stat = (reqid: number, raw: string) => serve(reqid, 'STAT', async () => {
    const p = path(raw)
    const e = await tree.lookup(user.id, p)
    if (e === undefined) throw noSuch()
    sftp.attrs(reqid, attrsOf(e))
  })
  sftp.on('STAT', stat)
  sftp.on('LSTAT', stat)

  sftp.on('FSTAT', (reqid: number, buf: Buffer) => serve(reqid, 'FSTAT', async () => {
    const [, h] = handleOf(buf)
    const now = Math.floor(Date.now() / 1000)
    if (h.kind === 'dir') sftp.attrs(reqid, { mode: DIR_MODE, uid: 0, gid: 0, size: 0, atime: now, mtime: now })
    else if (h.kind === 'read') sftp.attrs(reqid, { mode: FILE_MODE_RW, uid: 0, gid: 0, size: h.size, atime: h.mtime, mtime: h.mtime })
    else sftp.attrs(reqid, { mode: FILE_MODE_RW, uid: 0, gid: 0, size: h.size, atime: now, mtime: now })
  }))

  // Times and modes are not kept: accepted so clients that set them (OpenSSH -p, rclone) carry on.
  sftp.on('SETSTAT', (reqid: number, raw: string) => serve(reqid, 'SETSTAT', async () => {
    const e = await tree.lookup(user.id, path(raw))
    if (e === undefined) throw noSuch()
    sftp.status(reqid, STATUS_CODE.OK)
  }))
  sftp.on('FSETSTAT', (reqid: number, buf: Buffer) => serve(reqid, 'FSETSTAT', async () => {
    handleOf(buf)
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  sftp.on('OPENDIR', (reqid: number, raw: string) => serve(reqid, 'OPENDIR', async () => {
    const p = path(raw)
    const entries = await tree.list(user.id, p)
    if (entries === undefined) {
      if (await tree.lookup(user.id, p) !== undefined) throw failure('Not a folder')
      throw noSuch('No such folder')
    }
    sftp.handle(reqid, newHandle({ kind: 'dir', entries }))
  }))

  sftp.on('READDIR', (reqid: number, buf: Buffer) => serve(reqid, 'READDIR', async () => {
    const [, h] = handleOf(buf)
    if (h.kind !== 'dir') throw failure('Not a folder handle')
    if (h.entries === undefined) { sftp.status(reqid, STATUS_CODE.EOF); return }
    const entries = h.entries
    h.entries = undefined
    sftp.name(reqid, entries.map((e) => { const a = attrsOf(e); return { filename: nameOf(e.path), longname: longname(e, a), attrs: a } }))
  }))

  sftp.on('OPEN', (reqid: number, raw: string, flags: number) => serve(reqid, 'OPEN', async () => {
    const p = path(raw)
    const writing = (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC)) !== 0
    const existing = await tree.lookup(user.id, p)
    if (!writing) {
      if (existing === undefined) throw noSuch()
      if (existing.kind === 'dir') throw failure('That is a folder')
      if (existing.kind === 'pending') throw failure('That file is still being uploaded')
      const fh = await open(existing.asset.original_path, 'r')
      const st = await fh.stat()
      sftp.handle(reqid, newHandle({ kind: 'read', fh, size: st.size, mtime: Math.floor(st.mtimeMs / 1000) }))
      return
    }
    if (!isUnderUploads(p) || p === UPLOADS || !writableFolder(parentOf(p))) {
      if (isUnderUploads(p) && !writableFolder(parentOf(p))) throw noSuch('No such folder')
      throw denied('Permission denied: only /Uploads is writable')
    }
    if (existing?.kind === 'dir') throw failure('That is a folder')
    if (existing?.kind === 'pending') throw failure('That file is already being uploaded')
    if ((flags & OPEN_MODE.EXCL) !== 0 && existing !== undefined) throw failure('The file exists')
    if ((flags & OPEN_MODE.APPEND) !== 0 || (existing !== undefined && (flags & OPEN_MODE.TRUNC) === 0)) {
      throw failure('Files cannot be changed in place: upload a whole new file')
    }
    if (mediaTypeOf(safeFileName(nameOf(p))) === undefined) throw failure(`Unsupported file type: ${nameOf(p)}. Hearth takes photos and videos.`)
    if (await quotaLeft() <= 0) throw failure('Your quota is full. Empty the trash or ask an admin for a larger quota.')
    const tempPath = join(storage.partialDir, `${uuidv7()}.sftp.part`)
    const fh = await open(tempPath, 'wx', 0o600)
    state.pending.set(p, { size: 0 })
    sftp.handle(reqid, newHandle({ kind: 'write', fh, path: p, tempPath, size: 0, pending: new Set(), replaces: existing?.kind === 'file' ? existing.asset.id : undefined }))
  }))

  sftp.on('WRITE', (reqid: number, buf: Buffer, offset: number, data: Buffer) => serve(reqid, 'WRITE', async () => {
    const [, h] = handleOf(buf)
    if (h.kind !== 'write') throw denied('Permission denied: not open for writing')
    if (h.error !== undefined) throw h.error
    const end = offset + data.length
    if (end > config.HEARTH_MAX_UPLOAD_SIZE) { h.error = failure(`The file is larger than the ${config.HEARTH_MAX_UPLOAD_SIZE} bytes allowed`); throw h.error }
    const write = h.fh.write(data, 0, data.length, offset)
    h.pending.add(write)
    try {
      await write
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      h.error = code === 'ENOSPC' || code === 'EDQUOT' ? failure(new DiskFullError().message) : failure((err as Error).message)
      throw h.error
    } finally {
      h.pending.delete(write)
    }
    if (end > h.size) { h.size = end; state.pending.set(h.path, { size: end }) }
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  sftp.on('READ', (reqid: number, buf: Buffer, offset: number, length: number) => serve(reqid, 'READ', async () => {
    const [, h] = handleOf(buf)
    if (h.kind !== 'read') throw failure('Not open for reading')
    if (offset >= h.size) { sftp.status(reqid, STATUS_CODE.EOF); return }
    const out = Buffer.allocUnsafe(Math.min(length, h.size - offset))
    const { bytesRead } = await h.fh.read(out, 0, out.length, offset)
    if (bytesRead === 0) { sftp.status(reqid, STATUS_CODE.EOF); return }
    sftp.data(reqid, out.subarray(0, bytesRead))
  }))

  sftp.on('CLOSE', (reqid: number, buf: Buffer) => serve(reqid, 'CLOSE', async () => {
    const [id, h] = handleOf(buf)
    handles.delete(id)
    if (h.kind === 'read') await h.fh.close()
    else if (h.kind === 'write') await finishUpload(h)
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  sftp.on('MKDIR', (reqid: number, raw: string) => serve(reqid, 'MKDIR', async () => {
    const p = path(raw)
    if (!isUnderUploads(p) || p === UPLOADS) throw (await tree.lookup(user.id, p)) !== undefined ? failure('The folder exists') : denied('Permission denied: folders can be made only in /Uploads')
    if (!writableFolder(parentOf(p))) throw noSuch('No such folder')
    if (await tree.lookup(user.id, p) !== undefined) throw failure('The folder exists')
    state.folders.add(p)
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  sftp.on('RMDIR', (reqid: number, raw: string) => serve(reqid, 'RMDIR', async () => {
    const p = path(raw)
    if (!isUnderUploads(p) || p === UPLOADS) throw denied()
    if (!state.folders.has(p)) throw noSuch('No such folder')
    if ((await tree.list(user.id, p))!.length > 0) throw failure('The folder is not empty')
    state.folders.delete(p)
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  sftp.on('REMOVE', (reqid: number, raw: string) => serve(reqid, 'REMOVE', async () => {
    const p = path(raw)
    if (!isUnderUploads(p)) throw denied('Permission denied: only files in /Uploads can be removed')
    const e = await tree.lookup(user.id, p)
    if (e === undefined) throw noSuch()
    if (e.kind !== 'file') throw failure(e.kind === 'dir' ? 'That is a folder' : 'That file is still being uploaded')
    // Removing moves the asset to the trash (restorable in the app until the trash is emptied).
    await assets.delete(user, [e.asset.id], false)
    state.placed.delete(p)
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  sftp.on('RENAME', (reqid: number, rawFrom: string, rawTo: string) => serve(reqid, 'RENAME', async () => {
    const from = path(rawFrom)
    const to = path(rawTo)
    if (!isUnderUploads(from) || !isUnderUploads(to) || from === UPLOADS || to === UPLOADS) throw denied('Permission denied: only files in /Uploads can be renamed')
    if (!writableFolder(parentOf(to))) throw noSuch('No such folder')
    const e = await tree.lookup(user.id, from)
    if (e === undefined) throw noSuch()
    if (await tree.lookup(user.id, to) !== undefined) throw failure('The target exists')
    if (e.kind === 'pending') throw failure('That file is still being uploaded')
    if (e.kind === 'dir') {
      state.folders.delete(from)
      state.folders.add(to)
      for (const f of [...state.folders]) if (f.startsWith(`${from}/`)) { state.folders.delete(f); state.folders.add(to + f.slice(from.length)) }
      for (const [p, id] of [...state.placed]) if (p.startsWith(`${from}/`)) { state.placed.delete(p); state.placed.set(to + p.slice(from.length), id) }
    } else {
      // The file name shown is the asset's name: renaming changes it (the original on disk keeps its name).
      const newName = safeFileName(nameOf(to))
      if (newName !== nameOf(to)) throw denied(`Not a usable file name: ${nameOf(to)}`)
      await db.query('UPDATE assets SET original_file_name = $2, updated_at = now() WHERE id = $1 AND owner_id = $3', [e.asset.id, newName, user.id])
      state.placed.delete(from)
      state.placed.set(to, e.asset.id)
    }
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  const unsupported = (what: string) => (reqid: number) => { sftp.status(reqid, STATUS_CODE.OP_UNSUPPORTED, `${what} is not supported`) }
  sftp.on('READLINK', unsupported('READLINK'))
  sftp.on('SYMLINK', unsupported('SYMLINK'))

  // The client is done: close our side too, or clients such as OpenSSH's sftp wait for it.
  sftp.on('end', () => { void cleanup(); sftp.end() })
  sftp.on('close', () => { void cleanup() })
  async function cleanup () {
    for (const [id, h] of handles) {
      handles.delete(id)
      if (h.kind === 'read') await h.fh.close().catch(() => {})
      if (h.kind === 'write') {
        // An upload the client never closed is abandoned: thrown away, never ingested.
        state.pending.delete(h.path)
        await h.fh.close().catch(() => {})
        await rm(h.tempPath, { force: true })
        log.warn({ userId: user.id, path: h.path }, 'sftp upload abandoned before it was closed; discarded')
      }
    }
  }
  return { roots: ROOTS, joinPath }
}

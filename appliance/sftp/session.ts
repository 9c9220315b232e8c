/**
 * One SFTP session: the protocol requests of one logged-in user against their tree (see tree.ts).
 * Uploads go to a temporary file in the library's `.partial/` folder with positional writes (so
 * pipelined, out-of-order WRITEs from rclone or fastPut land right), are hashed and fsynced at
 * CLOSE, and only then take their place in /Uploads (and become an asset, appliance/tree/uploads.ts).
 * A session that ends with a file still open discards it: an abandoned upload is never ingested.
 * OpenSSH's extensions posix-rename@openssh.com and statvfs@openssh.com are answered (extensions.ts).
 */
import { createHash, type Hash } from 'node:crypto'
import { mkdir, open, rename, rm, rmdir, statfs, utimes, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import ssh2 from 'ssh2'
import type { Attributes, SFTPWrapper } from 'ssh2'
import type { NodeContext } from '../../node/index.ts'
import { DiskFullError, type WrittenFile } from '../../node/storage/library.ts'
import { uuidv7 } from '../../node/db/ids.ts'
import type { UserRow } from '../../node/users/repo.ts'
import { EscapeError } from '../tree/readonly.ts'
import type { UploadsArea } from '../tree/uploads.ts'
import { PathRefused, nameOf, normalizeSftpPath, parentOf } from './paths.ts'
import { READ_ONLY_ROOTS, UPLOADS, isUnderUploads, uploadsRel, type Entry, type TreeView } from './tree.ts'
import { advertiseExtensions, readStrings, sendExtendedReply, statvfsReply } from './extensions.ts'

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp

class SftpError extends Error {
  readonly code: number
  constructor (code: number, message: string) { super(message); this.code = code }
}
const denied = (msg = 'Permission denied') => new SftpError(STATUS_CODE.PERMISSION_DENIED, msg)
const noSuch = (msg = 'No such file') => new SftpError(STATUS_CODE.NO_SUCH_FILE, msg)
const failure = (msg: string) => new SftpError(STATUS_CODE.FAILURE, msg)
const READ_ONLY = 'Permission denied: /Libraries and /Albums are read-only; only /Uploads is writable'

type Handle =
  | { kind: 'dir', entries: Entry[] | undefined }
  | { kind: 'read', fh: FileHandle, size: number, mtime: number }
  | { kind: 'write', fh: FileHandle, path: string, tempPath: string, size: number, pending: Set<Promise<unknown>>, error?: SftpError, hash?: InOrderHash, times?: { atime: number, mtime: number } }

/** SHA-1 and SHA-256 of the bytes written so far, while every write has started where the last one ended. */
interface InOrderHash { sha1: Hash, sha256: Hash, upTo: number }

const DIR_MODE = 0o40755
const FILE_MODE_RW = 0o100644

function attrsOf (e: Entry): Attributes {
  const mtime = Math.floor(e.mtime.getTime() / 1000)
  if (e.kind === 'dir') return { mode: e.readOnly ? 0o40555 : DIR_MODE, uid: 0, gid: 0, size: 0, atime: mtime, mtime }
  return { mode: e.readOnly ? 0o100444 : FILE_MODE_RW, uid: 0, gid: 0, size: e.size, atime: mtime, mtime }
}

function longname (e: Entry, a: Attributes): string {
  const perms = e.kind === 'dir' ? (e.readOnly ? 'dr-xr-xr-x' : 'drwxr-xr-x') : (e.readOnly ? '-r--r--r--' : '-rw-r--r--')
  const date = new Date(a.mtime * 1000)
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })
  return `${perms}    1 hearth   hearth   ${String(a.size).padStart(12)} ${month} ${String(date.getUTCDate()).padStart(2)} ${String(date.getUTCFullYear())} ${nameOf(e.path)}`
}

/** Files being written right now, per user (across sessions): a second writer of one path is refused. */
const writing = new Map<string, Set<string>>()

export function serveSftp ({ sftp, user, ctx, tree, uploads, log }: { sftp: SFTPWrapper, user: UserRow, ctx: NodeContext, tree: TreeView, uploads: UploadsArea, log: Logger }) {
  const { storage, config } = ctx
  const handles = new Map<number, Handle>()
  let nextHandle = 1
  const busy = writing.get(user.id) ?? new Set<string>()
  writing.set(user.id, busy)
  advertiseExtensions(sftp)
  const ready = mkdir(uploads.rootOf(user.id), { recursive: true })

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
  const lookup = (p: string) => tree.lookup(user.id, p)
  const readOnlyPath = (p: string) => READ_ONLY_ROOTS.some((r) => p === r || p.startsWith(`${r}/`))
  /** For writes: the path must be inside /Uploads (not /Uploads itself), its folder must exist. */
  async function writablePath (p: string, what: string) {
    if (!isUnderUploads(p) || p === UPLOADS) throw denied(readOnlyPath(p) ? READ_ONLY : `Permission denied: ${what} only inside /Uploads`)
    if ((await lookup(parentOf(p)))?.kind !== 'dir') throw noSuch('No such folder')
  }

  /** Runs a request; errors become SFTP status replies with a message. */
  const serve = (reqid: number, what: string, fn: () => Promise<void>) => {
    ready.then(fn).catch((err: unknown) => {
      if (err instanceof SftpError) { sftp.status(reqid, err.code, err.message); return }
      if (err instanceof PathRefused || err instanceof EscapeError) { sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, err.message); return }
      if (err instanceof DiskFullError) { sftp.status(reqid, STATUS_CODE.FAILURE, err.message); return }
      const e = err as Error & { status?: number, code?: string }
      if (e.status === 507) { sftp.status(reqid, STATUS_CODE.FAILURE, e.message); return }
      if (e.code === 'ENOSPC' || e.code === 'EDQUOT') { sftp.status(reqid, STATUS_CODE.FAILURE, new DiskFullError().message); return }
      if (e.code === 'ENOENT') { sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, 'No such file'); return }
      log.error({ err, request: what }, 'sftp request failed')
      sftp.status(reqid, STATUS_CODE.FAILURE, e.message ?? 'Failure')
    })
  }

  async function quotaLeft (): Promise<number> {
    const u = await ctx.users.repo.byId(user.id) ?? user
    return u.quota_size_in_bytes === null ? Number.POSITIVE_INFINITY : Math.max(0, Number(u.quota_size_in_bytes) - Number(u.quota_usage_in_bytes))
  }

  async function hashFile (tempPath: string): Promise<{ size: number, sha1: Buffer, sha256: Buffer }> {
    const sha1 = createHash('sha1')
    const sha256 = createHash('sha256')
    let size = 0
    // One buffer for the whole file: no garbage, so a 4 GB file does not raise the RSS at CLOSE.
    const buf = Buffer.allocUnsafe(1024 * 1024)
    const fh = await open(tempPath, 'r')
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, size)
        if (bytesRead === 0) break
        sha1.update(buf.subarray(0, bytesRead)); sha256.update(buf.subarray(0, bytesRead)); size += bytesRead
      }
    } finally { await fh.close() }
    return { size, sha1: sha1.digest(), sha256: sha256.digest() }
  }

  async function finishUpload (h: Extract<Handle, { kind: 'write' }>) {
    try {
      await Promise.allSettled([...h.pending])
      if (h.error !== undefined) throw h.error
      await h.fh.sync().catch((err: NodeJS.ErrnoException) => { throw err.code === 'ENOSPC' || err.code === 'EDQUOT' ? new DiskFullError() : err })
      await h.fh.close()
      // Written in order from start to end (what clients do): hashed already; else read it back.
      const hashed = h.hash !== undefined && h.hash.upTo === h.size
        ? { size: h.size, sha1: h.hash.sha1.digest(), sha256: h.hash.sha256.digest() }
        : await hashFile(h.tempPath)
      const rel = uploadsRel(h.path)
      if (uploads.isCandidate(rel, hashed.size) && hashed.size > await quotaLeft()) {
        throw failure('Not enough room in your quota for this file. Empty the trash or ask an admin for a larger quota.')
      }
      const file: WrittenFile = { tempPath: h.tempPath, ...hashed }
      await uploads.complete(user, file, rel, { via: 'sftp' })
      if (h.times !== undefined) await utimes(tree.onDisk(user.id, h.path), h.times.atime, h.times.mtime).catch(() => {})
    } finally {
      busy.delete(h.path)
      await h.fh.close().catch(() => {})
      await rm(h.tempPath, { force: true })
    }
  }

  sftp.on('REALPATH', (reqid: number, raw: string) => serve(reqid, 'REALPATH', async () => {
    const p = path(raw)
    sftp.name(reqid, [{ filename: p, longname: p, attrs: {} as Attributes }])
  }))

  const stat = (reqid: number, raw: string) => serve(reqid, 'STAT', async () => {
    const e = await lookup(path(raw))
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

  // Times are kept for files in /Uploads (rclone and `put -p` set them); modes and owners are not.
  sftp.on('SETSTAT', (reqid: number, raw: string, attrs: Attributes) => serve(reqid, 'SETSTAT', async () => {
    const p = path(raw)
    const e = await lookup(p)
    if (e === undefined) throw noSuch()
    if (e.readOnly && p !== '/') throw denied(READ_ONLY)
    if (isUnderUploads(p) && p !== UPLOADS && attrs.mtime !== undefined) await utimes(tree.onDisk(user.id, p), attrs.atime ?? attrs.mtime, attrs.mtime)
    sftp.status(reqid, STATUS_CODE.OK)
  }))
  sftp.on('FSETSTAT', (reqid: number, buf: Buffer, attrs: Attributes) => serve(reqid, 'FSETSTAT', async () => {
    const [, h] = handleOf(buf)
    if (h.kind === 'write' && attrs.mtime !== undefined) h.times = { atime: attrs.atime ?? attrs.mtime, mtime: attrs.mtime }
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  sftp.on('OPENDIR', (reqid: number, raw: string) => serve(reqid, 'OPENDIR', async () => {
    const p = path(raw)
    const entries = await tree.list(user.id, p)
    if (entries === undefined) {
      if (await lookup(p) !== undefined) throw failure('Not a folder')
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
    const writes = (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC)) !== 0
    const existing = await lookup(p)
    if (!writes) {
      if (existing === undefined) throw noSuch()
      if (existing.kind === 'dir') throw failure('That is a folder')
      const fh = await open(existing.file, 'r')
      const st = await fh.stat()
      sftp.handle(reqid, newHandle({ kind: 'read', fh, size: st.size, mtime: Math.floor(st.mtimeMs / 1000) }))
      return
    }
    await writablePath(p, 'files can be written')
    if (existing?.kind === 'dir') throw failure('That is a folder')
    if (busy.has(p)) throw failure('That file is already being uploaded')
    if ((flags & OPEN_MODE.EXCL) !== 0 && existing !== undefined) throw failure('The file exists')
    if ((flags & OPEN_MODE.APPEND) !== 0 || (existing !== undefined && (flags & OPEN_MODE.TRUNC) === 0)) {
      throw failure('Files cannot be changed in place: upload a whole new file')
    }
    if (uploads.isCandidate(uploadsRel(p), 1) && await quotaLeft() <= 0) throw failure('Your quota is full. Empty the trash or ask an admin for a larger quota.')
    const tempPath = join(storage.partialDir, `${uuidv7()}.sftp.part`)
    const fh = await open(tempPath, 'wx', 0o600)
    busy.add(p)
    sftp.handle(reqid, newHandle({ kind: 'write', fh, path: p, tempPath, size: 0, pending: new Set(), hash: { sha1: createHash('sha1'), sha256: createHash('sha256'), upTo: 0 } }))
  }))

  sftp.on('WRITE', (reqid: number, buf: Buffer, offset: number, data: Buffer) => serve(reqid, 'WRITE', async () => {
    const [, h] = handleOf(buf)
    if (h.kind !== 'write') throw denied('Permission denied: not open for writing')
    if (h.error !== undefined) throw h.error
    const end = offset + data.length
    if (end > config.HEARTH_MAX_UPLOAD_SIZE) { h.error = failure(`The file is larger than the ${config.HEARTH_MAX_UPLOAD_SIZE} bytes allowed`); throw h.error }
    // Pipelined writes arrive in file order (requests run in arrival order up to here): hash them now, so
    // CLOSE need not read the file back. Any other order drops this and CLOSE reads it.
    if (h.hash !== undefined) {
      if (offset === h.hash.upTo) { h.hash.sha1.update(data); h.hash.sha256.update(data); h.hash.upTo = end } else h.hash = undefined
    }
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
    if (end > h.size) h.size = end
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
    if (await lookup(p) !== undefined) throw failure('The folder exists')
    await writablePath(p, 'folders can be made')
    await mkdir(tree.onDisk(user.id, p))
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  sftp.on('RMDIR', (reqid: number, raw: string) => serve(reqid, 'RMDIR', async () => {
    const p = path(raw)
    if (!isUnderUploads(p) || p === UPLOADS) throw denied(readOnlyPath(p) ? READ_ONLY : 'Permission denied')
    const e = await lookup(p)
    if (e === undefined) throw noSuch('No such folder')
    if (e.kind !== 'dir') throw failure('Not a folder')
    try { await rmdir(tree.onDisk(user.id, p)) } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTEMPTY') throw failure('The folder is not empty')
      throw err
    }
    await uploads.removed(user, uploadsRel(p))
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  sftp.on('REMOVE', (reqid: number, raw: string) => serve(reqid, 'REMOVE', async () => {
    const p = path(raw)
    if (!isUnderUploads(p)) throw denied(readOnlyPath(p) ? READ_ONLY : 'Permission denied: only files in /Uploads can be removed')
    const e = await lookup(p)
    if (e === undefined) throw noSuch()
    if (e.kind !== 'file') throw failure('That is a folder')
    // The file goes; its asset goes to the trash (restorable in the app until the trash is emptied).
    await rm(e.file)
    await uploads.removed(user, uploadsRel(p))
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  /** RENAME (`replace` false: the target must not exist, as SFTP v3 says) and posix-rename (replaces a file). */
  async function renamePath (rawFrom: string, rawTo: string, replace: boolean) {
    const from = path(rawFrom)
    const to = path(rawTo)
    if (!isUnderUploads(from) || from === UPLOADS) throw denied(readOnlyPath(from) ? READ_ONLY : 'Permission denied: only files in /Uploads can be renamed')
    await writablePath(to, 'files can be renamed')
    const e = await lookup(from)
    if (e === undefined) throw noSuch()
    if (busy.has(from) || busy.has(to)) throw failure('That file is still being uploaded')
    if (from === to) return
    if (e.kind === 'dir' && (to === from || to.startsWith(`${from}/`))) throw failure('A folder cannot go inside itself')
    const target = await lookup(to)
    if (target !== undefined) {
      if (!replace) throw failure('The target exists')
      if (target.kind === 'dir' || e.kind === 'dir') throw failure('posix-rename replaces files, not folders')
    }
    await rename(tree.onDisk(user.id, from), tree.onDisk(user.id, to))
    // A replaced file's asset goes to the trash, as with an overwrite.
    await uploads.moved(user, uploadsRel(from), uploadsRel(to), { isFile: e.kind === 'file', via: 'sftp' })
  }

  sftp.on('RENAME', (reqid: number, rawFrom: string, rawTo: string) => serve(reqid, 'RENAME', async () => {
    await renamePath(rawFrom, rawTo, false)
    sftp.status(reqid, STATUS_CODE.OK)
  }))

  sftp.on('EXTENDED', (reqid: number, name: string, data: Buffer | undefined) => serve(reqid, name, async () => {
    if (name === 'posix-rename@openssh.com') {
      const [from, to] = readStrings(data, 2)
      await renamePath(from, to, true)
      sftp.status(reqid, STATUS_CODE.OK)
    } else if (name === 'statvfs@openssh.com') {
      const [raw] = readStrings(data, 1)
      const p = path(raw)
      if (await lookup(p) === undefined) throw noSuch()
      const fs = await statfs(uploads.rootOf(user.id))
      const u = await ctx.users.repo.byId(user.id) ?? user
      sendExtendedReply(sftp, reqid, statvfsReply(fs, {
        readOnly: readOnlyPath(p) || p === '/',
        quota: u.quota_size_in_bytes === null ? undefined : { size: Number(u.quota_size_in_bytes), used: Number(u.quota_usage_in_bytes) },
      }))
    } else {
      sftp.status(reqid, STATUS_CODE.OP_UNSUPPORTED, `${name} is not supported`)
    }
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
        busy.delete(h.path)
        await h.fh.close().catch(() => {})
        await rm(h.tempPath, { force: true })
        log.warn({ userId: user.id, path: h.path }, 'sftp upload abandoned before it was closed; discarded')
      }
    }
  }
}

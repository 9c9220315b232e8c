/**
 * The library on disk: where uploaded originals live (`library/<user>/<yyyy>/<mm>/<name>`), and the
 * only code that writes them. Every write goes to a temporary file in `library/.partial/` (same
 * file system, so the final step is atomic), is fsynced, and is then hard-linked to its final name,
 * which fails rather than overwrite anything already there. Nothing here ever rewrites an original.
 */
import { link, mkdir, open, readdir, rename, rm, statfs, unlink } from 'node:fs/promises'
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { createWriterPool, type PooledWrite } from './writer-pool.ts'
import { uuidv7 } from '../db/ids.ts'

export interface WrittenFile {
  tempPath: string
  size: number
  sha1: Buffer
  sha256: Buffer
}

/** Thrown when the disk is full (ENOSPC/EDQUOT) while writing. */
export class DiskFullError extends Error {
  constructor () { super('The disk holding Hearth\'s data folder is full'); this.name = 'DiskFullError' }
}

/** Thrown when a stream is larger than the limit given to `writeTemp`. */
export class TooLargeError extends Error {
  readonly limit: number
  constructor (limit: number) { super(`The upload is larger than the ${limit} bytes allowed`); this.name = 'TooLargeError'; this.limit = limit }
}

export function createLibraryStorage (dataDir: string) {
  const writers = createWriterPool()
  const root = resolve(dataDir, 'library')
  const partialDir = join(root, '.partial')
  const removedDir = resolve(dataDir, 'removed-users')

  /** Resolves a path relative to the library and refuses anything that would land outside it. */
  const inside = (rel: string) => {
    const abs = resolve(root, rel)
    if (abs !== root && !abs.startsWith(root + sep)) throw new Error(`Path escapes the library: ${rel}`)
    return abs
  }

  async function fsyncDir (dir: string) {
    const fh = await open(dir, 'r')
    try { await fh.sync() } finally { await fh.close() }
  }

  return {
    root,
    partialDir,

    async init () {
      await mkdir(partialDir, { recursive: true })
    },

    /** Removes every temporary file: at start-up nothing is being written yet, so all of them are leftovers of a crash. */
    async sweepPartials (): Promise<number> {
      await mkdir(partialDir, { recursive: true })
      const names = await readdir(partialDir)
      await Promise.all(names.map((n) => rm(join(partialDir, n), { force: true, recursive: true })))
      return names.length
    },

    /**
     * Streams `source` to a new temporary file while computing SHA-1 and SHA-256, then fsyncs it.
     * Throws TooLargeError past `limit` bytes and DiskFullError on a full disk; the temporary file is
     * removed on any failure.
     */
    async writeTemp (source: Readable, { limit = Number.POSITIVE_INFINITY, signal, onProgress }: {
      limit?: number, signal?: AbortSignal, onProgress?: (bytes: number) => void
    } = {}): Promise<WrittenFile> {
      const tempPath = join(partialDir, `${uuidv7()}.part`)
      let out: PooledWrite | undefined
      try {
        out = await writers.begin(tempPath)
        let size = 0
        for await (const chunk of source as AsyncIterable<Buffer>) {
          signal?.throwIfAborted()
          size += chunk.length
          if (size > limit) throw new TooLargeError(limit)
          await out.write(chunk)
          onProgress?.(chunk.length)
        }
        signal?.throwIfAborted()
        // The worker fsyncs before it answers: a completed upload is on the disk.
        const done = await out.finish()
        out = undefined
        return { tempPath, size: done.size, sha1: done.sha1, sha256: done.sha256 }
      } catch (err) {
        if (out !== undefined) await out.abort().catch(() => {})
        await rm(tempPath, { force: true })
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOSPC' || code === 'EDQUOT') throw new DiskFullError()
        throw err
      }
    },

    /** Stops the writer threads (at shutdown). */
    async close () { await writers.close() },

    /** Where a new original for this user and date should go (the file name is made safe first). */
    plannedPath (userFolder: string, date: Date, originalName: string): string {
      const yyyy = String(date.getUTCFullYear()).padStart(4, '0')
      const mm = String(date.getUTCMonth() + 1).padStart(2, '0')
      return inside(join(userFolder, yyyy, mm, safeFileName(originalName)))
    },

    /**
     * Gives the temporary file its final name without ever replacing an existing file: when the name
     * is taken, `name+1.ext`, `name+2.ext`, ... `reserve` is called with each candidate before it is
     * tried, so a crash can always be traced back (the upload journal). Returns the final path.
     */
    async place (tempPath: string, planned: string, reserve: (candidate: string) => Promise<void>, release: (candidate: string) => Promise<void>): Promise<string> {
      await mkdir(dirname(planned), { recursive: true })
      const ext = extname(planned)
      const stem = planned.slice(0, planned.length - ext.length)
      for (let i = 0; i < 10_000; i++) {
        const candidate = i === 0 ? planned : `${stem}+${i}${ext}`
        await reserve(candidate)
        try {
          await link(tempPath, candidate)
          await fsyncDir(dirname(candidate))
          return candidate
        } catch (err) {
          await release(candidate)
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw mapDiskError(err)
        }
      }
      throw new Error(`No free file name for ${basename(planned)} after 10000 tries`)
    },

    /** Links an extra file (a sidecar) to an exact name; fails if it exists. */
    async placeExact (tempPath: string, finalPath: string) {
      inside(relative(root, finalPath))
      await link(tempPath, finalPath).catch((err: unknown) => { throw mapDiskError(err) })
      await fsyncDir(dirname(finalPath))
    },

    async discard (path: string | undefined) {
      if (path !== undefined) await rm(path, { force: true })
    },

    /** Removes an original for good (emptying the trash). Only files inside the library. */
    async remove (path: string) {
      inside(relative(root, path))
      await unlink(path).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err })
    },

    /** Removes thumbnails, previews and encoded videos (they live in the data folder, never in a share). */
    async removeGenerated (paths: Array<string | null>) {
      for (const p of paths) {
        if (p === null) continue
        const abs = resolve(dataDir, p)
        if (!abs.startsWith(resolve(dataDir) + sep) || abs.startsWith(root + sep)) continue
        await rm(abs, { force: true })
      }
    },

    /** Sets a removed user's folder aside under `removed-users/` (never deleted by Hearth). */
    async setAsideUserFolder (userFolder: string): Promise<string | undefined> {
      const from = inside(userFolder)
      const to = join(removedDir, `${userFolder}-${new Date().toISOString().replace(/[:.]/g, '-')}`)
      await mkdir(removedDir, { recursive: true })
      try {
        await rename(from, to)
        return to
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw err
      }
    },

    /** Free bytes on the data disk. */
    async freeBytes (): Promise<{ free: number, total: number }> {
      const s = await statfs(root)
      return { free: s.bavail * s.bsize, total: s.blocks * s.bsize }
    },
  }
}

export type LibraryStorage = ReturnType<typeof createLibraryStorage>

function mapDiskError (err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOSPC' || code === 'EDQUOT' ? new DiskFullError() : err
}

/**
 * A file name that is safe to create: the last path segment only (both slash kinds), no NUL or
 * control characters, no leading dots (so never `.`/`..` or a hidden file), at most 200 bytes.
 */
export function safeFileName (name: string): string {
  let base = name.split(/[/\\]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex
  base = base.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, '').replace(/^[.\s]+/, '').trim()
  if (base === '') base = 'upload'
  while (Buffer.byteLength(base) > 200) {
    const ext = extname(base)
    const stem = base.slice(0, base.length - ext.length)
    base = stem.slice(0, Math.max(1, stem.length - 10)) + ext
  }
  return base
}

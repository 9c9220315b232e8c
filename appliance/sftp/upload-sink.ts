/**
 * Where one SFTP upload's bytes go. Clients pipeline WRITEs (fastPut, rclone and OpenSSH keep up
 * to 64 in flight) but send them in file order, so the bytes are streamed in order into
 * `storage.writeTemp`: the writer threads hash and write them as they come and fsync at the end,
 * and CLOSE has no second pass over the file (that re-read and hashing on the main thread halved
 * SFTP upload speed, bench/sftp). Writes that arrive ahead of a gap wait in memory, up to 32 MiB,
 * until it fills. A client that writes anywhere else (back over bytes it wrote, or far ahead)
 * switches the upload to positional writes on the same temporary file, hashed once at the end.
 *
 * @example
 * const sink = createUploadSink((s) => storage.writeTemp(s))
 * await sink.write(0, chunk)
 * const file = await sink.finish() // fsynced, with size, SHA-1 and SHA-256
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rm, type FileHandle } from 'node:fs/promises'
import { PassThrough, type Readable } from 'node:stream'
import type { WrittenFile } from '../../node/storage/library.ts'

const MAX_AHEAD = 32 * 1024 * 1024

export interface UploadSink {
  /** Resolves once the bytes are taken (not yet on disk: `finish` fsyncs). */
  write (offset: number, data: Buffer): Promise<void>
  /** Everything written, fsynced and hashed; the caller owns (and removes) `tempPath`. */
  finish (): Promise<WrittenFile>
  /** Throws the upload away and removes its temporary file. */
  abort (): Promise<void>
}

export function createUploadSink (writeTemp: (source: Readable) => Promise<WrittenFile>): UploadSink {
  const stream = new PassThrough({ highWaterMark: 1024 * 1024 })
  stream.on('error', () => {}) // a destroyed stream's error is the one writeTemp reports
  let failure: unknown
  const written = writeTemp(stream)
  written.catch((err: unknown) => { failure ??= err })
  /** Next offset the stream expects, and writes that came ahead of it. */
  let next = 0
  const ahead = new Map<number, Buffer>()
  let aheadBytes = 0
  let positional: { fh: FileHandle, tempPath: string, pending: Set<Promise<unknown>> } | undefined
  let switching: Promise<void> | undefined

  function toPositional (): Promise<void> {
    switching ??= (async () => {
      stream.end()
      const file = await written // the in-order part, fsynced; its hash no longer counts
      const fh = await open(file.tempPath, 'r+')
      positional = { fh, tempPath: file.tempPath, pending: new Set() }
      for (const [offset, data] of ahead) await fh.write(data, 0, data.length, offset)
      ahead.clear()
      aheadBytes = 0
    })()
    return switching
  }

  async function writeAt (offset: number, data: Buffer) {
    const p = positional!
    const w = p.fh.write(data, 0, data.length, offset)
    p.pending.add(w)
    try { await w } finally { p.pending.delete(w) }
  }

  return {
    async write (offset, data) {
      if (failure !== undefined) throw failure
      if (switching !== undefined) { await switching; return writeAt(offset, data) }
      if (offset === next) {
        let room = stream.write(data)
        next += data.length
        while (ahead.has(next)) {
          const queued = ahead.get(next)!
          ahead.delete(next)
          aheadBytes -= queued.length
          room = stream.write(queued)
          next += queued.length
        }
        // Back-pressure: the reply waits while the writer threads are behind, so memory stays bounded.
        if (!room) await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), written])
        if (failure !== undefined) throw failure
        return
      }
      if (offset > next && !ahead.has(offset) && aheadBytes + data.length <= MAX_AHEAD) {
        ahead.set(offset, data)
        aheadBytes += data.length
        return
      }
      await toPositional()
      return writeAt(offset, data)
    },

    async finish () {
      // Writes left ahead of a gap that never filled (a sparse file): positional, like any file system.
      if (switching === undefined && ahead.size > 0) await toPositional()
      if (switching === undefined) {
        stream.end()
        return await written
      }
      await switching
      const p = positional!
      await Promise.allSettled([...p.pending])
      try {
        await p.fh.sync()
      } finally {
        await p.fh.close()
      }
      const sha1 = createHash('sha1')
      const sha256 = createHash('sha256')
      let size = 0
      for await (const chunk of createReadStream(p.tempPath, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
        sha1.update(chunk); sha256.update(chunk); size += chunk.length
      }
      return { tempPath: p.tempPath, size, sha1: sha1.digest(), sha256: sha256.digest() }
    },

    async abort () {
      if (switching === undefined) {
        stream.destroy(new Error('upload abandoned'))
        await written.catch(() => {}) // writeTemp removes its own temporary file on failure
        return
      }
      await switching.catch(() => {})
      if (positional !== undefined) {
        await positional.fh.close().catch(() => {})
        await rm(positional.tempPath, { force: true })
      }
    },
  }
}

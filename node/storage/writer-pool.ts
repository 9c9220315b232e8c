/**
 * Worker threads that write uploads to disk while hashing them (write-worker.ts). Files are spread
 * over the workers; the main thread only batches chunks (about 1 MiB) and hands them over, and
 * waits when a worker is more than a few MiB behind, so memory stays bounded however large the file.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { WriteReply, WriteRequest } from './write-worker.ts'

const BATCH = 1024 * 1024
const MAX_IN_FLIGHT = 8 * 1024 * 1024

export interface PooledWrite {
  write(chunk: Buffer): Promise<void>
  finish(): Promise<{ size: number, sha1: Buffer, sha256: Buffer }>
  abort(): Promise<void>
}

/** Thrown with the worker's errno code (ENOSPC, EDQUOT, ...). */
export class WriteError extends Error {
  readonly code: string | undefined
  constructor (message: string, code: string | undefined) { super(message); this.name = 'WriteError'; this.code = code }
}

export function createWriterPool (size = Math.max(1, Math.min(4, availableParallelism()))) {
  const workers: Array<{ worker: Worker, files: number }> = []
  const waiting = new Map<string, (r: WriteReply) => void>()
  const progress = new Map<number, (r: WriteReply) => void>()
  // Buffers of BATCH bytes travel to a worker and back: steady state allocates nothing.
  const free: Uint8Array[] = []
  const take = () => free.pop() ?? new Uint8Array(BATCH)
  let nextId = 1

  function pick () {
    if (workers.length < size) {
      const worker = new Worker(new URL('./write-worker.ts', import.meta.url))
      worker.on('message', (r: WriteReply) => {
        if (r.op === 'write') {
          if (r.ok && r.chunk !== undefined && free.length < 64) free.push(r.chunk)
          progress.get(r.id)?.(r)
          return
        }
        const key = `${r.id}:${r.op}`
        const done = waiting.get(key)
        waiting.delete(key)
        done?.(r)
      })
      worker.on('error', (err) => {
        for (const [, done] of waiting) done({ id: 0, ok: false, op: 'finish', message: `writer thread failed: ${err.message}` })
        waiting.clear()
      })
      // After the listeners (adding one refs the worker again): idle writers never keep the process alive.
      worker.unref()
      workers.push({ worker, files: 0 })
    }
    return workers.reduce((a, b) => (b.files < a.files ? b : a))
  }

  const call = (w: Worker, m: WriteRequest) => new Promise<WriteReply>((resolve) => {
    waiting.set(`${m.id}:${m.op}`, resolve)
    w.postMessage(m)
  })

  return {
    async begin (path: string): Promise<PooledWrite> {
      const slot = pick()
      // Busy writers keep the process alive until their file is done; idle ones do not.
      if (slot.files++ === 0) slot.worker.ref()
      const id = nextId++
      const opened = await call(slot.worker, { op: 'open', id, path })
      if (!opened.ok) { if (--slot.files === 0) slot.worker.unref(); throw new WriteError(opened.message, opened.code) }
      let sent = 0
      let acked = 0
      let failure: WriteError | undefined
      let wake: (() => void) | undefined
      let current = take()
      let filled = 0
      progress.set(id, (r) => {
        if (!r.ok) failure ??= new WriteError(r.message, r.code)
        else acked = r.size ?? acked
        wake?.()
      })
      const release = () => { progress.delete(id); if (--slot.files === 0) slot.worker.unref() }
      const send = () => {
        if (filled === 0) return
        // Moved, not copied, to the worker.
        slot.worker.postMessage({ op: 'write', id, chunk: current, length: filled } satisfies WriteRequest, [current.buffer as ArrayBuffer])
        sent += filled
        current = take()
        filled = 0
      }
      return {
        async write (chunk) {
          if (failure !== undefined) throw failure
          let off = 0
          while (off < chunk.length) {
            const n = Math.min(chunk.length - off, BATCH - filled)
            current.set(chunk.subarray(off, off + n), filled)
            filled += n
            off += n
            if (filled === BATCH) send()
          }
          while (sent - acked > MAX_IN_FLIGHT && failure === undefined) await new Promise<void>((ok) => { wake = ok })
          if (failure !== undefined) throw failure
        },
        async finish () {
          send()
          free.push(current)
          const r = await call(slot.worker, { op: 'finish', id })
          release()
          if (failure !== undefined) throw failure
          if (!r.ok) throw new WriteError(r.message, r.code)
          return { size: r.size!, sha1: Buffer.from(r.sha1!), sha256: Buffer.from(r.sha256!) }
        },
        async abort () {
          free.push(current)
          await call(slot.worker, { op: 'abort', id })
          release()
        },
      }
    },
    async close () {
      await Promise.all(workers.map((w) => w.worker.terminate()))
      workers.length = 0
    },
  }
}

export type WriterPool = ReturnType<typeof createWriterPool>

/**
 * Decodes the formats prebuilt sharp cannot (HEIC/HEIF with HEVC inside, JPEG XL) in worker threads
 * running WebAssembly decoders (see wasm-decoder-worker.ts). A few workers are kept warm while files
 * keep coming and are ended when idle, which hands their WebAssembly memory (hundreds of MB after a
 * 20-megapixel JPEG XL) back to the system: that matters on a NAS with 1-2 GB.
 *
 * @example
 * const decoder = createWasmDecoder({ workers: 1 })
 * const { data, width, height, channels, icc } = await decoder.decode('/photos/IMG_0001.HEIC', 'heif', { pixelLimit: 1e8 })
 * await decoder.close()
 */
import { Worker } from 'node:worker_threads'
import { ImageError, ImageTooLargeError } from './errors.ts'
import type { DecodeReply, DecodeRequest } from './wasm-decoder-worker.ts'

export interface DecodedPixels {
  data: Uint8Array
  width: number
  height: number
  channels: 3 | 4
  /** The image's ICC profile, when it has one and the decoder did not already convert to sRGB. */
  icc?: Uint8Array
}

export interface WasmDecoder {
  decode (path: string, format: 'heif' | 'jxl', options: { pixelLimit: number, signal?: AbortSignal }): Promise<DecodedPixels>
  close (): Promise<void>
}

interface Job {
  request: DecodeRequest
  settle (outcome: { pixels: DecodedPixels } | { error: unknown }): void
  signal?: AbortSignal
  slot?: Slot
}

interface Slot { worker: Worker, job?: Job, idleTimer?: NodeJS.Timeout }

export function createWasmDecoder (options: { workers?: number, idleMs?: number } = {}): WasmDecoder {
  const maxWorkers = Math.max(1, options.workers ?? 1)
  const idleMs = options.idleMs ?? 5_000
  const slots = new Set<Slot>()
  const queue: Job[] = []
  let nextId = 1
  let closed = false

  /** Ends the slot's current job and hands the worker the next one, or lets it idle (unref'd, on a timer). */
  function release (slot: Slot, outcome: { pixels: DecodedPixels } | { error: unknown }) {
    const job = slot.job
    slot.job = undefined
    job?.settle(outcome)
    pump()
    if (slot.job === undefined && slots.has(slot)) {
      slot.worker.unref()
      slot.idleTimer = setTimeout(() => { void retire(slot) }, idleMs)
      slot.idleTimer.unref()
    }
  }

  async function retire (slot: Slot) {
    slots.delete(slot)
    clearTimeout(slot.idleTimer)
    await slot.worker.terminate()
  }

  function spawn (): Slot {
    const worker = new Worker(new URL('./wasm-decoder-worker.ts', import.meta.url))
    const slot: Slot = { worker }
    worker.on('message', (reply: DecodeReply) => {
      const job = slot.job
      if (job === undefined) return
      const { path, pixelLimit } = job.request
      if (reply.ok) release(slot, { pixels: { data: reply.data, width: reply.width, height: reply.height, channels: reply.channels, icc: reply.icc } })
      else if (reply.tooLarge !== undefined) release(slot, { error: new ImageTooLargeError(path, reply.tooLarge.pixels, pixelLimit) })
      else release(slot, { error: new ImageError(reply.reason, path) })
    })
    // A decoder that aborts or runs out of memory ends its worker, never the process.
    const crashed = (cause: unknown) => {
      if (!slots.has(slot)) return
      slots.delete(slot)
      clearTimeout(slot.idleTimer)
      const path = slot.job?.request.path ?? ''
      release(slot, { error: new ImageError('the image decoder failed on this file (it may be damaged or too large)', path, { cause }) })
    }
    worker.on('error', crashed)
    worker.on('exit', (code) => { crashed(new Error(`decoder worker exited with code ${code}`)) })
    slots.add(slot)
    return slot
  }

  function pump () {
    while (queue.length > 0) {
      let slot = [...slots].find((candidate) => candidate.job === undefined)
      if (slot === undefined && slots.size < maxWorkers) slot = spawn()
      if (slot === undefined) return
      const job = queue.shift()!
      clearTimeout(slot.idleTimer)
      slot.job = job
      job.slot = slot
      slot.worker.ref()
      slot.worker.postMessage(job.request)
    }
  }

  return {
    decode (path, format, { pixelLimit, signal }) {
      if (closed) return Promise.reject(new Error('the WebAssembly decoder is closed'))
      if (signal?.aborted === true) return Promise.reject(signal.reason)
      return new Promise<DecodedPixels>((resolve, reject) => {
        const onAbort = () => {
          const index = queue.indexOf(job)
          if (index >= 0) {
            queue.splice(index, 1)
            job.settle({ error: signal?.reason })
          } else if (job.slot !== undefined && job.slot.job === job) {
            // The only way to stop WebAssembly mid-decode is to end its worker.
            const slot = job.slot
            slots.delete(slot)
            void slot.worker.terminate()
            release(slot, { error: signal?.reason })
          }
        }
        const job: Job = {
          request: { id: nextId++, path, format, pixelLimit },
          signal,
          settle (outcome) {
            signal?.removeEventListener('abort', onAbort)
            if ('pixels' in outcome) resolve(outcome.pixels)
            else reject(outcome.error)
          },
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        queue.push(job)
        pump()
      })
    },
    async close () {
      closed = true
      for (const job of queue.splice(0)) job.settle({ error: new Error('the WebAssembly decoder is closed') })
      await Promise.all([...slots].map(async (slot) => {
        slots.delete(slot)
        clearTimeout(slot.idleTimer)
        const job = slot.job
        slot.job = undefined
        job?.settle({ error: new Error('the WebAssembly decoder is closed') })
        await slot.worker.terminate()
      }))
    },
  }
}

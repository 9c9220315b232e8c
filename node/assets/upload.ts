/**
 * Reads an Immich-style multipart upload (`assetData`, optional `sidecarData`, and text fields)
 * straight to temporary files: the body is never held in memory, and hashes are computed as the
 * bytes pass. Whatever goes wrong, the temporary files are gone when this throws.
 */
import type { IncomingMessage } from 'node:http'
import busboy from 'busboy'
import { BadRequestError, InsufficientStorageError, PayloadTooLargeError } from '../http/errors.ts'
import { DiskFullError, TooLargeError, type LibraryStorage, type WrittenFile } from '../storage/library.ts'

export interface ReceivedUpload {
  asset: WrittenFile & { fileName: string }
  sidecar?: WrittenFile
  fields: Record<string, string>
}

export interface UploadLimits {
  /** Bytes the user may still store (quota), or Infinity. */
  quotaLeft: number
  /** Bytes the disk may still take, keeping the reserve. */
  diskLeft: number
  /** The configured largest upload. */
  maxSize: number
}

const SIDECAR_LIMIT = 16 * 1024 * 1024
const MULTIPART_SLACK = 64 * 1024

export async function receiveMultipartUpload (req: IncomingMessage, storage: LibraryStorage, limits: UploadLimits, onProgress?: (bytes: number) => void): Promise<ReceivedUpload> {
  const type = req.headers['content-type'] ?? ''
  if (!/^multipart\/form-data/i.test(type)) throw new BadRequestError('Expected a multipart/form-data body with the file in the "assetData" field')

  // Refuse what cannot fit before reading a byte of it (the client learns at once, not after 4 GB).
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (Number.isFinite(declared)) checkSize(declared - MULTIPART_SLACK, limits)
  const limit = Math.min(limits.quotaLeft, limits.diskLeft, limits.maxSize)

  return new Promise<ReceivedUpload>((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({ headers: req.headers, limits: { fields: 50, fieldSize: 64 * 1024, files: 4, parts: 60 } })
    } catch (err) {
      reject(new BadRequestError(`Malformed multipart body: ${(err as Error).message}`))
      return
    }
    const fields: Record<string, string> = {}
    const pending: Array<Promise<unknown>> = []
    let asset: (WrittenFile & { fileName: string }) | undefined
    let sidecar: WrittenFile | undefined
    let failed: unknown
    const abort = new AbortController()

    let settled = false
    // Runs once: when the parser has seen the whole body, or at the first failure.
    const finish = () => {
      if (settled) return
      settled = true
      void Promise.allSettled(pending).then(async () => {
        if (failed === undefined && asset === undefined) failed = new BadRequestError('No file: put the photo or video in the "assetData" field')
        if (failed !== undefined) {
          await Promise.all([storage.discard(asset?.tempPath), storage.discard(sidecar?.tempPath), bodyDrained(req)])
          reject(translate(failed, limits))
          return
        }
        resolve({ asset: asset!, sidecar, fields })
      })
    }
    const fail = (err: unknown) => {
      if (failed !== undefined) return
      failed = err
      abort.abort()
      req.unpipe(parser)
      // Read and discard the rest: a client that sends its whole body before reading the reply
      // (fetch, the Immich CLI) would otherwise get a reset instead of the reason.
      discardRest(req)
      finish()
    }

    parser.on('field', (name, value) => { fields[name] = value })
    parser.on('file', (name, stream, info) => {
      if (name === 'assetData' && asset === undefined) {
        pending.push(storage.writeTemp(stream, { limit, signal: abort.signal, onProgress }).then((w) => { asset = { ...w, fileName: info.filename ?? '' } }, fail))
      } else if (name === 'sidecarData' && sidecar === undefined) {
        pending.push(storage.writeTemp(stream, { limit: SIDECAR_LIMIT, signal: abort.signal }).then((w) => { sidecar = w }, fail))
      } else {
        stream.resume()
      }
    })
    parser.on('filesLimit', () => fail(new BadRequestError('Too many files in one upload: send one asset (and its sidecar) per request')))
    parser.on('error', (err: Error) => fail(new BadRequestError(`The upload was cut short or malformed (${err.message}); nothing was stored, send it again`)))
    req.on('aborted', () => fail(new BadRequestError('The client went away before the upload finished')))
    req.on('error', (err) => fail(err))
    parser.on('close', finish)
    req.pipe(parser)
  })
}

/**
 * Drains what is left of a refused request so the reply reaches the client; a client that keeps
 * sending for more than 30 s after the refusal is cut off.
 */
export function discardRest (req: IncomingMessage) {
  if (req.complete || req.destroyed) return
  const timer = setTimeout(() => req.socket.destroy(), 30_000).unref()
  req.once('end', () => clearTimeout(timer))
  req.once('close', () => clearTimeout(timer))
  req.resume()
}

/**
 * Resolves when the rest of a refused body has been read (or after 10 s). The reply waits for it:
 * a client that asked to close the connection after this request would otherwise have it closed
 * under it while still sending, and see a broken pipe instead of the reason (a disk that filled
 * up mid-upload).
 */
function bodyDrained (req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); req.off('end', done); req.off('close', done); resolve() }
    const timer = setTimeout(done, 10_000)
    req.once('end', done)
    req.once('close', done)
  })
}

function checkSize (bytes: number, limits: UploadLimits) {
  if (bytes > limits.maxSize) throw new PayloadTooLargeError(`The file is larger than this server accepts (${formatBytes(limits.maxSize)}; HEARTH_MAX_UPLOAD_SIZE)`)
  if (bytes > limits.quotaLeft) throw quotaError(limits.quotaLeft)
  if (bytes > limits.diskLeft) throw diskError(limits.diskLeft)
}

const quotaError = (left: number) => new InsufficientStorageError(`Not enough room in your quota: ${formatBytes(left)} left. Empty the trash or ask an admin for a larger quota.`)
const diskError = (left: number) => new InsufficientStorageError(`The server's disk is full (${formatBytes(Math.max(0, left))} free for uploads). Ask an admin to free space; nothing was stored.`)

function translate (err: unknown, limits: UploadLimits): unknown {
  if (err instanceof TooLargeError) {
    if (err.limit === limits.quotaLeft) return quotaError(limits.quotaLeft)
    if (err.limit === limits.diskLeft) return diskError(limits.diskLeft)
    if (err.limit === SIDECAR_LIMIT) return new PayloadTooLargeError('The sidecar is larger than 16 MiB')
    return new PayloadTooLargeError(`The file is larger than this server accepts (${formatBytes(limits.maxSize)}; HEARTH_MAX_UPLOAD_SIZE)`)
  }
  if (err instanceof DiskFullError) return diskError(0)
  if ((err as Error).name === 'AbortError') return new BadRequestError('The upload was interrupted; nothing was stored')
  return err
}

export function formatBytes (n: number): string {
  if (!Number.isFinite(n)) return 'unlimited'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  let v = n
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

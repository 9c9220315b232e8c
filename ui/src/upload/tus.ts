/**
 * Resumable uploads for large files (videos): the tus 1.0 protocol against Hearth's
 * `/api/upload/tus`, registered with the uploader's `setLargeFileUploader` hook for files of
 * 64 MiB or more. The file goes in 8 MiB PATCHes; after a network error (or a 5xx, or a timeout)
 * the client waits, asks the server where it got to (HEAD) and goes on from there, for as long as
 * it makes progress. The upload's address is remembered (localStorage, per file name, size and
 * date), so "Retry" after giving up, or a reload, continues instead of starting again.
 */
import { messageFor } from '../api.ts'
import { t } from '../strings.ts'
import { setLargeFileUploader, type LargeFileUploader } from './uploader.ts'

export const TUS_MIN_BYTES = 64 * 1024 * 1024
const CHUNK = 8 * 1024 * 1024
const ENDPOINT = '/api/upload/tus'
const TUS = { 'Tus-Resumable': '1.0.0' }
/** Waits between attempts after a failure, then gives up (until the user retries). */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]

class NetworkError extends Error {}

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)))
const storageKey = (f: File) => `hearth-tus:${f.name}:${f.size}:${f.lastModified}`

function remembered (f: File): string | undefined {
  try { return localStorage.getItem(storageKey(f)) ?? undefined } catch { return undefined }
}
function remember (f: File, url: string | undefined): void {
  try { if (url === undefined) localStorage.removeItem(storageKey(f)); else localStorage.setItem(storageKey(f), url) } catch { /* private mode: no resume across reloads */ }
}

/** A refusal from the server: tus answers with a line of text, Hearth's API with JSON. */
function refusal (status: number, text: string, retryAfter: string | null): Error {
  let body: unknown
  try { body = JSON.parse(text) } catch { body = { message: text.trim() } }
  return new Error(messageFor(status, body, Number(retryAfter ?? 60)))
}

interface Reply { status: number, text: string, header: (name: string) => string | null }

/** One request with XHR (for upload progress); a dropped connection or a timeout is a NetworkError. */
function send (method: string, url: string, headers: Record<string, string>, body: Blob | null, signal: AbortSignal, onProgress?: (loaded: number) => void): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open(method, url)
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v)
    xhr.timeout = 120_000
    if (onProgress !== undefined) xhr.upload.onprogress = (e) => onProgress(e.loaded)
    const abort = () => xhr.abort()
    signal.addEventListener('abort', abort, { once: true })
    const done = () => signal.removeEventListener('abort', abort)
    xhr.onload = () => { done(); resolve({ status: xhr.status, text: xhr.responseText, header: (n) => xhr.getResponseHeader(n) }) }
    xhr.onerror = () => { done(); reject(new NetworkError(t.errors.network)) }
    xhr.ontimeout = () => { done(); reject(new NetworkError(t.errors.network)) }
    xhr.onabort = () => { done(); reject(new DOMException('aborted', 'AbortError')) }
    xhr.send(body)
  })
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve, reject) => {
  const timer = setTimeout(resolve, ms)
  signal.addEventListener('abort', () => { clearTimeout(timer); reject(new DOMException('aborted', 'AbortError')) }, { once: true })
})

async function createUpload (file: File, signal: AbortSignal): Promise<string> {
  const modified = new Date(file.lastModified || Date.now()).toISOString()
  const metadata = { filename: file.name, fileCreatedAt: modified, fileModifiedAt: modified, deviceAssetId: `web-${file.name}-${file.size}-${file.lastModified}`, deviceId: 'hearth-web' }
  const r = await send('POST', ENDPOINT, { ...TUS, 'Upload-Length': String(file.size), 'Upload-Metadata': Object.entries(metadata).map(([k, v]) => `${k} ${b64(v)}`).join(',') }, null, signal)
  if (r.status !== 201) throw refusal(r.status, r.text, r.header('retry-after'))
  const location = r.header('location')
  if (location === null) throw new Error(t.errors.generic)
  return new URL(location, new URL(`${ENDPOINT}/`, window.location.href)).pathname
}

/** Where the server's copy of the upload ends; undefined when the server no longer has it. */
async function offsetOf (url: string, signal: AbortSignal): Promise<number | undefined> {
  const r = await send('HEAD', url, TUS, null, signal)
  if (r.status === 404 || r.status === 410) return undefined
  if (r.status >= 500) throw new NetworkError(t.errors.network)
  if (r.status !== 200 && r.status !== 204) throw refusal(r.status, r.text, r.header('retry-after'))
  return Number(r.header('upload-offset') ?? 0)
}

export const tusUpload: LargeFileUploader = async (file, onProgress, signal) => {
  let url = remembered(file)
  let offset = 0
  let failures = 0
  for (;;) {
    try {
      if (url !== undefined) {
        const known = await offsetOf(url, signal)
        if (known === undefined) { remember(file, undefined); url = undefined; offset = 0 } else offset = known
      }
      if (url === undefined) {
        url = await createUpload(file, signal)
        remember(file, url)
        offset = 0
      }
      onProgress(offset / file.size)
      while (offset < file.size) {
        const end = Math.min(file.size, offset + CHUNK)
        const from = offset
        const r = await send('PATCH', url, { ...TUS, 'Upload-Offset': String(from), 'Content-Type': 'application/offset+octet-stream' }, file.slice(from, end), signal,
          (loaded) => onProgress((from + loaded) / file.size))
        if (r.status >= 500 && r.status !== 507) throw new NetworkError(t.errors.network)
        if (r.status === 409) { offset = (await offsetOf(url, signal)) ?? 0; continue } // out of step: ask where it is
        if (r.status === 404 || r.status === 410) { remember(file, undefined); url = undefined; break }
        if (r.status !== 204) { remember(file, undefined); throw refusal(r.status, r.text, r.header('retry-after')) }
        offset = Number(r.header('upload-offset') ?? end)
        failures = 0
        onProgress(offset / file.size)
        if (offset >= file.size) {
          remember(file, undefined)
          const id = r.header('hearth-asset-id')
          if (id === null) throw new Error(t.errors.generic)
          return { id, duplicate: r.header('hearth-asset-status') === 'duplicate' }
        }
      }
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err
      if (failures >= BACKOFF_MS.length) throw new Error(t.resumable.gaveUp, { cause: err })
      onProgress(offset / file.size, t.resumable.resuming(Math.floor((offset / file.size) * 100)))
      await sleep(BACKOFF_MS[failures++]!, signal)
    }
  }
}

setLargeFileUploader(TUS_MIN_BYTES, tusUpload)

/**
 * Uploads: a queue of files sent one or two at a time to POST /api/assets (Immich's multipart
 * fields) with XHR so each shows its progress. Files the server already has are skipped before
 * sending (SHA-1 + bulk-upload-check) or reported as duplicates after. Each failure keeps its own
 * readable reason. Large files can go through another strategy (resumable uploads) registered
 * with `setLargeFileUploader`.
 */
import { api, messageFor } from '../api.ts'
import { t } from '../strings.ts'

export type UploadState = 'queued' | 'hashing' | 'uploading' | 'done' | 'duplicate' | 'failed'
/** `note`: what the upload is waiting for, shown instead of the percentage (a resumable upload's lost connection). */
export interface UploadItem { key: number, file: File, state: UploadState, progress: number, error?: string, assetId?: string, note?: string }

/**
 * A strategy for big files (tus/chunked); resolves with the new asset's id and whether it was a
 * duplicate. `onProgress` takes the fraction sent and, while the upload waits (to retry after a
 * lost connection), a note to show instead of the percentage.
 */
export type LargeFileUploader = (file: File, onProgress: (fraction: number, note?: string) => void, signal: AbortSignal) => Promise<{ id: string, duplicate: boolean }>

export const UPLOADS_EVENT = 'hearth-uploads'
/** Fired once a batch has new assets, so screens can refresh. */
export const ASSETS_CHANGED_EVENT = 'hearth-assets-changed'

const PARALLEL = 2
const HASH_LIMIT = 256 * 1024 * 1024
const deviceId = 'hearth-web'

let largeFile: { minBytes: number, upload: LargeFileUploader } | undefined
/** The hook for resumable uploads: files of `minBytes` or more go through `upload` instead of one POST. */
export function setLargeFileUploader (minBytes: number, upload: LargeFileUploader): void { largeFile = { minBytes, upload } }

async function sha1Hex (file: File): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', await file.arrayBuffer())
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

function looksLikeMedia (file: File): boolean {
  if (file.type.startsWith('image/') || file.type.startsWith('video/')) return true
  return /\.(jpe?g|png|gif|webp|avif|heic|heif|jxl|tiff?|dng|cr2|cr3|nef|arw|orf|rw2|raf|srw|pef|mp4|mov|m4v|3gp|mkv|webm|avi|mts|m2ts|xmp)$/i.test(file.name)
}

function post (file: File, item: UploadItem, changed: () => void): Promise<{ id: string, status: string }> {
  return new Promise((resolve, reject) => {
    const form = new FormData()
    const modified = new Date(file.lastModified || Date.now()).toISOString()
    form.set('deviceAssetId', `web-${file.name}-${file.size}-${file.lastModified}`)
    form.set('deviceId', deviceId)
    form.set('fileCreatedAt', modified)
    form.set('fileModifiedAt', modified)
    form.set('filename', file.name)
    form.set('assetData', file, file.name)
    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/api/assets')
    xhr.responseType = 'text'
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) { item.progress = e.loaded / e.total; changed() } }
    xhr.onload = () => {
      let body: unknown
      try { body = JSON.parse(xhr.responseText) } catch { body = undefined }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as { id: string, status: string })
      else reject(new Error(messageFor(xhr.status, body, Number(xhr.getResponseHeader('retry-after') ?? 60))))
    }
    xhr.onerror = () => reject(new Error(t.errors.network))
    xhr.send(form)
  })
}

class Uploads {
  items: UploadItem[] = []
  private key = 1
  private running = 0
  private created = 0

  /** Opens the system file picker. */
  pick (): void {
    const input = document.createElement('input')
    input.type = 'file'
    input.multiple = true
    input.accept = 'image/*,video/*,.heic,.heif,.jxl,.dng,.cr2,.cr3,.nef,.arw,.raf,.orf,.rw2,.xmp'
    input.addEventListener('change', () => { this.add([...(input.files ?? [])]) })
    input.click()
  }

  add (files: File[]): void {
    for (const file of files) {
      const item: UploadItem = { key: this.key++, file, state: 'queued', progress: 0 }
      if (!looksLikeMedia(file)) { item.state = 'failed'; item.error = t.upload.notMedia }
      this.items.push(item)
    }
    this.changed()
    this.pump()
  }

  retry (item: UploadItem): void {
    item.state = 'queued'; item.error = undefined; item.progress = 0
    this.changed()
    this.pump()
  }

  clearFinished (): void {
    this.items = this.items.filter((i) => i.state === 'queued' || i.state === 'hashing' || i.state === 'uploading')
    this.changed()
  }

  private pump (): void {
    while (this.running < PARALLEL) {
      const next = this.items.find((i) => i.state === 'queued')
      if (next === undefined) break
      this.running++
      next.state = 'hashing'
      void this.send(next).finally(() => {
        this.running--
        this.changed()
        this.pump()
        if (this.running === 0 && this.created > 0) {
          this.created = 0
          window.dispatchEvent(new CustomEvent(ASSETS_CHANGED_EVENT))
        }
      })
    }
  }

  private async send (item: UploadItem): Promise<void> {
    const { file } = item
    try {
      if (file.size <= HASH_LIMIT) {
        const checksum = await sha1Hex(file)
        const { results } = await api.post<{ results: Array<{ action: string, reason?: string, assetId?: string }> }>('/api/assets/bulk-upload-check', { assets: [{ id: String(item.key), checksum }] })
        if (results[0]?.action === 'reject' && results[0].reason === 'duplicate') {
          item.state = 'duplicate'; item.assetId = results[0].assetId; item.progress = 1
          return
        }
      }
      item.state = 'uploading'
      this.changed()
      const result = largeFile !== undefined && file.size >= largeFile.minBytes
        ? await largeFile.upload(file, (f, note) => { item.progress = f; item.note = note; this.changed() }, new AbortController().signal).then((r) => ({ id: r.id, status: r.duplicate ? 'duplicate' : 'created' }))
        : await post(file, item, () => this.changed())
      item.assetId = result.id
      item.progress = 1
      item.note = undefined
      item.state = result.status === 'duplicate' ? 'duplicate' : 'done'
      if (item.state === 'done') this.created++
    } catch (err) {
      item.state = 'failed'
      item.note = undefined
      item.error = (err as Error).message
    }
  }

  private changed (): void { window.dispatchEvent(new CustomEvent(UPLOADS_EVENT)) }
}

export const uploads = new Uploads()

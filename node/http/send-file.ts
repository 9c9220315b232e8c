import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Context } from 'koa'
import { NotFoundError } from './errors.ts'

/**
 * Sends a file with single-range support (video seeking, resumed downloads), a strong ETag from the
 * content hash, and a download name. The file is streamed, never read whole.
 */
export async function sendFile (ctx: Context, path: string, { mime, downloadName, etag, cache = 'private, max-age=86400' }: {
  mime: string, downloadName?: string, etag?: string, cache?: string
}) {
  let size: number
  try {
    size = (await stat(path)).size
  } catch {
    throw new NotFoundError('File')
  }
  ctx.set('accept-ranges', 'bytes')
  ctx.set('cache-control', cache)
  if (etag !== undefined) {
    ctx.set('etag', `"${etag}"`)
    if (ctx.get('if-none-match') === `"${etag}"`) { ctx.status = 304; return }
  }
  if (downloadName !== undefined) {
    ctx.set('content-disposition', `attachment; filename="${downloadName.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(downloadName)}`)
  }
  ctx.type = mime
  const range = /^bytes=(\d*)-(\d*)$/.exec(ctx.get('range'))
  if (range !== null && (range[1] !== '' || range[2] !== '')) {
    let start = range[1] === '' ? size - Number(range[2]) : Number(range[1])
    let end = range[1] === '' ? size - 1 : (range[2] === '' ? size - 1 : Number(range[2]))
    start = Math.max(0, start)
    end = Math.min(end, size - 1)
    if (start > end || start >= size) {
      ctx.status = 416
      ctx.set('content-range', `bytes */${size}`)
      ctx.body = ''
      return
    }
    ctx.status = 206
    ctx.set('content-range', `bytes ${start}-${end}/${size}`)
    ctx.length = end - start + 1
    ctx.body = createReadStream(path, { start, end })
    return
  }
  ctx.status = 200
  ctx.length = size
  ctx.body = createReadStream(path)
}

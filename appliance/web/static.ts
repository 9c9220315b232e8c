/**
 * Serves the web UI's built files (ui/dist) at `/`, with index.html for client-side routes. Until
 * the UI is built, `/` answers with a small page that says Hearth is running and where the API is.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type Koa from 'koa'

const dist = resolve(fileURLToPath(new URL('../../ui/dist/', import.meta.url)))
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webp': 'image/webp', '.ico': 'image/x-icon', '.json': 'application/json',
  '.woff2': 'font/woff2', '.map': 'application/json',
}

const placeholder = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Hearth</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}a{color:#9cf}}code{background:#8882;padding:0 .3em;border-radius:3px}</style></head>
<body><h1>Hearth is running</h1><p>The web app has not been built on this machine yet. The API is live:</p>
<ul><li><a href="/api/openapi.json">API description (OpenAPI)</a></li><li><a href="/api/health">Health</a></li></ul>
<p>Create the first (admin) account with <code>POST /api/auth/admin-sign-up</code> or <code>bin/hearth user add</code>, then upload with the Immich CLI: <code>immich login ${'{'}this URL${'}'}/api KEY</code>, <code>immich upload --recursive --album FOLDER</code>.</p></body></html>`

export function staticUi (): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next()
    if (ctx.path.startsWith('/api/') || ctx.path === '/metrics') return next()
    let rel: string
    try { rel = normalize(decodeURIComponent(ctx.path)).replace(/^([/\\])+/, '') } catch { return next() }
    const candidate = resolve(dist, rel === '' ? 'index.html' : rel)
    if (candidate !== dist && !candidate.startsWith(dist + sep)) return next()
    const gzip = /\bgzip\b/.test(ctx.get('accept-encoding'))
    for (const file of [candidate, join(dist, 'index.html')]) {
      const s = await stat(file).catch(() => undefined)
      if (s?.isFile() === true) {
        ctx.type = types[extname(file)] ?? 'application/octet-stream'
        // Hashed assets are immutable; index.html must be revalidated so new builds show up.
        ctx.set('cache-control', file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable')
        ctx.vary('accept-encoding')
        // The build's gzipped twin, when there is one and the browser takes it.
        const gz = gzip ? await stat(`${file}.gz`).catch(() => undefined) : undefined
        if (gz?.isFile() === true) {
          ctx.set('content-encoding', 'gzip')
          ctx.length = gz.size
          ctx.body = createReadStream(`${file}.gz`)
        } else {
          ctx.length = s.size
          ctx.body = createReadStream(file)
        }
        return
      }
    }
    if (ctx.path === '/' || !rel.includes('.')) {
      ctx.type = 'text/html; charset=utf-8'
      ctx.body = placeholder
      return
    }
    return next()
  }
}

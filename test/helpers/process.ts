/**
 * Real Hearth processes for tests that need one (kill -9, SIGTERM, the CLI, bad configuration):
 * `node appliance/cli/main.ts serve` on a temporary data folder and a free port, ready once
 * GET /api/server/ping answers. Everything a test starts is stopped, and every temporary folder
 * removed, when the test ends, passed or failed (`sandbox(t, engine)` and its `defer`).
 *
 * @example
 * const box = await sandbox(t, engine)
 * const hearth = await box.start()
 * const admin = await hearth.client.signUpAdmin()
 * assert.deepEqual(await hearth.stop(), { code: 0, signal: null })
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, open, readdir, rm, stat, statfs } from 'node:fs/promises'
import { request, type IncomingMessage } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestContext } from 'node:test'
import { openDatabase, type Database } from '../../node/db/index.ts'
import { createClient, type Client } from './client.ts'
import { databaseEnv, type Engine } from './engines.ts'
import { seedPglite } from './pglite-template.ts'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const mainTs = join(repoRoot, 'appliance/cli/main.ts')

export interface Exit { code: number | null, signal: NodeJS.Signals | null }

/** Runs cleanup steps last-in first-out when the test ends, whatever its outcome. */
export function deferrals (t: TestContext) {
  const steps: Array<() => unknown> = []
  t.after(async () => {
    const errors: unknown[] = []
    while (steps.length > 0) {
      try { await steps.pop()!() } catch (err) { errors.push(err) }
    }
    if (errors.length > 0) throw errors[0]
  })
  return (step: () => unknown) => { steps.push(step) }
}
export type Defer = ReturnType<typeof deferrals>

// A last resort: no Hearth outlives the test process, even when a test is cancelled.
const alive = new Set<ChildProcess>()
process.once('exit', () => { for (const c of alive) c.kill('SIGKILL') })

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort (): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      s.close(() => ok(port))
    })
  })
}

/**
 * The environment for a Hearth process: ours without any HEARTH_* or DATABASE_URL, then these.
 * Federation is off unless a test turns it on (test/federation, the package test): loading libp2p
 * costs each process 0.6 s of CPU, and the suite starts hundreds.
 */
export function hearthEnv (vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('HEARTH_') || k === 'DATABASE_URL' || k.startsWith('NODE_TEST')) continue
    env[k] = v
  }
  return { ...env, HEARTH_HOST: '127.0.0.1', HEARTH_LOG_LEVEL: 'info', HEARTH_MIN_FREE_SPACE: '0', HEARTH_SFTP_PORT: '0', HEARTH_P2P_PORT: '0', HEARTH_FEDERATION: 'off', ...vars }
}

export interface HearthProcess {
  child: ChildProcess
  pid: number
  port: number
  url: string
  client: Client
  stdout (): string
  stderr (): string
  /** stdout's JSON log lines. */
  logs (): Array<Record<string, unknown>>
  running (): boolean
  exited: Promise<Exit>
  /** Sends `signal` (SIGTERM by default) and waits for the exit; SIGKILLs after `timeoutMs` and throws. */
  stop (signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>
  /** kill -9, and waits for the exit. */
  kill (): Promise<Exit>
}

function watch (child: ChildProcess) {
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { out += s })
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { err += s })
  alive.add(child)
  const exited = new Promise<Exit>((ok) => {
    child.once('close', (code, signal) => { alive.delete(child); ok({ code, signal }) })
  })
  return { stdout: () => out, stderr: () => err, exited }
}

/**
 * Starts `hearth serve` on `dataDir` and waits until it answers /api/server/ping. A process still
 * running when the test ends is killed (kill -9) by `defer`. Retries on another port when the one
 * picked was taken in between.
 */
export async function spawnHearth ({ dataDir, env = {}, defer, diagnostic, readyTimeoutMs = 60_000, command }: {
  dataDir: string, env?: Record<string, string>, defer: Defer, readyTimeoutMs?: number
  /** What runs `hearth` (before the `serve` argument): by default this checkout's, on this Node. */
  command?: string[]
  /** Told the error lines of the log when the test ends (t.diagnostic), to explain a failure. */
  diagnostic?: (message: string) => void
}): Promise<HearthProcess> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const [exe, ...args] = command ?? [process.execPath, '--disable-warning=ExperimentalWarning', mainTs]
    const child = spawn(exe!, [...args, 'serve'], {
      cwd: command === undefined ? repoRoot : dataDir,
      env: hearthEnv({ HEARTH_DATA_DIR: dataDir, HEARTH_PORT: String(port), ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const io = watch(child)
    let done = false
    void io.exited.then(() => { done = true })
    const kill = async () => { if (!done) { child.kill('SIGKILL'); await io.exited } }
    defer(async () => {
      await kill()
      const errors = proc.logs().filter((l) => typeof l.level === 'number' && l.level >= 50)
      if (errors.length > 0) diagnostic?.(`Hearth pid ${child.pid} logged errors:\n${errors.slice(0, 5).map((l) => JSON.stringify(l).slice(0, 2000)).join('\n')}`)
    })
    const url = `http://127.0.0.1:${port}`
    const proc: HearthProcess = {
      child, pid: child.pid!, port, url, client: createClient(url),
      stdout: io.stdout, stderr: io.stderr,
      logs: () => io.stdout().split('\n').flatMap((line) => {
        if (!line.startsWith('{')) return []
        try { return [JSON.parse(line) as Record<string, unknown>] } catch { return [] }
      }),
      running: () => !done,
      exited: io.exited,
      async stop (signal = 'SIGTERM', timeoutMs = 45_000) {
        if (done) return io.exited
        child.kill(signal)
        let timer: NodeJS.Timeout | undefined
        const timeout = new Promise<'timeout'>((ok) => { timer = setTimeout(() => ok('timeout'), timeoutMs) })
        const outcome = await Promise.race([io.exited, timeout])
        clearTimeout(timer)
        if (outcome === 'timeout') {
          await kill()
          throw new Error(`Hearth (pid ${child.pid}) did not exit within ${timeoutMs} ms of ${signal}\n${io.stderr()}`)
        }
        return outcome
      },
      kill: async () => { await kill(); return io.exited },
    }
    const deadline = Date.now() + readyTimeoutMs
    for (;;) {
      if (done) break
      if (await pingOk(url)) return proc
      if (Date.now() > deadline) {
        await kill()
        throw new Error(`Hearth did not answer ${url}/api/server/ping within ${readyTimeoutMs} ms\nstdout:\n${io.stdout()}\nstderr:\n${io.stderr()}`)
      }
      await sleep(100)
    }
    const exit = await io.exited
    if (attempt < 3 && /already in use/.test(io.stderr())) continue
    throw new Error(`Hearth exited before it was ready (${JSON.stringify(exit)})\nstdout:\n${io.stdout()}\nstderr:\n${io.stderr()}`)
  }
}

async function pingOk (url: string): Promise<boolean> {
  const r = await httpGet(`${url}/api/server/ping`).catch(() => undefined)
  return r?.status === 200
}

/** A GET on a new connection (no keep-alive pool), so it shows whether the server still accepts. */
export function httpGet (url: string, headers: Record<string, string> = {}): Promise<{ status: number, body: string }> {
  return new Promise((ok, fail) => {
    const req = request(url, { agent: false, headers, timeout: 10_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (s: string) => { body += s }).on('end', () => ok({ status: res.statusCode ?? 0, body })).on('error', fail)
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', fail)
    req.end()
  })
}

/** Runs a command to completion (the CLI): its exit code and output. Killed after `timeoutMs`. */
export async function runCommand (command: string, args: string[], { env, input, timeoutMs = 90_000 }: {
  env: NodeJS.ProcessEnv, input?: string, timeoutMs?: number
}): Promise<Exit & { stdout: string, stderr: string }> {
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
  const io = watch(child)
  if (input !== undefined) child.stdin!.end(input)
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exit = await io.exited
  clearTimeout(timer)
  return { ...exit, stdout: io.stdout(), stderr: io.stderr() }
}

/** `bin/hearth <args>` with this environment. */
export const hearthCli = (args: string[], vars: Record<string, string>, options: { input?: string, timeoutMs?: number } = {}) =>
  runCommand(join(repoRoot, 'bin/hearth'), args, { env: hearthEnv(vars), ...options })

/** A temporary data folder and database for one test, and what starts Hearth on them. */
export async function sandbox (t: TestContext, engine: Engine, { dataDir, defer = deferrals(t) }: { dataDir?: string, defer?: Defer } = {}) {
  let dir = dataDir
  if (dir === undefined) {
    const made = await mkdtemp(join(tmpdir(), 'hearth-process-'))
    defer(() => rm(made, { recursive: true, force: true }))
    dir = made
  }
  const db = await databaseEnv(engine)
  defer(db.cleanup)
  // A fresh PGlite starts from a migrated copy (pglite-template.ts), not from its initdb.
  if (db.env.DATABASE_URL === undefined) await seedPglite(join(dir, 'db'))
  const box = {
    engine,
    dataDir: dir,
    dbEnv: db.env,
    defer,
    /** Starts `hearth serve` on this data folder (and database). */
    start: (env: Record<string, string> = {}) => spawnHearth({ dataDir: dir, env: { ...db.env, ...env }, defer, diagnostic: (m) => t.diagnostic(m) }),
    /** Opens the database directly: with PGlite, only while no Hearth runs on it. */
    openDb: (): Promise<Database> => openDatabase({ url: db.env.DATABASE_URL, dataDir: join(dir, 'db') }),
    /** Runs `fn` on the database, then closes it. */
    async withDb<T> (fn: (db: Database) => Promise<T>): Promise<T> {
      const handle = await box.openDb()
      try { return await fn(handle) } finally { await handle.close() }
    },
  }
  return box
}

/** Every file (not folder) under `dir`, as paths relative to it, sorted. */
export async function listFiles (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw err
  })
  return entries.filter((e) => !e.isDirectory()).map((e) => relative(dir, join(e.parentPath, e.name))).sort()
}

/** Bytes in the temporary upload files (data/library/.partial). */
export async function partialBytes (dataDir: string): Promise<number> {
  const dir = join(dataDir, 'library', '.partial')
  let total = 0
  for (const f of await listFiles(dir)) total += (await stat(join(dir, f)).catch(() => ({ size: 0 }))).size
  return total
}

/** Waits until `check` holds, polling every `intervalMs`; throws with `what` after `timeoutMs`. */
export async function waitFor (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(intervalMs)
  }
}

export const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms))
export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
/** Bytes that no other test file shares (so never a duplicate of another upload). */
export const randomFile = (size: number) => randomBytes(size)

/** GET an asset's original: its bytes. */
export async function downloadOriginal (url: string, headers: Record<string, string>, id: string): Promise<{ status: number, bytes: Buffer }> {
  const res = await fetch(`${url}/api/assets/${id}/original`, { headers })
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) }
}

export interface UploadResponse { status: number, body: any } // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * An upload (POST /api/assets, multipart as Immich clients send it) whose file bytes the test
 * sends itself, when it wants: slowly, with pauses, or not at all. `response` settles when the
 * server answers, or rejects when the connection fails first.
 */
export interface StreamingUpload {
  /** Sends file bytes, waiting while the socket is full; false once the request failed or was answered and closed. */
  write (bytes: Uint8Array): Promise<boolean>
  /** Ends the file part and the body. */
  end (): Promise<boolean>
  response: Promise<UploadResponse>
  /** When the response arrived (Date.now()), or undefined. */
  answeredAt (): number | undefined
  /** File bytes written so far. */
  sent (): number
  destroy (): void
}

export function startUpload (url: string, headers: Record<string, string>, { fileName, size, contentLength = true, fields = {} }: {
  fileName: string, size: number, contentLength?: boolean, fields?: Record<string, string>
}): StreamingUpload {
  const boundary = `----hearth-test-${randomBytes(8).toString('hex')}`
  const allFields = { deviceAssetId: `${fileName}-${size}`, deviceId: 'process-test', fileCreatedAt: '2024-07-14T10:30:00.000Z', fileModifiedAt: '2024-07-14T10:30:00.000Z', ...fields }
  let head = ''
  for (const [k, v] of Object.entries(allFields)) head += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`
  head += `--${boundary}\r\nContent-Disposition: form-data; name="assetData"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`
  const tail = `\r\n--${boundary}--\r\n`
  const total = Buffer.byteLength(head) + size + Buffer.byteLength(tail)
  const req = request(`${url}/api/assets`, {
    method: 'POST',
    agent: false,
    headers: {
      ...headers,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      ...(contentLength && { 'content-length': String(total) }),
    },
  })
  let failed = false
  let answered: number | undefined
  let written = 0
  const response = new Promise<UploadResponse>((ok, fail) => {
    req.on('response', (res: IncomingMessage) => {
      answered = Date.now()
      let text = ''
      res.setEncoding('utf8').on('data', (s: string) => { text += s }).on('end', () => {
        let body: unknown = text
        try { body = JSON.parse(text) } catch { /* not JSON */ }
        ok({ status: res.statusCode ?? 0, body })
      }).on('error', fail)
    })
    req.on('error', (err) => { failed = true; fail(err) })
    req.on('close', () => { failed = true })
  })
  response.catch(() => {})
  const send = async (chunk: Uint8Array | string): Promise<boolean> => {
    if (failed || req.destroyed) return false
    if (!req.write(chunk)) {
      await new Promise<void>((ok) => {
        const done = () => { req.off('drain', done); req.off('close', done); ok() }
        req.on('drain', done).on('close', done)
      })
    }
    return !failed
  }
  req.flushHeaders()
  const started = send(head)
  return {
    async write (bytes) { await started; const ok = await send(bytes); if (ok) written += bytes.length; return ok },
    async end () {
      await started
      if (!await send(tail)) return false
      await new Promise<void>((ok) => req.end(() => ok()))
      return !failed
    },
    response,
    answeredAt: () => answered,
    sent: () => written,
    destroy: () => req.destroy(),
  }
}

/** Sends `data` through `upload` in `chunk`-byte pieces with `pauseMs` between them, calling `between` after each. */
export async function sendSlowly (upload: StreamingUpload, data: Uint8Array, { chunk, pauseMs, from = 0, to = data.length, between }: {
  chunk: number, pauseMs: number, from?: number, to?: number, between?: (sent: number) => Promise<void> | void
}): Promise<boolean> {
  for (let at = from; at < to; at += chunk) {
    if (!await upload.write(data.subarray(at, Math.min(to, at + chunk)))) return false
    await between?.(Math.min(to, at + chunk))
    if (pauseMs > 0) await sleep(pauseMs)
  }
  return true
}

/**
 * Mounts a tmpfs of `sizeMiB` on a new temporary folder (unmounted and removed by `defer`), or
 * says why it cannot: that needs root and a kernel that lets this container mount.
 */
export async function mountTmpfs (defer: Defer, sizeMiB: number): Promise<{ path: string } | { skip: string }> {
  if (process.getuid?.() !== 0) return { skip: 'needs root to mount a tmpfs' }
  const path = await mkdtemp(join(tmpdir(), 'hearth-tmpfs-'))
  defer(() => rm(path, { recursive: true, force: true }))
  const r = await runCommand('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0755`, 'tmpfs', path], { env: process.env, timeoutMs: 10_000 })
  if (r.code !== 0) return { skip: `needs root to mount a tmpfs (mount failed: ${r.stderr.trim()})` }
  defer(async () => {
    const u = await runCommand('umount', [path], { env: process.env, timeoutMs: 10_000 })
    if (u.code !== 0) await runCommand('umount', ['-l', path], { env: process.env, timeoutMs: 10_000 })
  })
  return { path }
}

/** Fills the file system holding `dir` with a file at `path`, leaving about `leaveBytes` free. */
export async function fillDisk (dir: string, path: string, leaveBytes: number): Promise<number> {
  const s = await statfs(dir)
  const want = Math.max(0, s.bavail * s.bsize - leaveBytes)
  const zeros = Buffer.alloc(1024 * 1024)
  const fh = await open(path, 'w')
  let written = 0
  try {
    while (written < want) {
      const n = Math.min(zeros.length, want - written)
      await fh.write(zeros, 0, n)
      written += n
    }
    await fh.sync()
  } finally {
    await fh.close()
  }
  return written
}

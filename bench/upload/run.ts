/**
 * Upload benchmark: Hearth's POST /api/assets against nginx's WebDAV PUT on the same disk, and
 * Hearth's peak memory while it receives one large file. See bench/upload/README.md.
 *
 * @example
 * node bench/upload/run.ts                                            # 200 x 5 MB, 8 clients, 3 rounds; one 2048 MB file
 * BENCH_FILES=40 BENCH_ROUNDS=1 BENCH_BIG_MB=256 node bench/upload/run.ts   # a quick run
 * node bench/upload/run.ts --files 40 --big-mb 0                      # throughput only
 */
import { execFileSync } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { json, keepAliveAgent, multipartFraming, send, type SendResult } from './client.ts'
import { dropDatabase, findNginx, memoryOf, resetPeak, startHearth, startNginx, type Running } from './servers.ts'

const MiB = 1024 * 1024

// ---------------------------------------------------------------------------------------------
// Options: argv wins over the environment, which wins over the defaults.

const { values: argv } = parseArgs({
  options: {
    files: { type: 'string' },
    'file-mb': { type: 'string' },
    concurrency: { type: 'string' },
    rounds: { type: 'string' },
    'big-mb': { type: 'string' },
    tmpdir: { type: 'string' },
    'database-url': { type: 'string' },
    jobs: { type: 'string' },
    keep: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (argv.help === true) {
  console.log(`Usage: node bench/upload/run.ts [options]
  --files N          files in the throughput test (BENCH_FILES, default 200; 0 skips it)
  --file-mb N        size of each, MiB (BENCH_FILE_MB, default 5)
  --concurrency N    clients uploading at once (BENCH_CONCURRENCY, default 8)
  --rounds N         throughput rounds, Hearth and nginx alternating; medians are reported (BENCH_ROUNDS, default 3)
  --big-mb N         size of the file in the memory test, MiB (BENCH_BIG_MB, default 2048; 0 skips it)
  --tmpdir DIR       where the files, Hearth's data and nginx's folders go (BENCH_TMPDIR, default the OS temp folder)
  --database-url U   run Hearth on PostgreSQL: a server URL where this user may CREATE DATABASE; each Hearth
                     gets a new database, dropped afterwards (BENCH_DATABASE_URL; default the embedded PGlite)
  --jobs pause|run   Hearth's job queues (metadata, thumbnails, video) paused while measuring, so that the upload
                     path alone is timed, or left running (BENCH_JOBS, default pause)
  --keep             leave the temporary folder in place (BENCH_KEEP=1)`)
  process.exit(0)
}
const num = (arg: string | undefined, env: string, fallback: number, min: number) => {
  const raw = arg ?? process.env[env]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) { console.error(`${env}: expected a whole number >= ${min}, got "${raw}"`); process.exit(64) }
  return n
}
const opts = {
  files: num(argv.files, 'BENCH_FILES', 200, 0),
  fileMb: num(argv['file-mb'], 'BENCH_FILE_MB', 5, 1),
  concurrency: num(argv.concurrency, 'BENCH_CONCURRENCY', 8, 1),
  rounds: num(argv.rounds, 'BENCH_ROUNDS', 3, 1),
  bigMb: num(argv['big-mb'], 'BENCH_BIG_MB', 2048, 0),
  tmpdir: argv.tmpdir ?? process.env.BENCH_TMPDIR ?? tmpdir(),
  databaseUrl: (argv['database-url'] ?? process.env.BENCH_DATABASE_URL) || undefined,
  jobs: argv.jobs ?? process.env.BENCH_JOBS ?? 'pause',
  keep: argv.keep === true || process.env.BENCH_KEEP === '1',
}
if (opts.jobs !== 'pause' && opts.jobs !== 'run') { console.error(`BENCH_JOBS: expected pause or run, got "${opts.jobs}"`); process.exit(64) }
const fileBytes = opts.fileMb * MiB
const bigBytes = opts.bigMb * MiB
const engine = opts.databaseUrl === undefined ? 'embedded PGlite' : 'PostgreSQL'

// ---------------------------------------------------------------------------------------------
// Clean-up: children and the (large) temporary folder go whatever happens, Ctrl-C included.

const running = new Set<Running>()
/** PostgreSQL databases kept between a start and a restart, dropped at the end whatever happens. */
const keptDatabases = new Set<string>()
let tempRoot: string | undefined
let cleaning: Promise<void> | undefined
function cleanup (): Promise<void> {
  cleaning ??= (async () => {
    await Promise.allSettled([...running].map((r) => r.stop()))
    if (opts.databaseUrl !== undefined) await Promise.allSettled([...keptDatabases].map((name) => dropDatabase(opts.databaseUrl!, name)))
    if (tempRoot !== undefined && !opts.keep) await rm(tempRoot, { recursive: true, force: true })
    else if (tempRoot !== undefined) console.error(`kept ${tempRoot}`)
  })()
  return cleaning
}
let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true
    console.error(`\n${signal}: stopping servers and removing temporary files...`)
    void cleanup().finally(() => process.exit(130))
  })
}
async function started<T extends Running> (r: Promise<T>): Promise<T> {
  const s = await r
  running.add(s)
  return s
}
async function stopped (s: Running) {
  await s.stop()
  running.delete(s)
}

// ---------------------------------------------------------------------------------------------
// Small helpers: progress lines, CPU time of processes, sync, formatting.

const tty = process.stderr.isTTY
function progress (label: string, totalBytes: number) {
  const t0 = performance.now()
  let bytes = 0
  let items = 0
  let lastPrint = 0
  const line = (final: boolean) => {
    const s = (performance.now() - t0) / 1000
    const text = `  ${label}: ${items} done, ${mb(bytes)} / ${mb(totalBytes)} MB (${(100 * bytes / Math.max(1, totalBytes)).toFixed(0)}%), ${s.toFixed(1)} s, ${rate(bytes, s)} MB/s`
    if (tty) process.stderr.write(`\r\x1b[K${text}${final ? '\n' : ''}`)
    else if (final || s - lastPrint >= 5) { process.stderr.write(text + '\n'); lastPrint = s }
  }
  const timer = setInterval(() => line(false), tty ? 500 : 1000)
  return {
    add (b: number, n = 1) { bytes += b; items += n },
    end () { clearInterval(timer); line(true) },
  }
}

const ticks = (() => { try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100 } catch { return 100 } })()

/**
 * CPU seconds (user + system) of a process with its direct children (nginx's master and workers),
 * and of its main thread alone (for node, the event loop: JavaScript, busboy, hashing, PGlite).
 */
async function cpuSeconds (pid: number): Promise<{ total: number, main: number }> {
  const parse = (stat: string) => {
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / ticks }
  }
  let total = 0
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const p = parse(await readFile(`/proc/${name}/stat`, 'utf8'))
      if (Number(name) === pid || p.ppid === pid) total += p.cpu
    } catch { /* gone */ }
  }
  let main = 0
  try { main = parse(await readFile(`/proc/${pid}/task/${pid}/stat`, 'utf8')).cpu } catch { /* gone */ }
  return { total, main }
}

function sync () { execFileSync('sync') }
const mb = (bytes: number) => (bytes / MiB).toFixed(0)
const rate = (bytes: number, seconds: number) => seconds > 0 ? (bytes / MiB / seconds).toFixed(0) : '-'
const pct = (x: number) => `${(100 * x).toFixed(0)}%`
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

async function writeRandomFile (path: string, size: number) {
  const buf = randomFillSync(Buffer.allocUnsafe(size))
  const fh = await open(path, 'w')
  try { await fh.writeFile(buf); await fh.sync() } finally { await fh.close() }
}

/** A large file: one random 1 MiB block repeated, each copy stamped with its index (never zeros). */
async function writeBigFile (path: string, size: number) {
  const block = randomFillSync(Buffer.allocUnsafe(MiB))
  const fh = await open(path, 'w')
  const p = progress('writing the big file', size)
  try {
    for (let off = 0, i = 0; off < size; off += MiB, i++) {
      block.writeUInt32BE(i, 0)
      const n = Math.min(MiB, size - off)
      await fh.write(block, 0, n, off)
      p.add(n)
    }
    await fh.sync()
  } finally {
    p.end()
    await fh.close()
  }
}

async function runPool<T> (items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++])
  }))
}

// ---------------------------------------------------------------------------------------------
// The targets: how each one turns a file into a request, and how a reply is checked.

interface SourceFile { path: string, name: string, size: number }

interface Target {
  name: string
  server: Running
  upload (f: SourceFile, onBytes?: (n: number) => void): Promise<SendResult>
  accepted (r: SendResult): boolean
}

/** Hearth as a target: the admin is created (a new database) or logs in (a restarted Hearth). */
async function hearthTarget (server: Running, concurrency: number, how: 'sign-up' | 'login' = 'sign-up'): Promise<Target & { token: string }> {
  const email = 'bench@example.org'
  const password = 'a benchmark password, long enough'
  if (how === 'sign-up') {
    const signUp = await json(`${server.url}/api/auth/admin-sign-up`, 'POST', { email, password, name: 'Bench' })
    if (signUp.status !== 201) throw new Error(`admin sign-up failed: ${signUp.status} ${JSON.stringify(signUp.body)}`)
  }
  const login = await json(`${server.url}/api/auth/login`, 'POST', { email, password })
  if (login.status !== 201) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`)
  const token = login.body.accessToken as string
  const auth = { authorization: `Bearer ${token}` }
  if (opts.jobs === 'pause') {
    // The files are random bytes: metadata and thumbnail jobs on them would only fail and retry,
    // on the CPU the uploads need. Paused, the upload path alone is measured.
    const queues = await json(`${server.url}/api/jobs`, 'GET', undefined, auth)
    if (queues.status !== 200) throw new Error(`GET /api/jobs failed: ${queues.status} ${JSON.stringify(queues.body)}`)
    for (const name of Object.keys(queues.body as object)) {
      const r = await json(`${server.url}/api/jobs/${name}`, 'PUT', { command: 'pause' }, auth)
      if (r.status !== 200) throw new Error(`pausing the ${name} queue failed: ${r.status} ${JSON.stringify(r.body)}`)
    }
  }
  const agent = keepAliveAgent(concurrency)
  return {
    name: 'hearth',
    server,
    token,
    upload (f, onBytes) {
      const when = '2024-07-14T10:30:00.000Z'
      const { boundary, head, tail } = multipartFraming({ deviceAssetId: f.name, deviceId: 'bench', fileCreatedAt: when, fileModifiedAt: when }, f.name)
      return send({
        method: 'POST', url: `${server.url}/api/assets`, agent, file: f.path, size: f.size, head, tail, onBytes,
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      })
    },
    accepted: (r) => r.status === 201,
  }
}

function nginxTarget (server: Running, concurrency: number): Target {
  const agent = keepAliveAgent(concurrency)
  return {
    name: 'nginx',
    server,
    upload: (f, onBytes) => send({ method: 'PUT', url: `${server.url}/${f.name}`, agent, file: f.path, size: f.size, onBytes, headers: { 'content-type': 'application/octet-stream' } }),
    accepted: (r) => r.status === 201 || r.status === 204,
  }
}

interface Measured {
  seconds: number
  bytes: number
  mbps: number
  replies: Array<{ file: SourceFile, reply: SendResult, ms: number }>
  /** CPU seconds over the timed part: the server (all processes), its main thread, the client. */
  serverCpu: number
  serverMainCpu: number
  clientCpu: number
}

/** Uploads warm-up files (not timed), then every file with `concurrency` clients, timed. */
async function measure (target: Target, files: SourceFile[], warmup: SourceFile[], concurrency: number, label: string): Promise<Measured> {
  await runPool(warmup, concurrency, async (f) => {
    const r = await target.upload(f)
    if (!target.accepted(r)) throw new Error(`${target.name}: warm-up upload of ${f.name} got ${r.status}: ${r.body.slice(0, 500)}`)
  })
  const total = files.reduce((n, f) => n + f.size, 0)
  const p = progress(label, total)
  const replies: Measured['replies'] = []
  const cpu0 = await cpuSeconds(target.server.pid)
  const client0 = process.cpuUsage()
  const t0 = performance.now()
  try {
    await runPool(files, concurrency, async (file) => {
      const s = performance.now()
      const reply = await target.upload(file)
      replies.push({ file, reply, ms: performance.now() - s })
      p.add(file.size)
    })
  } finally {
    p.end()
  }
  const seconds = (performance.now() - t0) / 1000
  const client = process.cpuUsage(client0)
  const cpu1 = await cpuSeconds(target.server.pid)
  const bad = replies.filter((r) => !target.accepted(r.reply)).map((r) => `${r.file.name}: ${r.reply.status} ${r.reply.body.slice(0, 200)}`)
  if (bad.length > 0) throw new Error(`${target.name} refused ${bad.length} of ${files.length} uploads:\n  ${bad.slice(0, 10).join('\n  ')}`)
  return {
    seconds, bytes: total, mbps: total / MiB / seconds, replies,
    serverCpu: cpu1.total - cpu0.total, serverMainCpu: cpu1.main - cpu0.main, clientCpu: (client.user + client.system) / 1e6,
  }
}

function latency (m: Measured) {
  const ms = m.replies.map((r) => r.ms).sort((a, b) => a - b)
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(0)
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${ms[ms.length - 1].toFixed(0)} ms`
}

/** Every upload is an asset of the right size, in the database and on disk. */
async function verifyHearth (hearth: Running, token: string, dataDir: string, m: Measured) {
  for (const { file, reply } of m.replies) {
    const body = JSON.parse(reply.body) as { id: string, status: string }
    if (body.status !== 'created') throw new Error(`hearth: ${file.name} was taken as a ${body.status}`)
    const asset = await json(`${hearth.url}/api/assets/${body.id}`, 'GET', undefined, { authorization: `Bearer ${token}` })
    if (asset.status !== 200) throw new Error(`hearth: GET /api/assets/${body.id} got ${asset.status}`)
    const onDisk = (await stat(join(dataDir, asset.body.originalPath as string))).size
    if (asset.body.fileSize !== file.size || onDisk !== file.size) {
      throw new Error(`hearth: ${file.name} is ${file.size} bytes, stored as ${asset.body.fileSize} (database) and ${onDisk} (disk)`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Part 1: throughput, in rounds that alternate which server goes first.

interface Round { hearth: Measured, nginx: Measured, nginxSyncSeconds: number }

async function throughput (root: string): Promise<Round[]> {
  console.error(`\n[1/2] throughput: ${opts.concurrency} clients, ${opts.files} x ${opts.fileMb} MB, ${opts.rounds} round(s)`)
  const nginxBinary = findNginx()
  if (nginxBinary === undefined) throw new Error('nginx not found: install nginx-light (make system-deps) or set BENCH_NGINX')
  const srcDir = join(root, 'src')
  await mkdir(srcDir, { recursive: true })
  const warmupCount = Math.min(opts.concurrency, opts.files)
  const gen = progress('generating random files', (opts.files + warmupCount) * fileBytes)
  const make = async (name: string) => {
    const f = { path: join(srcDir, name), name, size: fileBytes }
    await writeRandomFile(f.path, f.size)
    gen.add(f.size)
    return f
  }
  const files: SourceFile[] = []
  for (let i = 0; i < opts.files; i++) files.push(await make(`bench-${String(i).padStart(5, '0')}.jpg`))
  // Warm-up files are distinct from the measured ones (Hearth would take a repeat as a duplicate).
  const warmup: SourceFile[] = []
  for (let i = 0; i < warmupCount; i++) warmup.push(await make(`warmup-${i}.jpg`))
  gen.end()
  sync()

  const runHearth = async (round: number): Promise<Measured> => {
    const dataDir = join(root, `hearth-data-${round}`)
    const hearth = await started(startHearth(dataDir, { serverUrl: opts.databaseUrl }))
    const target = await hearthTarget(hearth, opts.concurrency)
    const m = await measure(target, files, warmup, opts.concurrency, `round ${round} hearth`)
    await verifyHearth(hearth, target.token, dataDir, m)
    await stopped(hearth)
    await rm(dataDir, { recursive: true, force: true })
    sync()
    return m
  }
  const runNginx = async (round: number): Promise<{ m: Measured, syncSeconds: number }> => {
    const davRoot = join(root, `nginx-root-${round}`)
    const nginx = await started(startNginx(nginxBinary, join(root, `nginx-conf-${round}`), davRoot, join(root, `nginx-body-${round}`)))
    const m = await measure(nginxTarget(nginx, opts.concurrency), files, warmup, opts.concurrency, `round ${round} nginx `)
    // nginx does not fsync what it stores (Hearth does): how long the page cache takes to reach the disk.
    const s0 = performance.now()
    sync()
    const syncSeconds = (performance.now() - s0) / 1000
    for (const f of files) {
      const size = (await stat(join(davRoot, f.name))).size
      if (size !== f.size) throw new Error(`nginx: ${f.name} is ${f.size} bytes, stored as ${size}`)
    }
    await stopped(nginx)
    await rm(davRoot, { recursive: true, force: true })
    sync()
    return { m, syncSeconds }
  }

  const rounds: Round[] = []
  for (let r = 1; r <= opts.rounds; r++) {
    // Alternate the order, so that a slow drift of the machine does not favour one server.
    let hearth: Measured
    let nginx: { m: Measured, syncSeconds: number }
    if (r % 2 === 1) { hearth = await runHearth(r); nginx = await runNginx(r) } else { nginx = await runNginx(r); hearth = await runHearth(r) }
    rounds.push({ hearth, nginx: nginx.m, nginxSyncSeconds: nginx.syncSeconds })
    console.error(`  round ${r}: hearth ${hearth.mbps.toFixed(0)} MB/s (${files.length} x 201, sizes checked), nginx ${nginx.m.mbps.toFixed(0)} MB/s (${files.length} x 201/204, sizes checked)`)
  }
  await rm(srcDir, { recursive: true, force: true })
  return rounds
}

// ---------------------------------------------------------------------------------------------
// Part 2: memory while one large file comes in.

interface MemoryResult {
  /** The first start, which creates the database (initdb, for the embedded one): idle RSS and VmHWM. */
  firstIdle: number
  firstPeak: number
  /** The restart on the same data folder, the state Hearth runs in day to day: idle RSS and VmHWM. */
  idleRss: number
  startupHwm: number
  /** Whether VmHWM was reset before the upload (else `hwm` is the peak since the restart). */
  reset: boolean
  sampledPeak: number
  hwm: number
  seconds: number
}

/** Waits until a process's RSS has stopped moving (start-up work in the background), at most 30 s. */
async function settle (pid: number) {
  const deadline = Date.now() + 30_000
  let last = (await memoryOf(pid)).rss
  let still = 0
  while (Date.now() < deadline && still < 8) {
    await new Promise((r) => setTimeout(r, 250))
    const now = (await memoryOf(pid)).rss
    still = Math.abs(now - last) < 2 * MiB ? still + 1 : 0
    last = now
  }
}

async function memory (root: string): Promise<MemoryResult> {
  console.error(`\n[2/2] memory: one ${opts.bigMb} MB upload`)
  const big: SourceFile = { path: join(root, 'big.mp4'), name: 'big.mp4', size: bigBytes }
  await writeBigFile(big.path, big.size)
  sync()
  const dataDir = join(root, 'hearth-data-big')
  const databaseName = opts.databaseUrl !== undefined ? `hearth_bench_${process.pid}_${Date.now().toString(36)}` : undefined
  if (databaseName !== undefined) keptDatabases.add(databaseName)
  const start = () => startHearth(dataDir, { serverUrl: opts.databaseUrl, databaseName, keepDatabase: true })

  // First start: creates the database and the admin. Then the restart that is measured.
  console.error('  starting Hearth on a new data folder, then again on the same folder...')
  let hearth = await started(start())
  await hearthTarget(hearth, 1, 'sign-up')
  await settle(hearth.pid)
  const first = await memoryOf(hearth.pid)
  await stopped(hearth)
  hearth = await started(start())
  const target = await hearthTarget(hearth, 1, 'login')
  await settle(hearth.pid)
  const before = await memoryOf(hearth.pid)
  // Start-up has its own peak: measure the upload's from here on.
  const reset = await resetPeak(hearth.pid)
  let sampledPeak = before.rss
  let samplingError: unknown
  const sampler = setInterval(() => {
    memoryOf(hearth.pid).then((m) => { sampledPeak = Math.max(sampledPeak, m.rss) }, (err: unknown) => { samplingError = err })
  }, 100)
  const p = progress('hearth upload', big.size)
  const t0 = performance.now()
  let reply: SendResult
  try {
    // Progress counts what the client has read from disk: a few MiB ahead of the socket at most.
    reply = await target.upload(big, (n) => p.add(n, 0))
    p.add(0, 1)
  } finally {
    clearInterval(sampler)
    p.end()
  }
  const seconds = (performance.now() - t0) / 1000
  const after = await memoryOf(hearth.pid)
  sampledPeak = Math.max(sampledPeak, after.rss)
  if (samplingError !== undefined) throw new Error(`could not read /proc/${hearth.pid}/status: ${(samplingError as Error).message}`)
  if (reply.status !== 201) throw new Error(`hearth: the ${opts.bigMb} MB upload got ${reply.status}: ${reply.body.slice(0, 500)}`)
  const id = (JSON.parse(reply.body) as { id: string }).id
  const asset = await json(`${hearth.url}/api/assets/${id}`, 'GET', undefined, { authorization: `Bearer ${target.token}` })
  const onDisk = (await stat(join(dataDir, asset.body.originalPath as string))).size
  if (asset.body.fileSize !== big.size || onDisk !== big.size) throw new Error(`hearth: the big file is ${big.size} bytes, stored as ${asset.body.fileSize} (database) and ${onDisk} (disk)`)
  console.error('  hearth: 201, size checked in the database and on disk')
  await stopped(hearth)
  if (databaseName !== undefined) { await dropDatabase(opts.databaseUrl!, databaseName); keptDatabases.delete(databaseName) }
  await rm(dataDir, { recursive: true, force: true })
  await rm(big.path, { force: true })
  return { firstIdle: first.rss, firstPeak: first.hwm, idleRss: before.rss, startupHwm: before.hwm, reset, sampledPeak, hwm: after.hwm, seconds }
}

// ---------------------------------------------------------------------------------------------

async function main () {
  tempRoot = await mkdtemp(join(opts.tmpdir, 'hearth-bench-'))
  const warm = Math.min(opts.concurrency, opts.files)
  // Sources, plus one copy stored by the server under test, plus nginx's body buffers.
  const needed = Math.max(opts.files > 0 ? (opts.files + warm) * fileBytes * 3 : 0, bigBytes * 2) + 512 * MiB
  const fs = await statfs(tempRoot)
  const free = fs.bavail * fs.bsize
  if (free < needed) throw new Error(`${tempRoot}: ${mb(free)} MB free, the benchmark needs about ${mb(needed)} MB (set BENCH_TMPDIR or smaller sizes)`)
  await writeFile(join(tempRoot, 'README'), 'Temporary files of bench/upload/run.ts; safe to delete.\n')
  console.error(`hearth upload benchmark: temporary folder ${tempRoot} (files, Hearth's data and nginx's folders all on this disk)`)
  console.error(`node ${process.version}, Hearth on ${engine}`)
  const load = loadavg()[0]
  if (load > 0.5) console.error(`warning: the load average is ${load.toFixed(1)}: other work on this machine will distort the figures`)

  const rounds = opts.files > 0 ? await throughput(tempRoot) : []
  const mem = opts.bigMb > 0 ? await memory(tempRoot) : undefined

  const lines: string[] = ['']
  if (rounds.length > 0) {
    const hRate = median(rounds.map((r) => r.hearth.mbps))
    const nRate = median(rounds.map((r) => r.nginx.mbps))
    const ratio = hRate / nRate
    const nDurable = median(rounds.map((r) => r.nginx.bytes / MiB / (r.nginx.seconds + r.nginxSyncSeconds)))
    const spread = (xs: number[]) => xs.length > 1 ? ` (rounds: ${xs.map((x) => x.toFixed(0)).join(', ')})` : ''
    lines.push('details')
    rounds.forEach((r, i) => {
      const h = r.hearth
      const n = r.nginx
      lines.push(
        `  round ${i + 1} hearth ${h.mbps.toFixed(0).padStart(4)} MB/s, ${h.seconds.toFixed(2)} s; ${latency(h)}; CPU (100% = one core): hearth ${pct(h.serverCpu / h.seconds)}, its main thread ${pct(h.serverMainCpu / h.seconds)}, client ${pct(h.clientCpu / h.seconds)}`,
        `  round ${i + 1} nginx  ${n.mbps.toFixed(0).padStart(4)} MB/s, ${n.seconds.toFixed(2)} s; ${latency(n)}; CPU (100% = one core): nginx ${pct(n.serverCpu / n.seconds)}, client ${pct(n.clientCpu / n.seconds)}; then sync ${r.nginxSyncSeconds.toFixed(2)} s`,
      )
    })
    lines.push(
      `  nginx does not fsync (Hearth fsyncs every file): nginx including a sync after its uploads ${nDurable.toFixed(0)} MB/s`,
      `  Hearth on ${engine}, job queues ${opts.jobs === 'pause' ? 'paused' : 'running'}; figures are medians of ${rounds.length} round(s); MB = MiB`,
      '',
      `upload throughput (${opts.concurrency} clients, ${opts.files} x ${opts.fileMb} MB)`,
      `  hearth   POST /api/assets   ${hRate.toFixed(0).padStart(4)} MB/s${spread(rounds.map((r) => r.hearth.mbps))}`,
      `  nginx    PUT (dav)          ${nRate.toFixed(0).padStart(4)} MB/s${spread(rounds.map((r) => r.nginx.mbps))}`,
      `  ratio    hearth/nginx       ${ratio.toFixed(2).padStart(4)}   (goal >= 0.80)${ratio >= 0.8 ? '' : '  MISSED'}`,
    )
  }
  if (mem !== undefined) {
    const peak = Math.max(mem.hwm, mem.sampledPeak)
    lines.push(
      `memory (one ${opts.bigMb} MB upload)`,
      `  hearth peak RSS             ${mb(peak).padStart(4)} MB (goal < 250 MB)${peak < 250 * MiB ? '' : '  MISSED'}`,
      `    ${mem.reset ? 'peak during the upload (VmHWM reset once the restarted Hearth had settled)' : 'VmHWM could not be reset: this peak includes the restart'};` +
        ` idle just before it ${mb(mem.idleRss)} MB, so the upload added ${mb(Math.max(0, peak - mem.idleRss))} MB; highest 100 ms VmRSS sample ${mb(mem.sampledPeak)} MB; ${rate(bigBytes, mem.seconds)} MB/s`,
      `    start-up peaks: first start (creates the database) ${mb(mem.firstPeak)} MB, then idle ${mb(mem.firstIdle)} MB; restart ${mb(mem.startupHwm)} MB; Hearth on ${engine}, job queues ${opts.jobs === 'pause' ? 'paused' : 'running'}`,
    )
  }
  console.log(lines.join('\n'))
}

try {
  await main()
} catch (err) {
  // After Ctrl-C the servers are being stopped under the clients' feet: that is no error to report.
  if (interrupted) await new Promise(() => {})
  console.error(`\nbench/upload: ${(err as Error).stack ?? String(err)}`)
  for (const r of running) {
    const tail = r.stderr().trim()
    if (tail !== '') console.error(`--- server stderr (${r.url}) ---\n${tail.slice(-4000)}`)
  }
  process.exitCode = 1
} finally {
  await cleanup()
}

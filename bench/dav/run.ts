/**
 * WebDAV benchmark: Hearth's /dav/ against nginx's DAV module on the same disk, with the same
 * client: PUT and GET of about 1 GB of photos (2 MB) and videos (500 MB), and Hearth's peak memory
 * while one 4 GB file is PUT. See bench/dav/README.md.
 *
 * @example
 * node bench/dav/run.ts                                             # 262 x 2 MB + 1 x 500 MB, 4 clients, 3 rounds; one 4096 MB PUT
 * BENCH_ROUNDS=1 BENCH_BIG_MB=512 node bench/dav/run.ts             # a quick run
 * BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54329/postgres node bench/dav/run.ts
 */
import { mkdir, mkdtemp, rm, stat, statfs, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { json } from '../upload/client.ts'
import { dropDatabase, findNginx, startHearth, startNginx, type Running } from '../upload/servers.ts'
import { basicAuth, get, keepAliveAgent, send, type GetResult, type SendResult } from './client.ts'
import { baseVideo, MiB, writePhoto, writeVideo } from './media.ts'
import { cleanupRegistry, cpuSeconds, mb, median, num, peakRssDuring, pct, progress, rate, rounds as spread, sampleLine, sync } from './util.ts'

const { values: argv } = parseArgs({
  options: {
    photos: { type: 'string' },
    'photo-mb': { type: 'string' },
    videos: { type: 'string' },
    'video-mb': { type: 'string' },
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
  console.log(`Usage: node bench/dav/run.ts [options]
  --photos N         2 MB photos in the throughput test (BENCH_PHOTOS, default 262: with one 500 MB video, 1 GB)
  --photo-mb N       size of each photo, MiB (BENCH_PHOTO_MB, default 2)
  --videos N         videos in the throughput test (BENCH_VIDEOS, default 1)
  --video-mb N       size of each video, MiB (BENCH_VIDEO_MB, default 500)
  --concurrency N    clients at once (BENCH_CONCURRENCY, default 4)
  --rounds N         rounds, Hearth and nginx alternating first; medians are reported (BENCH_ROUNDS, default 3)
  --big-mb N         size of the file PUT in the memory test, MiB (BENCH_BIG_MB, default 4096; 0 skips it)
  --tmpdir DIR       where everything goes (BENCH_TMPDIR, default the OS temp folder)
  --database-url U   run Hearth on PostgreSQL (BENCH_DATABASE_URL; a new database, dropped afterwards)
  --jobs pause|run   Hearth's job queues paused while measuring, or running (BENCH_JOBS, default pause)
  --keep             leave the temporary folder in place (BENCH_KEEP=1)`)
  process.exit(0)
}
const opts = {
  photos: num(argv.photos, 'BENCH_PHOTOS', 262, 0),
  photoMb: num(argv['photo-mb'], 'BENCH_PHOTO_MB', 2, 1),
  videos: num(argv.videos, 'BENCH_VIDEOS', 1, 0),
  videoMb: num(argv['video-mb'], 'BENCH_VIDEO_MB', 500, 1),
  concurrency: num(argv.concurrency, 'BENCH_CONCURRENCY', 4, 1),
  rounds: num(argv.rounds, 'BENCH_ROUNDS', 3, 1),
  bigMb: num(argv['big-mb'], 'BENCH_BIG_MB', 4096, 0),
  tmpdir: argv.tmpdir ?? process.env.BENCH_TMPDIR ?? tmpdir(),
  databaseUrl: (argv['database-url'] ?? process.env.BENCH_DATABASE_URL) || undefined,
  jobs: argv.jobs ?? process.env.BENCH_JOBS ?? 'pause',
  keep: argv.keep === true || process.env.BENCH_KEEP === '1',
}
if (opts.jobs !== 'pause' && opts.jobs !== 'run') { console.error(`BENCH_JOBS: expected pause or run, got "${opts.jobs}"`); process.exit(64) }
const engine = opts.databaseUrl === undefined ? 'embedded PGlite' : 'PostgreSQL'
const EMAIL = 'bench@example.org'
const PASSWORD = 'a benchmark password, long enough'
const reg = cleanupRegistry(opts.keep)
/** BENCH_HEARTH_NODE_OPTIONS: node options for Hearth alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it. */
const hearthEnv: Record<string, string> = process.env.BENCH_HEARTH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_HEARTH_NODE_OPTIONS } : {}

interface SourceFile { path: string, name: string, size: number, video: boolean }

async function runPool<T> (items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++])
  }))
}

// ---------------------------------------------------------------------------------------------
// The two targets: the URL of a file, the headers, what counts as accepted.

interface Target {
  name: string
  server: Running
  agent: ReturnType<typeof keepAliveAgent>
  urlOf (name: string): string
  headers: Record<string, string>
}

/** Hearth with a new admin; job queues paused unless asked (the upload path alone is timed). */
async function hearthTarget (server: Running, how: 'sign-up' | 'login' = 'sign-up'): Promise<Target & { bearer: Record<string, string> }> {
  if (how === 'sign-up') {
    const r = await json(`${server.url}/api/auth/admin-sign-up`, 'POST', { email: EMAIL, password: PASSWORD, name: 'Bench' })
    if (r.status !== 201) throw new Error(`admin sign-up failed: ${r.status} ${JSON.stringify(r.body)}`)
  }
  const login = await json(`${server.url}/api/auth/login`, 'POST', { email: EMAIL, password: PASSWORD })
  if (login.status !== 201) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`)
  const bearer = { authorization: `Bearer ${login.body.accessToken as string}` }
  if (opts.jobs === 'pause') {
    const queues = await json(`${server.url}/api/jobs`, 'GET', undefined, bearer)
    for (const name of Object.keys(queues.body as object)) {
      const r = await json(`${server.url}/api/jobs/${name}`, 'PUT', { command: 'pause' }, bearer)
      if (r.status !== 200) throw new Error(`pausing the ${name} queue failed: ${r.status}`)
    }
  }
  return {
    name: 'hearth', server, bearer, agent: keepAliveAgent(opts.concurrency),
    urlOf: (name) => `${server.url}/dav/Uploads/${encodeURIComponent(name)}`,
    headers: { authorization: basicAuth(EMAIL, PASSWORD) },
  }
}

const nginxTarget = (server: Running): Target => ({
  name: 'nginx', server, agent: keepAliveAgent(opts.concurrency), urlOf: (name) => `${server.url}/${encodeURIComponent(name)}`, headers: {},
})

const put = (t: Target, f: SourceFile, onBytes?: (n: number) => void) =>
  send({ method: 'PUT', url: t.urlOf(f.name), agent: t.agent, file: f.path, size: f.size, onBytes, headers: { ...t.headers, 'content-type': f.video ? 'video/mp4' : 'image/jpeg' } })

interface Timed { seconds: number, bytes: number, mbps: number, serverCpu: number, clientCpu: number }

/** Runs `op` on every file with `concurrency` clients and times it; every reply must pass `ok`. */
async function timed<R> (t: Target, files: SourceFile[], label: string, op: (f: SourceFile) => Promise<R>, ok: (f: SourceFile, r: R) => string | undefined): Promise<Timed> {
  const total = files.reduce((n, f) => n + f.size, 0)
  const p = progress(label, total)
  const bad: string[] = []
  const cpu0 = await cpuSeconds(t.server.pid)
  const client0 = process.cpuUsage()
  const t0 = performance.now()
  try {
    await runPool(files, opts.concurrency, async (f) => {
      const problem = ok(f, await op(f))
      if (problem !== undefined) bad.push(`${f.name}: ${problem}`)
      p.add(f.size)
    })
  } finally { p.end() }
  const seconds = (performance.now() - t0) / 1000
  const client = process.cpuUsage(client0)
  const serverCpu = await cpuSeconds(t.server.pid) - cpu0
  if (bad.length > 0) throw new Error(`${t.name}: ${bad.length} of ${files.length} failed:\n  ${bad.slice(0, 10).join('\n  ')}`)
  return { seconds, bytes: total, mbps: total / MiB / seconds, serverCpu, clientCpu: (client.user + client.system) / 1e6 }
}

const putOk = (_f: SourceFile, r: SendResult) => r.status === 201 || r.status === 204 ? undefined : `PUT got ${r.status} ${r.body.slice(0, 200)}`
const getOk = (f: SourceFile, r: GetResult) => r.status !== 200 ? `GET got ${r.status}` : r.bytes !== f.size ? `GET gave ${r.bytes} bytes of ${f.size}` : undefined

interface Round { hearthPut: Timed, hearthGet: Timed, nginxPut: Timed, nginxGet: Timed, nginxSyncSeconds: number }

async function throughput (root: string): Promise<Round[]> {
  const nginxBinary = findNginx()
  if (nginxBinary === undefined) throw new Error('nginx not found: install nginx-light (make system-deps) or set BENCH_NGINX')
  const srcDir = join(root, 'src')
  await mkdir(srcDir, { recursive: true })
  const photoBytes = opts.photoMb * MiB
  const videoBytes = opts.videoMb * MiB
  const warmups = Math.min(opts.concurrency, Math.max(1, opts.photos))
  const gen = progress('generating photos and videos', (opts.photos + warmups) * photoBytes + opts.videos * videoBytes)
  const base = await baseVideo(srcDir)
  const files: SourceFile[] = []
  // Videos first, so that they run beside the photos rather than alone at the end.
  for (let i = 0; i < opts.videos; i++) {
    const f = { path: join(srcDir, `video-${i}.mp4`), name: `video-${i}.mp4`, size: videoBytes, video: true }
    await writeVideo(f.path, f.size, base, (n) => gen.add(n, 0)); gen.add(0); files.push(f)
  }
  const photo = async (name: string) => {
    const f = { path: join(srcDir, name), name, size: photoBytes, video: false }
    await writePhoto(f.path, f.size, (n) => gen.add(n, 0)); gen.add(0)
    return f
  }
  for (let i = 0; i < opts.photos; i++) files.push(await photo(`IMG_${String(i).padStart(4, '0')}.jpg`))
  const warmup: SourceFile[] = []
  for (let i = 0; i < warmups; i++) warmup.push(await photo(`warmup-${i}.jpg`))
  gen.end()
  sync()
  console.error(`  ${opts.photos} photos of ${opts.photoMb} MB and ${opts.videos} video(s) of ${opts.videoMb} MB: ${mb(files.reduce((n, f) => n + f.size, 0))} MB`)

  const both = async (t: Target, round: number) => {
    await runPool(warmup, opts.concurrency, async (f) => { const r = await put(t, f); const bad = putOk(f, r); if (bad !== undefined) throw new Error(`${t.name} warm-up: ${bad}`) })
    const putT = await timed(t, files, `round ${round} ${t.name.padEnd(6)} PUT`, (f) => put(t, f), putOk)
    const s0 = performance.now()
    sync() // what one server wrote is not written back on the other's time
    const syncSeconds = (performance.now() - s0) / 1000
    const getT = await timed(t, files, `round ${round} ${t.name.padEnd(6)} GET`, (f) => get(t.urlOf(f.name), t.agent, t.headers), getOk)
    return { putT, getT, syncSeconds }
  }

  const runHearth = async (round: number) => {
    const dataDir = join(root, `hearth-data-${round}`)
    const hearth = await reg.started(startHearth(dataDir, { serverUrl: opts.databaseUrl, extraEnv: hearthEnv }))
    const t = await hearthTarget(hearth)
    const m = await both(t, round)
    // Every photo and video became exactly one asset.
    const st = await json(`${hearth.url}/api/assets/statistics`, 'GET', undefined, t.bearer)
    const wantImages = opts.photos + warmup.length
    if (st.status !== 200 || st.body.images !== wantImages || st.body.videos !== opts.videos) {
      throw new Error(`hearth: expected ${wantImages} photos and ${opts.videos} videos as assets, got ${st.status} ${JSON.stringify(st.body)}`)
    }
    t.agent.destroy()
    await reg.stopped(hearth)
    await rm(dataDir, { recursive: true, force: true })
    sync()
    return m
  }
  const runNginx = async (round: number) => {
    const davRoot = join(root, `nginx-root-${round}`)
    const nginx = await reg.started(startNginx(nginxBinary, join(root, `nginx-conf-${round}`), davRoot, join(root, `nginx-body-${round}`)))
    const t = nginxTarget(nginx)
    const m = await both(t, round)
    for (const f of files) {
      const size = (await stat(join(davRoot, f.name))).size
      if (size !== f.size) throw new Error(`nginx: ${f.name} is ${f.size} bytes, stored as ${size}`)
    }
    t.agent.destroy()
    await reg.stopped(nginx)
    await rm(davRoot, { recursive: true, force: true })
    sync()
    return m
  }

  const out: Round[] = []
  for (let r = 1; r <= opts.rounds; r++) {
    let h, n
    if (r % 2 === 1) { h = await runHearth(r); n = await runNginx(r) } else { n = await runNginx(r); h = await runHearth(r) }
    out.push({ hearthPut: h.putT, hearthGet: h.getT, nginxPut: n.putT, nginxGet: n.getT, nginxSyncSeconds: n.syncSeconds })
    console.error(`  round ${r}: PUT hearth ${h.putT.mbps.toFixed(0)} / nginx ${n.putT.mbps.toFixed(0)} MB/s; GET hearth ${h.getT.mbps.toFixed(0)} / nginx ${n.getT.mbps.toFixed(0)} MB/s`)
  }
  await rm(srcDir, { recursive: true, force: true })
  return out
}

// ---------------------------------------------------------------------------------------------
// Memory while one large file is PUT.

async function memory (root: string) {
  console.error(`\n[2/2] memory: one ${opts.bigMb} MB video PUT over WebDAV`)
  const srcDir = join(root, 'big')
  await mkdir(srcDir, { recursive: true })
  const big: SourceFile = { path: join(srcDir, 'big.mp4'), name: 'big.mp4', size: opts.bigMb * MiB, video: true }
  const gen = progress('writing the big video', big.size)
  await writeVideo(big.path, big.size, await baseVideo(srcDir), (n) => gen.add(n, 0))
  gen.end()
  sync()
  const dataDir = join(root, 'hearth-data-big')
  const databaseName = opts.databaseUrl !== undefined ? `hearth_bench_${process.pid}_${Date.now().toString(36)}` : undefined
  if (databaseName !== undefined) reg.onCleanup(() => dropDatabase(opts.databaseUrl!, databaseName))
  const start = () => startHearth(dataDir, { serverUrl: opts.databaseUrl, databaseName, keepDatabase: true, extraEnv: hearthEnv })
  // The first start creates the database; the restart is the state a household server runs in.
  let hearth = await reg.started(start())
  await hearthTarget(hearth, 'sign-up')
  await reg.stopped(hearth)
  hearth = await reg.started(start())
  const t = await hearthTarget(hearth, 'login')
  let reply: SendResult | undefined
  const t0 = performance.now()
  const p = progress('hearth PUT', big.size)
  const peak = await peakRssDuring(hearth.pid, async () => {
    try { reply = await put(t, big, (n) => p.add(n, 0)) } finally { p.end() }
  })
  const seconds = (performance.now() - t0) / 1000
  if (reply === undefined || reply.status !== 201) throw new Error(`hearth: the ${opts.bigMb} MB PUT got ${reply?.status}: ${reply?.body.slice(0, 300)}`)
  const st = await json(`${hearth.url}/api/assets/statistics`, 'GET', undefined, t.bearer)
  if (st.body.videos !== 1) throw new Error(`hearth: the big video is not one asset: ${JSON.stringify(st.body)}`)
  const onDisk = (await stat(join(dataDir, 'dav'))).isDirectory()
  if (!onDisk) throw new Error('hearth: no WebDAV folder')
  t.agent.destroy()
  await reg.stopped(hearth)
  await rm(dataDir, { recursive: true, force: true })
  await rm(srcDir, { recursive: true, force: true })
  return { ...peak, seconds }
}

// ---------------------------------------------------------------------------------------------

async function main () {
  const root = await mkdtemp(join(opts.tmpdir, 'hearth-bench-dav-'))
  reg.folder(root)
  const total = opts.photos * opts.photoMb + opts.videos * opts.videoMb
  const needed = Math.max(total * 3, opts.bigMb * 2) * MiB + 512 * MiB
  const fs = await statfs(root)
  if (fs.bavail * fs.bsize < needed) throw new Error(`${root}: ${mb(fs.bavail * fs.bsize)} MB free, the benchmark needs about ${mb(needed)} MB (set BENCH_TMPDIR or smaller sizes)`)
  await writeFile(join(root, 'README'), 'Temporary files of bench/dav/run.ts; safe to delete.\n')
  console.error(`hearth WebDAV benchmark: temporary folder ${root} (sources, Hearth's data and nginx's root on this disk)`)
  console.error(`node ${process.version}, Hearth on ${engine}`)
  if (loadavg()[0] > 0.5) console.error(`warning: the load average is ${loadavg()[0].toFixed(1)}: other work on this machine will distort the figures`)

  let rounds: Round[] = []
  if (opts.photos + opts.videos > 0) {
    console.error(`\n[1/2] throughput: ${opts.concurrency} clients, ${opts.rounds} round(s)`)
    rounds = await throughput(root)
  }
  const mem = opts.bigMb > 0 ? await memory(root) : undefined

  const lines: string[] = ['']
  if (rounds.length > 0) {
    const row = (label: string, h: number[], n: number[]) => {
      const ratio = median(h) / median(n)
      return [
        `  ${label} hearth /dav/   ${median(h).toFixed(0).padStart(5)} MB/s${spread(h)}`,
        `  ${label} nginx (dav)    ${median(n).toFixed(0).padStart(5)} MB/s${spread(n)}`,
        `  ${label} ratio          ${ratio.toFixed(2).padStart(5)}   (goal >= 0.80)${ratio >= 0.8 ? '' : '  MISSED'}`,
      ]
    }
    lines.push('details')
    rounds.forEach((r, i) => {
      for (const [what, t] of [['hearth PUT', r.hearthPut], ['nginx  PUT', r.nginxPut], ['hearth GET', r.hearthGet], ['nginx  GET', r.nginxGet]] as const) {
        lines.push(`  round ${i + 1} ${what} ${t.mbps.toFixed(0).padStart(5)} MB/s, ${t.seconds.toFixed(2)} s; CPU (100% = one core): server ${pct(t.serverCpu / t.seconds)}, client ${pct(t.clientCpu / t.seconds)}`)
      }
    })
    const durable = median(rounds.map((r) => r.nginxPut.bytes / MiB / (r.nginxPut.seconds + r.nginxSyncSeconds)))
    lines.push(
      `  nginx does not fsync (Hearth fsyncs every file before it answers): nginx PUT including a sync after it ${durable.toFixed(0)} MB/s`,
      `  Hearth on ${engine}, job queues ${opts.jobs === 'pause' ? 'paused' : 'running'}; medians of ${rounds.length} round(s); MB = MiB`,
      '',
      `WebDAV throughput (${opts.concurrency} clients, ${opts.photos} x ${opts.photoMb} MB photos + ${opts.videos} x ${opts.videoMb} MB videos, Hearth on ${engine})`,
      ...row('PUT', rounds.map((r) => r.hearthPut.mbps), rounds.map((r) => r.nginxPut.mbps)),
      ...row('GET', rounds.map((r) => r.hearthGet.mbps), rounds.map((r) => r.nginxGet.mbps)),
    )
  }
  if (mem !== undefined) {
    lines.push(
      `memory (one ${opts.bigMb} MB PUT, Hearth on ${engine})`,
      `  hearth peak RSS          ${mb(mem.peak).padStart(5)} MB (goal < 250 MB)${mem.peak < 250 * MiB ? '' : '  MISSED'}`,
      `    idle before ${mb(mem.idle)} MB, so the PUT added ${mb(Math.max(0, mem.peak - mem.idle))} MB; ${mem.reset ? 'VmHWM reset before the PUT' : 'VmHWM could not be reset (peak from samples)'}; ${rate(opts.bigMb * MiB, mem.seconds)} MB/s`,
      `    RSS each second (MB): ${sampleLine(mem.samples)}`,
    )
  }
  console.log(lines.join('\n'))
}

try {
  await main()
} catch (err) {
  if (reg.interrupted) await new Promise(() => {})
  console.error(`\nbench/dav: ${(err as Error).stack ?? String(err)}`)
  for (const r of reg.running) {
    const tail = r.stderr().trim()
    if (tail !== '') console.error(`--- server stderr (${r.url}) ---\n${tail.slice(-4000)}`)
  }
  process.exitCode = 1
} finally {
  await reg.cleanup()
}

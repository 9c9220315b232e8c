/**
 * SFTP benchmark: Hearth's SFTP server (ssh2) against OpenSSH's own sftp-server (a private sshd on
 * loopback) on the same disk, with the same client (ssh2-sftp-client fastPut/fastGet, same cipher,
 * same chunk size and concurrency): upload and download of about 1 GB of photos and videos, and
 * Hearth's peak memory while one 4 GB file is uploaded. See bench/sftp/README.md.
 *
 * @example
 * node bench/sftp/run.ts                                            # 262 x 2 MB + 1 x 500 MB, 4 connections, 3 rounds; one 4096 MB upload
 * BENCH_ROUNDS=1 BENCH_BIG_MB=512 node bench/sftp/run.ts            # a quick run
 * BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54329/postgres node bench/sftp/run.ts
 */
import { mkdir, mkdtemp, rm, stat, statfs, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import SftpClient from 'ssh2-sftp-client'
import { json } from '../upload/client.ts'
import { dropDatabase, freePort, startHearth, type Running } from '../upload/servers.ts'
import { baseVideo, MiB, writePhoto, writeVideo } from '../dav/media.ts'
import { cleanupRegistry, cpuSeconds, mb, median, num, peakRssDuring, pct, progress, rate, rounds as spread, sampleLine, sync } from '../dav/util.ts'
import { startSshd, type Sshd } from './sshd.ts'

const { values: argv } = parseArgs({
  options: {
    photos: { type: 'string' },
    'photo-mb': { type: 'string' },
    videos: { type: 'string' },
    'video-mb': { type: 'string' },
    concurrency: { type: 'string' },
    rounds: { type: 'string' },
    'big-mb': { type: 'string' },
    cipher: { type: 'string' },
    tmpdir: { type: 'string' },
    'database-url': { type: 'string' },
    jobs: { type: 'string' },
    keep: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (argv.help === true) {
  console.log(`Usage: node bench/sftp/run.ts [options]
  --photos N         2 MB photos in the throughput test (BENCH_PHOTOS, default 262: with one 500 MB video, 1 GB)
  --photo-mb N       size of each photo, MiB (BENCH_PHOTO_MB, default 2)
  --videos N         videos (BENCH_VIDEOS, default 1)
  --video-mb N       size of each video, MiB (BENCH_VIDEO_MB, default 500)
  --concurrency N    SFTP connections at once, each one file at a time (BENCH_CONCURRENCY, default 4)
  --rounds N         rounds, Hearth and OpenSSH alternating first; medians are reported (BENCH_ROUNDS, default 3)
  --big-mb N         size of the file uploaded in the memory test, MiB (BENCH_BIG_MB, default 4096; 0 skips it)
  --cipher NAME      the one cipher the client offers (BENCH_SFTP_CIPHER, default aes128-gcm@openssh.com)
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
  cipher: argv.cipher ?? process.env.BENCH_SFTP_CIPHER ?? 'aes128-gcm@openssh.com',
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

interface SourceFile { path: string, name: string, size: number }

// ---------------------------------------------------------------------------------------------
// The two targets: how to log in, and where a file goes.

interface Target {
  name: string
  server: Running
  connect (): Promise<SftpClient>
  remoteOf (name: string): string
}

async function connectWith (config: Record<string, unknown>): Promise<SftpClient> {
  const c = new SftpClient()
  await c.connect({ host: '127.0.0.1', readyTimeout: 20_000, algorithms: { cipher: [opts.cipher] }, ...config } as SftpClient.ConnectOptions)
  // ssh2's client leaves Nagle's algorithm on; small requests would wait for it (same for both servers).
  ;(c as unknown as { client: { setNoDelay(on: boolean): void } }).client.setNoDelay(true)
  return c
}

async function hearthTarget (server: Running & { sftpPort: number }, how: 'sign-up' | 'login' = 'sign-up'): Promise<Target & { bearer: Record<string, string> }> {
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
    name: 'hearth', server, bearer,
    connect: () => connectWith({ port: server.sftpPort, username: EMAIL, password: PASSWORD }),
    remoteOf: (name) => `/Uploads/${name}`,
  }
}

function opensshTarget (sshd: Sshd, dir: string): Target {
  return {
    name: 'openssh', server: sshd,
    connect: () => connectWith({ port: sshd.port, username: sshd.username, privateKey: sshd.privateKey }),
    remoteOf: (name) => join(dir, name),
  }
}

async function startHearthSftp (dataDir: string, extra: { databaseName?: string, keepDatabase?: boolean } = {}): Promise<Running & { sftpPort: number }> {
  const sftpPort = await freePort()
  const h = await reg.started(startHearth(dataDir, { serverUrl: opts.databaseUrl, ...extra, extraEnv: { ...hearthEnv, HEARTH_SFTP_PORT: String(sftpPort) } }))
  return Object.assign(h, { sftpPort })
}

interface Timed { seconds: number, bytes: number, mbps: number, serverCpu: number, clientCpu: number }

/** `concurrency` connections, each taking the next file until none is left; timed from first to last. */
async function timed (t: Target, files: SourceFile[], label: string, op: (c: SftpClient, f: SourceFile) => Promise<void>): Promise<Timed> {
  const clients = await Promise.all(Array.from({ length: Math.min(opts.concurrency, files.length) }, () => t.connect()))
  const total = files.reduce((n, f) => n + f.size, 0)
  const p = progress(label, total)
  let next = 0
  const cpu0 = await cpuSeconds(t.server.pid)
  const client0 = process.cpuUsage()
  const t0 = performance.now()
  try {
    await Promise.all(clients.map(async (c) => {
      while (next < files.length) {
        const f = files[next++]
        try { await op(c, f) } catch (err) { throw new Error(`${t.name}: ${f.name}: ${(err as Error).message}`, { cause: err }) }
        p.add(f.size)
      }
    }))
  } finally { p.end() }
  const seconds = (performance.now() - t0) / 1000
  const client = process.cpuUsage(client0)
  const serverCpu = await cpuSeconds(t.server.pid) - cpu0
  await Promise.all(clients.map((c) => c.end()))
  return { seconds, bytes: total, mbps: total / MiB / seconds, serverCpu, clientCpu: (client.user + client.system) / 1e6 }
}

interface Round { hearthUp: Timed, hearthDown: Timed, sshUp: Timed, sshDown: Timed }

async function throughput (root: string): Promise<Round[]> {
  const srcDir = join(root, 'src')
  const sink = join(root, 'downloads')
  await mkdir(srcDir, { recursive: true })
  const photoBytes = opts.photoMb * MiB
  const videoBytes = opts.videoMb * MiB
  const gen = progress('generating photos and videos', opts.photos * photoBytes + opts.videos * videoBytes)
  const base = await baseVideo(srcDir)
  const files: SourceFile[] = []
  for (let i = 0; i < opts.videos; i++) {
    const f = { path: join(srcDir, `video-${i}.mp4`), name: `video-${i}.mp4`, size: videoBytes }
    await writeVideo(f.path, f.size, base, (n) => gen.add(n, 0)); gen.add(0); files.push(f)
  }
  for (let i = 0; i < opts.photos; i++) {
    const f = { path: join(srcDir, `IMG_${String(i).padStart(4, '0')}.jpg`), name: `IMG_${String(i).padStart(4, '0')}.jpg`, size: photoBytes }
    await writePhoto(f.path, f.size, (n) => gen.add(n, 0)); gen.add(0); files.push(f)
  }
  gen.end()
  sync()

  const both = async (t: Target, round: number) => {
    const up = await timed(t, files, `round ${round} ${t.name.padEnd(7)} upload  `, (c, f) => c.fastPut(f.path, t.remoteOf(f.name)).then(() => {}))
    sync()
    await mkdir(sink, { recursive: true })
    const down = await timed(t, files, `round ${round} ${t.name.padEnd(7)} download`, (c, f) => c.fastGet(t.remoteOf(f.name), join(sink, f.name)).then(() => {}))
    for (const f of files) {
      const size = (await stat(join(sink, f.name))).size
      if (size !== f.size) throw new Error(`${t.name}: ${f.name} downloaded as ${size} bytes of ${f.size}`)
    }
    await rm(sink, { recursive: true, force: true })
    sync()
    return { up, down }
  }

  const runHearth = async (round: number) => {
    const dataDir = join(root, `hearth-data-${round}`)
    const hearth = await startHearthSftp(dataDir)
    const t = await hearthTarget(hearth)
    const m = await both(t, round)
    const st = await json(`${hearth.url}/api/assets/statistics`, 'GET', undefined, t.bearer)
    if (st.status !== 200 || st.body.images !== opts.photos || st.body.videos !== opts.videos) {
      throw new Error(`hearth: expected ${opts.photos} photos and ${opts.videos} videos as assets, got ${st.status} ${JSON.stringify(st.body)}`)
    }
    await reg.stopped(hearth)
    await rm(dataDir, { recursive: true, force: true })
    sync()
    return m
  }
  const runOpenssh = async (round: number) => {
    const dir = join(root, `openssh-root-${round}`)
    await mkdir(dir, { recursive: true })
    const sshd = await reg.started(startSshd(join(root, `sshd-${round}`)))
    const m = await both(opensshTarget(sshd, dir), round)
    for (const f of files) {
      const size = (await stat(join(dir, f.name))).size
      if (size !== f.size) throw new Error(`openssh: ${f.name} is ${f.size} bytes, stored as ${size}`)
    }
    await reg.stopped(sshd)
    await rm(dir, { recursive: true, force: true })
    sync()
    return m
  }

  const out: Round[] = []
  for (let r = 1; r <= opts.rounds; r++) {
    let h, o
    if (r % 2 === 1) { h = await runHearth(r); o = await runOpenssh(r) } else { o = await runOpenssh(r); h = await runHearth(r) }
    out.push({ hearthUp: h.up, hearthDown: h.down, sshUp: o.up, sshDown: o.down })
    console.error(`  round ${r}: upload hearth ${h.up.mbps.toFixed(0)} / openssh ${o.up.mbps.toFixed(0)} MB/s; download hearth ${h.down.mbps.toFixed(0)} / openssh ${o.down.mbps.toFixed(0)} MB/s`)
  }
  await rm(srcDir, { recursive: true, force: true })
  return out
}

async function memory (root: string) {
  console.error(`\n[2/2] memory: one ${opts.bigMb} MB video uploaded over SFTP`)
  const srcDir = join(root, 'big')
  await mkdir(srcDir, { recursive: true })
  const big: SourceFile = { path: join(srcDir, 'big.mp4'), name: 'big.mp4', size: opts.bigMb * MiB }
  const gen = progress('writing the big video', big.size)
  await writeVideo(big.path, big.size, await baseVideo(srcDir), (n) => gen.add(n, 0))
  gen.end()
  sync()
  const dataDir = join(root, 'hearth-data-big')
  const databaseName = opts.databaseUrl !== undefined ? `hearth_bench_${process.pid}_${Date.now().toString(36)}` : undefined
  if (databaseName !== undefined) reg.onCleanup(() => dropDatabase(opts.databaseUrl!, databaseName))
  // The first start creates the database; the restart is the state a household server runs in.
  let hearth = await startHearthSftp(dataDir, { databaseName, keepDatabase: true })
  await hearthTarget(hearth, 'sign-up')
  await reg.stopped(hearth)
  hearth = await startHearthSftp(dataDir, { databaseName, keepDatabase: true })
  const t = await hearthTarget(hearth, 'login')
  const c = await t.connect()
  const p = progress('hearth upload', big.size)
  const t0 = performance.now()
  const peak = await peakRssDuring(hearth.pid, async () => {
    try {
      await c.fastPut(big.path, t.remoteOf(big.name), { step: (done: number) => { p.add(done - lastDone, 0); lastDone = done } })
    } finally { p.end() }
  })
  const seconds = (performance.now() - t0) / 1000
  await c.end()
  const st = await json(`${hearth.url}/api/assets/statistics`, 'GET', undefined, t.bearer)
  if (st.body.videos !== 1) throw new Error(`hearth: the big video is not one asset: ${JSON.stringify(st.body)}`)
  await reg.stopped(hearth)
  await rm(dataDir, { recursive: true, force: true })
  await rm(srcDir, { recursive: true, force: true })
  return { ...peak, seconds }
}
let lastDone = 0

async function main () {
  const root = await mkdtemp(join(opts.tmpdir, 'hearth-bench-sftp-'))
  reg.folder(root)
  const total = opts.photos * opts.photoMb + opts.videos * opts.videoMb
  const needed = Math.max(total * 3, opts.bigMb * 2) * MiB + 512 * MiB
  const fs = await statfs(root)
  if (fs.bavail * fs.bsize < needed) throw new Error(`${root}: ${mb(fs.bavail * fs.bsize)} MB free, the benchmark needs about ${mb(needed)} MB (set BENCH_TMPDIR or smaller sizes)`)
  await writeFile(join(root, 'README'), 'Temporary files of bench/sftp/run.ts; safe to delete.\n')
  console.error(`hearth SFTP benchmark: temporary folder ${root} (sources, downloads, Hearth's data and sshd's folder on this disk)`)
  console.error(`node ${process.version}, Hearth on ${engine}, cipher ${opts.cipher}`)
  if (loadavg()[0] > 0.5) console.error(`warning: the load average is ${loadavg()[0].toFixed(1)}: other work on this machine will distort the figures`)

  let rounds: Round[] = []
  if (opts.photos + opts.videos > 0) {
    console.error(`\n[1/2] throughput: ${opts.concurrency} connections, ${opts.rounds} round(s)`)
    rounds = await throughput(root)
  }
  const mem = opts.bigMb > 0 ? await memory(root) : undefined

  const lines: string[] = ['']
  if (rounds.length > 0) {
    const row = (label: string, h: number[], n: number[]) => {
      const ratio = median(h) / median(n)
      return [
        `  ${label} hearth (ssh2)      ${median(h).toFixed(0).padStart(5)} MB/s${spread(h)}`,
        `  ${label} openssh sftp-server ${median(n).toFixed(0).padStart(4)} MB/s${spread(n)}`,
        `  ${label} ratio              ${ratio.toFixed(2).padStart(5)}   (goal >= 0.70)${ratio >= 0.7 ? '' : '  MISSED'}`,
      ]
    }
    lines.push('details')
    rounds.forEach((r, i) => {
      for (const [what, t] of [['hearth  upload  ', r.hearthUp], ['openssh upload  ', r.sshUp], ['hearth  download', r.hearthDown], ['openssh download', r.sshDown]] as const) {
        lines.push(`  round ${i + 1} ${what} ${t.mbps.toFixed(0).padStart(5)} MB/s, ${t.seconds.toFixed(2)} s; CPU (100% = one core): server ${pct(t.serverCpu / t.seconds)}, client ${pct(t.clientCpu / t.seconds)}`)
      }
    })
    lines.push(
      `  client: ssh2-sftp-client fastPut/fastGet (ssh2 defaults: 64 requests of 32 KiB in flight), cipher ${opts.cipher}, ${opts.concurrency} connections`,
      '  sftp-server does not fsync (Hearth fsyncs every upload before it becomes an asset)',
      `  Hearth on ${engine}, job queues ${opts.jobs === 'pause' ? 'paused' : 'running'}; medians of ${rounds.length} round(s); MB = MiB`,
      '',
      `SFTP throughput (${opts.photos} x ${opts.photoMb} MB photos + ${opts.videos} x ${opts.videoMb} MB videos, Hearth on ${engine})`,
      ...row('upload  ', rounds.map((r) => r.hearthUp.mbps), rounds.map((r) => r.sshUp.mbps)),
      ...row('download', rounds.map((r) => r.hearthDown.mbps), rounds.map((r) => r.sshDown.mbps)),
    )
  }
  if (mem !== undefined) {
    lines.push(
      `memory (one ${opts.bigMb} MB SFTP upload, Hearth on ${engine})`,
      `  hearth peak RSS          ${mb(mem.peak).padStart(5)} MB (goal < 250 MB)${mem.peak < 250 * MiB ? '' : '  MISSED'}`,
      `    idle before ${mb(mem.idle)} MB, so the upload added ${mb(Math.max(0, mem.peak - mem.idle))} MB; ${mem.reset ? 'VmHWM reset before it' : 'VmHWM could not be reset (peak from samples)'}; ${rate(opts.bigMb * MiB, mem.seconds)} MB/s`,
      `    RSS each second (MB): ${sampleLine(mem.samples)}`,
    )
  }
  console.log(lines.join('\n'))
}

try {
  await main()
} catch (err) {
  if (reg.interrupted) await new Promise(() => {})
  console.error(`\nbench/sftp: ${(err as Error).stack ?? String(err)}`)
  for (const r of reg.running) {
    const tail = r.stderr().trim()
    if (tail !== '') console.error(`--- server stderr (${r.url}) ---\n${tail.slice(-4000)}`)
  }
  process.exitCode = 1
} finally {
  await reg.cleanup()
}

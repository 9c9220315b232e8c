/**
 * Rescan benchmark: an unchanged share of 100,000 small files, Hearth's rescan against
 * `find -printf '%s %T@ %i'` over the same tree (the same stats: size, mtime, inode), side by side
 * in one run, with Hearth's peak RSS. Goals: within 3x of find; peak RSS under 400 MB.
 * See bench/rescan/README.md.
 *
 * @example
 * node bench/rescan/run.ts                                        # PGlite (+ PostgreSQL when a URL is set)
 * BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:54329/postgres node bench/rescan/run.ts
 * node bench/rescan/run.ts --files 20000 --runs 5
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createScratchDatabase } from '../../test/helpers/pg-database.ts'

const here = dirname(fileURLToPath(import.meta.url))
const { values: argv } = parseArgs({
  options: {
    files: { type: 'string' }, 'per-folder': { type: 'string' }, runs: { type: 'string' },
    'database-url': { type: 'string' }, tmpdir: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  },
})
if (argv.help === true) {
  console.log(`Usage: node bench/rescan/run.ts [--files N] [--per-folder N] [--runs N] [--database-url URL] [--tmpdir DIR] [--keep]
  --files         files in the share (BENCH_FILES, default 100000)
  --per-folder    files per folder (BENCH_PER_FOLDER, default 100)
  --runs          timed rescans per engine, and find runs; the median is shown (BENCH_RUNS, default 3)
  --database-url  a PostgreSQL server to run the PostgreSQL engine on too (BENCH_DATABASE_URL; a database is created and dropped)
  --tmpdir        where the share and data go (BENCH_TMPDIR, default the OS temp folder)
  --keep          leave them in place`)
  process.exit(0)
}
const num = (arg: string | undefined, env: string, fallback: number) => {
  const raw = arg ?? process.env[env]
  const n = raw === undefined || raw === '' ? fallback : Number(raw)
  if (!Number.isInteger(n) || n < 1) { console.error(`${env}: expected a whole number >= 1, got "${raw}"`); process.exit(64) }
  return n
}
const opts = {
  files: num(argv.files, 'BENCH_FILES', 100_000),
  perFolder: num(argv['per-folder'], 'BENCH_PER_FOLDER', 100),
  runs: num(argv.runs, 'BENCH_RUNS', 3),
  databaseUrl: argv['database-url'] ?? process.env.BENCH_DATABASE_URL,
  tmpdir: argv.tmpdir ?? process.env.BENCH_TMPDIR ?? tmpdir(),
  keep: argv.keep === true || process.env.BENCH_KEEP === '1',
}

interface ScanResult {
  ms: number
  stats: { files: number, read: number, added: number, foldersChanged: number }
  rssBeforeMb: number, startupPeakMb: number, scanPeakMb: number, processPeakMb: number
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n: number) => n.toLocaleString('en-US')

/** A share: `files` tiny photos (unique content) in dated folders of `perFolder`. */
function makeTree (root: string, files: number, perFolder: number) {
  let n = 0
  for (let f = 0; n < files; f++) {
    const year = 2000 + Math.floor(f / 120)
    const day = new Date(Date.UTC(year, 0, 1 + (f % 120) * 3)).toISOString().slice(0, 10)
    const folder = join(root, String(year), `${day} Family`)
    mkdirSync(folder, { recursive: true })
    for (let i = 0; i < perFolder && n < files; i++, n++) {
      writeFileSync(join(folder, `IMG_${String(n).padStart(6, '0')}.jpg`), `\xff\xd8 photo ${n} ${randomBytes(4).toString('hex')}`)
    }
  }
}

/** One `find` over the tree, output discarded: wall time and, with GNU time, its peak RSS. */
function runFind (root: string): { ms: number, peakMb?: number } {
  const devnull = openSync('/dev/null', 'w')
  try {
    const started = performance.now()
    const r = spawnSync('find', [root, '-printf', '%s %T@ %i\\n'], { stdio: ['ignore', devnull, 'inherit'] })
    const ms = performance.now() - started
    if (r.status !== 0) throw new Error(`find failed (${r.status})`)
    let peakMb: number | undefined
    if (existsSync('/usr/bin/time')) {
      const t = spawnSync('/usr/bin/time', ['-f', '%M', 'find', root, '-printf', '%s %T@ %i\\n'], { stdio: ['ignore', devnull, 'pipe'], encoding: 'utf8' })
      const kb = Number(t.stderr.trim().split('\n').pop())
      if (Number.isFinite(kb)) peakMb = kb / 1024
    }
    return { ms, peakMb }
  } finally {
    closeSync(devnull)
  }
}

function runScan (dataDir: string, share: string, databaseUrl: string | undefined, create: boolean): ScanResult {
  const out = execFileSync(process.execPath, [
    '--disable-warning=ExperimentalWarning', join(here, 'scan.ts'), '--data', dataDir, '--share', share,
    ...(databaseUrl !== undefined ? ['--database-url', databaseUrl] : []), ...(create ? ['--create'] : []),
  ], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })
  return JSON.parse(out.trim().split('\n').pop()!) as ScanResult
}

const freshPostgres = (serverUrl: string) => createScratchDatabase(serverUrl, 'hearth_bench')

const temp = await mkdtemp(join(opts.tmpdir, 'hearth-bench-rescan-'))
const cleanups: Array<() => Promise<void>> = []
const cleanup = async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {})
  if (!opts.keep) await rm(temp, { recursive: true, force: true })
  else console.error(`kept ${temp}`)
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { void cleanup().finally(() => process.exit(130)) })

try {
  const share = join(temp, 'share')
  const folders = Math.ceil(opts.files / opts.perFolder)
  process.stderr.write(`generating ${fmt(opts.files)} files in ${fmt(folders)} folders under ${share}... `)
  const t = performance.now()
  makeTree(share, opts.files, opts.perFolder)
  process.stderr.write(`${((performance.now() - t) / 1000).toFixed(1)} s\n`)

  const engines: Array<{ engine: string, url?: string, dataDir: string }> = [{ engine: 'pglite', dataDir: join(temp, 'data-pglite') }]
  if (opts.databaseUrl !== undefined) {
    const pgdb = await freshPostgres(opts.databaseUrl)
    cleanups.push(pgdb.drop)
    engines.push({ engine: 'postgres', url: pgdb.url, dataDir: join(temp, 'data-postgres') })
  }
  const results = new Map<string, { first?: ScanResult, rescans: ScanResult[] }>(engines.map((e) => [e.engine, { rescans: [] }]))
  for (const { engine, url, dataDir } of engines) {
    process.stderr.write(`[${engine}] first scan (reads and hashes every file)... `)
    const first = runScan(dataDir, share, url, true)
    process.stderr.write(`${(first.ms / 1000).toFixed(1)} s\n`)
    if (first.stats.added !== opts.files) throw new Error(`[${engine}] the first scan indexed ${first.stats.added} of ${opts.files} files`)
    results.get(engine)!.first = first
  }
  // Let the first scans' writes reach the disk (and PostgreSQL's autovacuum pass) before timing.
  spawnSync('sync')
  await new Promise((ok) => setTimeout(ok, 5000))

  // Side by side: each round runs find and then each engine's rescan on the same warm tree.
  runFind(share)
  const finds: Array<{ ms: number, peakMb?: number }> = []
  for (let i = 0; i < opts.runs; i++) {
    process.stderr.write(`round ${i + 1} of ${opts.runs}\r`)
    finds.push(runFind(share))
    for (const { engine, url, dataDir } of engines) {
      const r = runScan(dataDir, share, url, false)
      if (r.stats.read !== 0 || r.stats.foldersChanged !== 0) throw new Error(`[${engine}] an unchanged rescan read ${r.stats.read} files, compared ${r.stats.foldersChanged} folders`)
      results.get(engine)!.rescans.push(r)
    }
  }
  const findMs = median(finds.map((f) => f.ms))
  const findPeak = finds.find((f) => f.peakMb !== undefined)?.peakMb

  const rows: string[][] = [['', 'time', 'vs find', 'peak RSS', 'notes']]
  rows.push(['find -printf \'%s %T@ %i\'', `${(findMs / 1000).toFixed(3)} s`, '1.00x', findPeak === undefined ? '-' : `${findPeak.toFixed(1)} MB`, `median of ${opts.runs}, warm cache`])
  for (const [engine, r] of results) {
    const ms = median(r.rescans.map((x) => x.ms))
    const peak = Math.max(...r.rescans.map((x) => x.scanPeakMb))
    const before = median(r.rescans.map((x) => x.rssBeforeMb))
    rows.push([`Hearth rescan (${engine})`, `${(ms / 1000).toFixed(3)} s`, `${(ms / findMs).toFixed(2)}x`, `${peak} MB`,
      `median of ${opts.runs}; RSS ${before} MB before it; start-up peak ${Math.max(...r.rescans.map((x) => x.startupPeakMb))} MB`])
  }
  for (const [engine, { first }] of results) {
    rows.push([`first scan (${engine})`, `${(first!.ms / 1000).toFixed(1)} s`, '', `${first!.scanPeakMb} MB`,
      `${fmt(Math.round(opts.files / (first!.ms / 1000)))} files/s, each read once (SHA-1 + SHA-256)`])
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
  console.log(`\nbench/rescan: an unchanged share of ${fmt(opts.files)} files in ${fmt(folders)} folders (${process.platform}, Node ${process.version})\n`)
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ').trimEnd())
  console.log('\ngoals: a rescan within 3x of find; peak RSS during a rescan under 400 MB')
} finally {
  await cleanup()
}

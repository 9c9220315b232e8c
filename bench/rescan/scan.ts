/**
 * One scan in its own process, for bench/rescan/run.ts: opens the database, (first time) creates
 * an admin and a library on the share, runs one scan as the `library` job would, and prints one
 * JSON line: the scan's time, its statistics, and memory: the resident size before the scan, the
 * peak during the scan (VmHWM reset just before it), and the process's peak overall (which with
 * PGlite is its start-up).
 *
 * node bench/rescan/scan.ts --data DIR --share DIR [--database-url URL] [--create]
 */
import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import pino from 'pino'
import { openDatabase } from '../../node/db/index.ts'
import { createUserService } from '../../node/users/service.ts'
import { createJobRepo } from '../../node/jobs/repo.ts'
import { createScanner } from '../../appliance/libraries/scanner.ts'
import { createLibraryService } from '../../appliance/libraries/service.ts'

const { values } = parseArgs({ options: { data: { type: 'string' }, share: { type: 'string' }, 'database-url': { type: 'string' }, create: { type: 'boolean', default: false } } })
if (values.data === undefined || values.share === undefined) throw new Error('--data and --share are required')
const mb = (kb: number) => Math.round(kb / 1024)

/** VmRSS and VmHWM (the peak) of this process in MiB; `reset` starts a new peak (Linux: clear_refs). */
async function memory (reset = false) {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  const now = { rssMb: mb(kb('VmRSS')), peakMb: mb(kb('VmHWM')) }
  if (reset) await writeFile('/proc/self/clear_refs', '5').catch(() => {})
  return now
}

const db = await openDatabase({ url: values['database-url'], dataDir: resolve(values.data, 'db') })
// PGlite's own start-up briefly takes some 400 MB more than it keeps; a server does that once, at
// boot, long before a scan. Let it settle, note the process's peak so far, and measure the scan's.
await new Promise((ok) => setTimeout(ok, 1500))
try {
  const log = pino({ level: 'warn' })
  const jobs = createJobRepo(db)
  const service = createLibraryService({
    db, log, dataDir: values.data, scanner: createScanner({ db, log, dataDir: values.data }),
    enqueue: (job) => jobs.insert([job]), purgeAssets: async () => 0,
  })
  let [library] = await service.repo.list()
  if (library === undefined) {
    if (values.create !== true) throw new Error('no library yet: run with --create first')
    const users = createUserService({ db })
    const owner = await users.create({ email: 'bench@example.org', name: 'Bench', password: 'bench password', isAdmin: true })
    library = await service.create({ ownerId: owner.id, name: 'Bench', importPaths: [values.share] })
  }
  const beforeScan = await memory(true)
  const started = performance.now()
  const stats = await service.runScan(library.id)
  const ms = performance.now() - started
  const during = await memory()
  console.log(JSON.stringify({ ms, stats, rssBeforeMb: beforeScan.rssMb, startupPeakMb: beforeScan.peakMb, scanPeakMb: during.peakMb, processPeakMb: mb(process.resourceUsage().maxRSS) }))
} finally {
  await db.close()
}

/**
 * `hearth library add|scan|status`: index an existing share, rescan it, see where it stands.
 *
 * Two ways to reach Hearth, picked by what is running:
 *  - Hearth is running (it answers at HEARTH_URL, else http://127.0.0.1:HEARTH_PORT): the command
 *    talks to it over HTTP with an admin's API key in HEARTH_API_KEY (create one in the web UI, or
 *    POST /api/api-keys). The scan runs in the server, as a job; the command shows its progress.
 *  - Hearth is stopped: the command opens the database itself and runs the scan in this process
 *    (with the embedded database only one process may have it open, so this is the only way then).
 *    Metadata extraction for the new files is queued and runs when Hearth starts.
 * `--server` or `--direct` forces one way.
 *
 * @example
 * hearth library add /volume1/photo --name "Family photos" --owner grandma@example.org
 * hearth library scan               # every library
 * hearth library status
 */
import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import pino from 'pino'
import type { Config } from '../../node/config/schema.ts'
import type { Database } from '../../node/db/index.ts'
import { openHearthDatabase } from '../../node/backups/service.ts'
import { cliLogger } from '../../node/observability/log.ts'
import { isUuid } from '../../node/db/ids.ts'
import { HttpError } from '../../node/http/errors.ts'
import { createJobRepo } from '../../node/jobs/repo.ts'
import { createUserRepo } from '../../node/users/repo.ts'
import { defaultExclusionPatterns } from '../libraries/glob.ts'
import type { LibraryRow } from '../libraries/repo.ts'
import { createScanner, type ScanStats } from '../libraries/scanner.ts'
import { createLibraryService, type LibraryService } from '../libraries/service.ts'
import { bytes, CliError, createProgress, fmt, runningHearth, type Progress, type ServerApi } from './shared.ts'

const usage = `Usage:
  hearth library add PATH... [--name NAME] [--owner EMAIL|ID] [--exclude GLOB]... [--no-default-exclusions] [--no-scan]
  hearth library scan [LIBRARY] [--no-wait]     rescan one library (id or name), or all of them
  hearth library status [LIBRARY]               libraries, their files, how changes are followed, scans

Options: --server (talk to the running Hearth; needs HEARTH_API_KEY), --direct (open the database; Hearth must be stopped)
Environment: HEARTH_URL (default http://127.0.0.1:HEARTH_PORT), HEARTH_API_KEY (an admin's API key)`

/** What the command needs, whichever way it reaches Hearth. */
interface Backend {
  kind: 'server' | 'direct'
  list(): Promise<LibraryInfo[]>
  create(input: { ownerId: string, name?: string, importPaths: string[], exclusionPatterns: string[] }): Promise<LibraryInfo>
  resolveOwner(owner: string | undefined): Promise<string>
  /** Runs or queues a scan and reports progress until it ends (unless `wait` is false). */
  scan(library: LibraryInfo, wait: boolean, progress: Progress): Promise<ScanStats | undefined>
  statistics(id: string): Promise<{ photos: number, videos: number, total: number, usage: number, offline: number }>
  close(): Promise<void>
}

interface LibraryInfo {
  id: string, name: string, ownerId: string, importPaths: string[], exclusionPatterns: string[]
  refreshedAt: string | null, watchMode?: string, watchModeReason?: string, scan?: { status: string } | undefined
}

export async function libraryCommand (config: Config, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  let parsed
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        name: { type: 'string' }, owner: { type: 'string' }, exclude: { type: 'string', multiple: true },
        'no-default-exclusions': { type: 'boolean', default: false }, 'no-scan': { type: 'boolean', default: false },
        'no-wait': { type: 'boolean', default: false }, server: { type: 'boolean', default: false }, direct: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (err) {
    console.error(`hearth library: ${(err as Error).message}\n\n${usage}`)
    return 64
  }
  const { values, positionals } = parsed
  if (values.help === true || sub === undefined || !['add', 'scan', 'status'].includes(sub)) {
    console.log(usage)
    return values.help === true ? 0 : 64
  }
  let backend: Backend
  try {
    backend = await connect(config, { server: values.server === true, direct: values.direct === true })
  } catch (err) {
    console.error(`hearth library: ${(err as Error).message}`)
    return 1
  }
  const progress = createProgress()
  try {
    switch (sub) {
      case 'add': {
        if (positionals.length === 0) { console.error(`hearth library add: give the folder(s) to index\n\n${usage}`); return 64 }
        const exclusionPatterns = [...(values['no-default-exclusions'] === true ? [] : defaultExclusionPatterns), ...(values.exclude ?? [])]
        const library = await backend.create({
          ownerId: await backend.resolveOwner(values.owner),
          name: values.name,
          importPaths: positionals.map((p) => resolve(p)),
          exclusionPatterns,
        })
        console.log(`Added library "${library.name}" (${library.id}) for ${library.importPaths.join(', ')}`)
        if (values['no-scan'] === true) return 0
        return report(library, await backend.scan(library, values['no-wait'] !== true, progress), backend)
      }
      case 'scan': {
        const libraries = await pick(backend, positionals[0])
        if (libraries.length === 0) { console.error('No library to scan: add one with `hearth library add PATH`'); return 1 }
        let code = 0
        for (const library of libraries) {
          const stats = await backend.scan(library, values['no-wait'] !== true, progress)
          code = Math.max(code, report(library, stats, backend))
        }
        return code
      }
      case 'status': {
        const libraries = await pick(backend, positionals[0])
        if (libraries.length === 0) { console.log('No libraries yet: add one with `hearth library add PATH`'); return 0 }
        for (const l of libraries) {
          const s = await backend.statistics(l.id)
          console.log(`${l.name}  (${l.id})`)
          console.log(`  paths      ${l.importPaths.join(', ') || '(none)'}`)
          console.log(`  files      ${fmt(s.total)} (${fmt(s.photos)} photos, ${fmt(s.videos)} videos, ${bytes(s.usage)})${s.offline > 0 ? `, ${fmt(s.offline)} offline` : ''}`)
          console.log(`  scanned    ${l.refreshedAt === null ? 'never' : new Date(l.refreshedAt).toLocaleString()}${l.scan !== undefined && l.scan.status !== 'idle' ? ` (${l.scan.status} now)` : ''}`)
          if (l.watchMode !== undefined) console.log(`  changes    ${l.watchMode === 'inotify' ? 'followed live (inotify)' : `periodic rescans (polling)${l.watchModeReason !== undefined && l.watchModeReason !== '' ? `: ${l.watchModeReason}` : ''}`}`)
          else console.log('  changes    (Hearth is stopped)')
        }
        return 0
      }
    }
    return 64
  } catch (err) {
    progress.end()
    if (err instanceof HttpError || err instanceof CliError) { console.error(`hearth library ${sub}: ${err.message}`); return 1 }
    throw err
  } finally {
    await backend.close()
  }
}

async function pick (backend: Backend, which: string | undefined): Promise<LibraryInfo[]> {
  const all = await backend.list()
  if (which === undefined) return all
  const found = all.filter((l) => l.id === which || l.name === which)
  if (found.length === 0) throw new CliError(`no library with the id or name "${which}"`)
  return found
}

function report (library: LibraryInfo, stats: ScanStats | undefined, backend: Backend): number {
  if (stats === undefined) {
    console.log(`Scan of "${library.name}" queued${backend.kind === 'server' ? '; `hearth library status` shows how it goes' : ''}.`)
    return 0
  }
  const parts = [`${fmt(stats.files)} files`, `${fmt(stats.added)} new`, `${fmt(stats.changed)} changed`, `${fmt(stats.moved)} moved`, `${fmt(stats.offline)} went offline`, `${fmt(stats.returned)} came back`]
  console.log(`Scanned "${library.name}": ${parts.join(', ')}.`)
  if (stats.skipped > 0) console.log(`  ${fmt(stats.skipped)} file(s) could not be read (or changed while being read); they are tried again next scan.`)
  for (const u of stats.unavailable.slice(0, 10)) console.log(`  could not list ${u}: left as it was`)
  if (backend.kind === 'direct' && stats.added + stats.changed > 0) console.log('  Their metadata and thumbnails are made when Hearth starts.')
  return 0
}

const line = (s: ScanStats) => `${fmt(s.files)} / ${fmt(s.total)} files · ${fmt(s.added)} new · ${fmt(s.changed)} changed · ${fmt(s.moved)} moved · ${fmt(s.offline)} offline`
/** A scan's progress on the bar (null: not started yet). */
const scanProgress = (progress: Progress, label: string, stats: ScanStats | null, note?: string) =>
  progress.update(label, stats === null || stats.total === 0 ? 0 : stats.files / stats.total, note ?? (stats === null ? 'starting' : line(stats)))

// -------------------------------------------------------------------------------------------
// The two backends.

async function connect (config: Config, force: { server: boolean, direct: boolean }): Promise<Backend> {
  const server = await runningHearth(config, force)
  return server === undefined ? directBackend(config) : serverBackend(server)
}

function serverBackend ({ call }: ServerApi): Backend {
  return {
    kind: 'server',
    list: () => call<LibraryInfo[]>('GET', '/api/libraries'),
    create: (input) => call<LibraryInfo>('POST', '/api/libraries', input),
    async resolveOwner (owner) {
      if (owner === undefined) return (await call<{ id: string }>('GET', '/api/users/me')).id
      const email: string = owner
      if (isUuid(owner)) return owner
      const users = await call<Array<{ id: string, email: string }>>('GET', '/api/admin/users')
      const user = users.find((u) => u.email.toLowerCase() === email.toLowerCase())
      if (user === undefined) throw new CliError(`no user with the email ${owner}`)
      return user.id
    },
    async scan (library, wait, progress) {
      const asked = Date.now()
      await call('POST', `/api/libraries/${library.id}/scan`)
      if (!wait) return undefined
      let seenBusy = false
      for (;;) {
        const l = await call<LibraryInfo & { scan: { status: string, stats: ScanStats | null, finishedAt: string | null, error: string | null } }>('GET', `/api/libraries/${library.id}`)
        const s = l.scan
        if (s.status === 'scanning') { seenBusy = true; scanProgress(progress, library.name, s.stats) } else if (s.status === 'queued') {
          seenBusy = true
          scanProgress(progress, library.name, null, 'waiting for other scans to finish')
        } else if (seenBusy || (s.finishedAt !== null && Date.parse(s.finishedAt) >= asked - 1000)) {
          progress.end()
          if (s.error !== null) throw new CliError(`the scan failed: ${s.error}`)
          return s.stats ?? undefined
        }
        await new Promise((ok) => setTimeout(ok, 300))
      }
    },
    statistics: (id) => call('GET', `/api/libraries/${id}/statistics`),
    async close () {},
  }
}

async function directBackend (config: Config): Promise<Backend> {
  let db: Database
  try {
    db = await openHearthDatabase(config, cliLogger())
  } catch (err) {
    throw new Error(`cannot open Hearth's database (${(err as Error).message}). If Hearth is running, set HEARTH_API_KEY (and HEARTH_URL) so this command talks to it instead.`, { cause: err })
  }
  const log = pino({ level: process.env.HEARTH_LOG_LEVEL === 'debug' ? 'debug' : 'warn' })
  const scanner = createScanner({ db, log, dataDir: config.HEARTH_DATA_DIR })
  const jobs = createJobRepo(db)
  const service: LibraryService = createLibraryService({
    db, log, dataDir: config.HEARTH_DATA_DIR, scanner,
    enqueue: (job) => jobs.insert([job]),
    purgeAssets: async () => { throw new CliError('removing assets needs the running Hearth') },
    // Trashing offline assets is left to Hearth itself, with its configured grace period.
  })
  const users = createUserRepo(db)
  const info = (l: LibraryRow): LibraryInfo => ({
    id: l.id, name: l.name, ownerId: l.owner_id, importPaths: l.import_paths, exclusionPatterns: l.exclusion_patterns,
    refreshedAt: l.refreshed_at?.toISOString() ?? null,
  })
  return {
    kind: 'direct',
    list: async () => (await service.repo.list()).map(info),
    create: async (input) => info(await service.create(input)),
    async resolveOwner (owner) {
      if (owner !== undefined) {
        const user = isUuid(owner) ? await users.byId(owner) : await users.byEmail(owner)
        if (user === undefined) throw new CliError(`no user ${owner}`)
        return user.id
      }
      const admin = (await users.list()).find((u) => u.is_admin)
      if (admin === undefined) throw new CliError('no admin yet: create one first (hearth user add --admin, or the web UI), or give --owner')
      return admin.id
    },
    async scan (library, _wait, progress) {
      const controller = new AbortController()
      const onSignal = () => controller.abort()
      process.once('SIGINT', onSignal)
      try {
        const stats = await service.runScan(library.id, { signal: controller.signal, onProgress: (s) => scanProgress(progress, library.name, s) })
        progress.end()
        return stats
      } catch (err) {
        if (controller.signal.aborted) throw new CliError('stopped; what was indexed so far is kept, and the next scan carries on from there', { cause: err })
        throw err
      } finally {
        process.off('SIGINT', onSignal)
      }
    },
    statistics: (id) => service.statistics(id),
    close: () => db.close(),
  }
}

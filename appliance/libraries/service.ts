/**
 * External libraries: creating, changing and removing them (validating their import paths), and
 * running their scans one at a time per library, with live progress. Used by the HTTP routes and
 * by `hearth library` when it works on the database directly.
 */
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import type { Database } from '../../node/db/index.ts'
import { uuidv7 } from '../../node/db/ids.ts'
import { BadRequestError, ConflictError, NotFoundError } from '../../node/http/errors.ts'
import type { NewJob } from '../../node/jobs/repo.ts'
import { priority } from '../../node/jobs/queues.ts'
import { createUserRepo } from '../../node/users/repo.ts'
import { createExclusionMatcher, defaultExclusionPatterns } from './glob.ts'
import { checkImportPath, isWithin, normalizeImportPath, overlapProblems, type ImportPathCheck } from './paths.ts'
import type { LibraryRow } from './repo.ts'
import type { Scanner, ScanStats } from './scanner.ts'

export interface ScanState {
  status: 'idle' | 'queued' | 'scanning'
  /** 0..1 while scanning. */
  progress: number | null
  /** The scan in progress, or else the last one since Hearth started. */
  stats: ScanStats | null
  startedAt: string | null
  finishedAt: string | null
  error: string | null
}

export interface LibraryServiceDeps {
  db: Database
  log: Logger
  dataDir: string
  scanner: Scanner
  /** Puts a job in the queue (the job service in a running node; a plain insert from the CLI). */
  enqueue: (job: NewJob) => Promise<number>
  /** Deletes assets' rows and their generated files (never a share's file). */
  purgeAssets: (ownerId: string, ids: string[]) => Promise<number>
  /** Offline assets go to the trash after this long (left alone when undefined). */
  offlineGraceMs?: number
}

export interface LibraryInput { ownerId: string, name?: string, importPaths?: string[], exclusionPatterns?: string[] }

export const scanDedupeKey = (libraryId: string, folders?: string[]) =>
  folders === undefined ? `library:${libraryId}` : `library:${libraryId}:${createHash('sha1').update(folders.join('\0')).digest('hex').slice(0, 16)}`

export function createLibraryService ({ db, log, dataDir, scanner, enqueue, purgeAssets, offlineGraceMs }: LibraryServiceDeps) {
  const repo = scanner.repo
  const users = createUserRepo(db)
  const running = new Map<string, { controller: AbortController, state: ScanState }>()
  const finished = new Map<string, ScanState>()
  const locks = new Map<string, Promise<unknown>>()

  /** One scan of a library at a time (the queue may run several libraries at once). */
  async function withLock<T> (libraryId: string, fn: () => Promise<T>): Promise<T> {
    const before = locks.get(libraryId) ?? Promise.resolve()
    const mine = before.then(fn, fn)
    const tail = mine.catch(() => {})
    locks.set(libraryId, tail)
    try { return await mine } finally { if (locks.get(libraryId) === tail) locks.delete(libraryId) }
  }

  async function get (id: string): Promise<LibraryRow> {
    const row = await repo.byId(id)
    if (row === undefined) throw new NotFoundError('Library')
    return row
  }

  /** Every problem with these paths and patterns, as one 400 (and a 409 for another library's share). */
  async function validateInput (importPaths: string[] | undefined, exclusionPatterns: string[] | undefined, selfId?: string) {
    const problems: string[] = []
    if (importPaths !== undefined) {
      const checks = await Promise.all(importPaths.map((p) => checkImportPath(p, dataDir)))
      checks.forEach((c, i) => { if (!c.isValid) problems.push(`importPaths.${i}: ${c.importPath}: ${c.message}`) })
      problems.push(...overlapProblems(importPaths))
    }
    if (exclusionPatterns !== undefined) {
      exclusionPatterns.forEach((p, i) => {
        try { createExclusionMatcher([p]) } catch (err) { problems.push(`exclusionPatterns.${i}: ${(err as Error).message}`) }
      })
    }
    if (problems.length > 0) throw new BadRequestError(problems.join('; '))
    if (importPaths !== undefined) {
      for (const other of await repo.list()) {
        if (other.id === selfId) continue
        for (const mine of importPaths.map(normalizeImportPath)) {
          const clash = other.import_paths.find((theirs) => isWithin(mine, theirs) || isWithin(theirs, mine))
          if (clash !== undefined) throw new ConflictError(`${mine} overlaps ${clash}, already indexed by the library "${other.name}": a file belongs to one library`)
        }
      }
    }
  }

  const normalizePaths = (paths: string[] | undefined) => paths?.map(normalizeImportPath)

  return {
    repo,
    get,

    /** A library the caller may see: their own, or any for an admin; someone else's is "not found". */
    async visibleTo (user: { id: string, is_admin: boolean }, id: string): Promise<LibraryRow> {
      const row = await repo.byId(id)
      if (row === undefined || (!user.is_admin && row.owner_id !== user.id)) throw new NotFoundError('Library')
      return row
    },

    async create (input: LibraryInput): Promise<LibraryRow> {
      if (await users.byId(input.ownerId) === undefined) throw new BadRequestError(`ownerId: no user has the id ${input.ownerId}`)
      // Immich's rule: no patterns given means the defaults; an empty list means none.
      const exclusionPatterns = input.exclusionPatterns ?? [...defaultExclusionPatterns]
      const importPaths = input.importPaths ?? []
      await validateInput(importPaths, exclusionPatterns)
      const row = await repo.insert({
        id: uuidv7(), owner_id: input.ownerId, name: input.name ?? 'New External Library',
        import_paths: normalizePaths(importPaths)!, exclusion_patterns: exclusionPatterns,
      })
      log.info({ libraryId: row.id, ownerId: row.owner_id, importPaths: row.import_paths }, 'library created')
      return row
    },

    /** Changes a library; new paths or patterns are looked at by a scan, queued at once. */
    async update (id: string, patch: { name?: string, importPaths?: string[], exclusionPatterns?: string[] }): Promise<LibraryRow> {
      const before = await get(id)
      await validateInput(patch.importPaths, patch.exclusionPatterns, id)
      const row = (await repo.update(id, { ...patch, importPaths: normalizePaths(patch.importPaths) }))!
      const pathsChanged = patch.importPaths !== undefined && JSON.stringify(row.import_paths) !== JSON.stringify(before.import_paths)
      const patternsChanged = patch.exclusionPatterns !== undefined && JSON.stringify(row.exclusion_patterns) !== JSON.stringify(before.exclusion_patterns)
      if (patternsChanged) await repo.forgetFingerprints(id)
      if (pathsChanged || patternsChanged) await this.enqueueScan(id)
      return row
    },

    /** Removes a library and its assets' rows (and thumbnails); never a file of the share. */
    async remove (id: string): Promise<void> {
      const library = await get(id)
      running.get(id)?.controller.abort(new LibraryRemovedError())
      await withLock(id, async () => {
        for (;;) {
          const ids = await repo.assetIds(id, 1000)
          if (ids.length === 0) break
          await purgeAssets(library.owner_id, ids)
        }
        await repo.remove(id)
      })
      finished.delete(id)
      log.info({ libraryId: id }, 'library removed (its files on the share are untouched)')
    },

    async statistics (id: string) {
      return repo.statistics(id)
    },

    /** Immich's validate: for each path, whether Hearth can index it, and why not. */
    async validate (importPaths: string[]): Promise<ImportPathCheck[]> {
      const checks = await Promise.all(importPaths.map((p) => checkImportPath(p, dataDir)))
      const overlaps = overlapProblems(importPaths)
      return checks.map((c, i) => {
        const overlap = overlaps.find((o) => o.startsWith(`importPaths.${i}:`))
        return c.isValid && overlap !== undefined ? { importPath: c.importPath, isValid: false, message: overlap.replace(/^importPaths\.\d+: /, '') } : c
      })
    },

    /**
     * Queues a scan: of the whole library, or of some folders (what the watcher saw change). A
     * scan of the same folders that is running now may have read them before the change, so the
     * request is queued after it (`afterRunning`); a waiting one takes it in. (A file renamed while
     * the scan that found it was finishing was otherwise left for the next periodic rescan.)
     */
    async enqueueScan (id: string, { folders, reason = 'manual' }: { folders?: string[], reason?: string } = {}): Promise<void> {
      await enqueue({
        queue: 'library', name: 'scan', payload: { libraryId: id, reason, ...(folders !== undefined && { folders }) },
        dedupeKey: scanDedupeKey(id, folders),
        afterRunning: true,
        // A folder the household just changed comes before the periodic backlog.
        priority: folders !== undefined ? priority.normal : priority.backlog,
      })
    },

    /** Runs a scan now (the job handler, or the CLI with the server stopped). */
    async runScan (id: string, { folders, signal, onProgress }: { folders?: string[], signal?: AbortSignal, onProgress?: (s: ScanStats) => void } = {}): Promise<ScanStats | undefined> {
      return withLock(id, async () => {
        const library = await repo.byId(id)
        if (library === undefined) return undefined
        const controller = new AbortController()
        const state: ScanState = { status: 'scanning', progress: 0, stats: null, startedAt: new Date().toISOString(), finishedAt: null, error: null }
        running.set(id, { controller, state })
        const started = performance.now()
        try {
          const stats = await scanner.scan(library, {
            folders,
            signal: signal === undefined ? controller.signal : AbortSignal.any([signal, controller.signal]),
            onProgress: (s) => {
              state.stats = s
              state.progress = s.total === 0 ? 0 : Math.min(0.99, s.files / s.total)
              onProgress?.(s)
            },
          })
          const trashed = offlineGraceMs === undefined ? 0 : await repo.trashOffline(offlineGraceMs, id)
          const ms = Math.round(performance.now() - started)
          const level = stats.added + stats.changed + stats.moved + stats.offline + stats.returned + trashed > 0 ? 'info' : 'debug'
          log[level]({ libraryId: id, ...stats, scope: folders === undefined ? 'all' : `${folders.length} folder(s)`, ms, unavailable: stats.unavailable.length, trashed }, 'library scanned')
          Object.assign(state, { status: 'idle', progress: 1, stats, finishedAt: new Date().toISOString() })
          return stats
        } catch (err) {
          if (controller.signal.reason instanceof LibraryRemovedError) return undefined
          Object.assign(state, { status: 'idle', progress: null, finishedAt: new Date().toISOString(), error: (err as Error).message })
          throw err
        } finally {
          running.delete(id)
          finished.set(id, state)
        }
      })
    },

    /** Where a library's scanning stands: scanning (with progress), queued, or idle with the last result. */
    async scanState (id: string): Promise<ScanState> {
      const live = running.get(id)
      if (live !== undefined) return { ...live.state, stats: live.state.stats === null ? null : { ...live.state.stats } }
      const [queued] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE queue = 'library' AND status IN ('waiting', 'active') AND payload->>'libraryId' = $1`, [id])
      const last = finished.get(id)
      return { status: queued.n > 0 ? 'queued' : 'idle', progress: null, stats: last?.stats ?? null, startedAt: last?.startedAt ?? null, finishedAt: last?.finishedAt ?? null, error: last?.error ?? null }
    },
  }
}

export type LibraryService = ReturnType<typeof createLibraryService>

/** The reason a scan is aborted when its library is removed under it. */
export class LibraryRemovedError extends Error {
  constructor () { super('The library was removed'); this.name = 'LibraryRemovedError' }
}

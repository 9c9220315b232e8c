/**
 * Existing shares indexed in place ("external libraries", as Immich calls them): point Hearth at
 * `/volume1/photo` and every photo and video there becomes an asset, without Hearth ever writing
 * into the share. Changes are followed live with inotify where the watch limit allows, and by
 * periodic rescans always.
 *
 * - `scanner.ts`: one scan (stats only for an unchanged share; reads a file once when it is new or
 *   changed; moves keep their asset; missing files go offline, then to the trash).
 * - `watcher.ts`: inotify, one watch per folder, debounced into targeted rescans.
 * - `service.ts`, `routes.ts`, `repo.ts`: the API in Immich's shapes and its SQL.
 * Scans are durable jobs on the `library` queue, so a scan a crash interrupts starts again and
 * finds what it had already written.
 *
 * Settings (environment, when the config schema has them; the options below win):
 * HEARTH_LIBRARY_WATCH (default true), HEARTH_LIBRARY_RESCAN_HOURS (6; 0 turns periodic rescans
 * off), HEARTH_LIBRARY_OFFLINE_DAYS (7: how long a missing file's asset stays offline before it
 * goes to the trash, where HEARTH_TRASH_DAYS then applies).
 *
 * @example
 * const node = await createNode(config, { modules: [libraryModule()] })
 * await node.start()
 * // POST /api/libraries { ownerId, name: 'Photos', importPaths: ['/volume1/photo'] }
 * // POST /api/libraries/:id/scan
 */
import type { Config } from '../../node/config/schema.ts'
import type { NodeContext, NodeModule } from '../../node/index.ts'
import { PermanentJobError } from '../../node/jobs/service.ts'
import type { Hasher } from './hasher.ts'
import { libraryRoutes } from './routes.ts'
import { createScanner } from './scanner.ts'
import { createLibraryService } from './service.ts'
import { createLibraryWatcher } from './watcher.ts'

export interface LibraryModuleOptions {
  /** Reads and hashes a file (tests count the reads). */
  hasher?: Hasher
  watch?: boolean
  rescanIntervalHours?: number
  offlineGraceDays?: number
  /** Quiet time after a change before its rescan is queued (default 2 s). */
  watchDebounceMs?: number
  /** inotify watches Hearth may hold (default: half of fs.inotify.max_user_watches). */
  maxWatches?: number
  /** Rescan every library already scanned once when Hearth starts, to catch up with changes made while it was stopped (default true). */
  scanOnStart?: boolean
}

export interface LibrarySettings { watch: boolean, rescanIntervalHours: number, offlineGraceDays: number }

const DAY = 86_400_000

/** The library settings from the config (names as environment variables), with the defaults. */
export function librarySettings (config: Config, options: LibraryModuleOptions = {}): LibrarySettings {
  return {
    watch: options.watch ?? config.HEARTH_LIBRARY_WATCH,
    rescanIntervalHours: options.rescanIntervalHours ?? config.HEARTH_LIBRARY_RESCAN_HOURS,
    offlineGraceDays: options.offlineGraceDays ?? config.HEARTH_LIBRARY_OFFLINE_DAYS,
  }
}

export function libraryModule (options: LibraryModuleOptions = {}): (ctx: NodeContext) => NodeModule {
  return ({ config, db, log: nodeLog, jobs, assets }) => {
    const log = nodeLog.child({ component: 'libraries' })
    const settings = librarySettings(config, options)
    const scanner = createScanner({ db, log, dataDir: config.HEARTH_DATA_DIR, hasher: options.hasher, onJobsQueued: () => jobs.wake('metadataExtraction') })
    const service = createLibraryService({
      db, log, dataDir: config.HEARTH_DATA_DIR, scanner,
      enqueue: (job) => jobs.enqueue(job),
      purgeAssets: (ownerId, ids) => assets.purge(ownerId, ids),
      offlineGraceMs: settings.offlineGraceDays * DAY,
    })
    const watcher = createLibraryWatcher({
      log,
      enabled: settings.watch,
      debounceMs: options.watchDebounceMs,
      maxWatches: options.maxWatches,
      dataDir: config.HEARTH_DATA_DIR,
      onChange: (libraryId, folders) => {
        service.enqueueScan(libraryId, { folders, reason: 'watch' }).catch((err: unknown) => log.error({ err, libraryId }, 'could not queue a rescan'))
      },
    })

    // Registered now: the job workers start before the modules do.
    jobs.register('library', async (job, { signal, progress }) => {
      if (job.name !== 'scan') throw new PermanentJobError(`Unknown library job "${job.name}"`)
      const { libraryId, folders } = job.payload as { libraryId?: unknown, folders?: unknown }
      if (typeof libraryId !== 'string') throw new PermanentJobError('A library scan needs payload.libraryId')
      const targets = Array.isArray(folders) ? folders.filter((f): f is string => typeof f === 'string') : undefined
      await service.runScan(libraryId, {
        folders: targets,
        signal,
        onProgress: (s) => progress(s.total === 0 ? 0 : Math.min(0.99, s.files / s.total)),
      })
    })

    const timers: NodeJS.Timeout[] = []
    let watching: Promise<void> = Promise.resolve()

    const follow = (library: Parameters<typeof watcher.watch>[0]) => {
      watching = watching.then(() => watcher.watch(library)).then(() => {}, (err: unknown) => log.error({ err, libraryId: library.id }, 'could not watch a library'))
    }

    const scanAll = async (reason: string, onlyScanned = false) => {
      for (const library of await service.repo.list()) {
        if (onlyScanned && library.refreshed_at === null) continue
        await service.enqueueScan(library.id, { reason })
      }
    }

    return {
      name: 'libraries',
      routes: libraryRoutes({
        service,
        watchMode: (id) => watcher.mode(id),
        onChanged: follow,
        onRemoved: (id) => watcher.unwatch(id),
      }),

      async start () {
        const libraries = await service.repo.list()
        for (const library of libraries) follow(library)
        if (options.scanOnStart !== false) await scanAll('start', true)
        if (settings.rescanIntervalHours > 0) {
          timers.push(setInterval(() => { scanAll('periodic').catch((err: unknown) => log.error({ err }, 'could not queue periodic rescans')) }, settings.rescanIntervalHours * 3_600_000).unref())
        }
        const sweep = () => {
          service.repo.trashOffline(settings.offlineGraceDays * DAY)
            .then((n) => { if (n > 0) log.info({ trashed: n, graceDays: settings.offlineGraceDays }, 'offline library assets moved to the trash') })
            .catch((err: unknown) => log.error({ err }, 'could not trash offline assets'))
        }
        timers.push(setInterval(sweep, 3_600_000).unref())
      },

      async stop () {
        for (const t of timers) clearInterval(t)
        await watching
        watcher.close()
      },
    }
  }
}

export { createLibraryService } from './service.ts'
export { createScanner } from './scanner.ts'
export { defaultExclusionPatterns } from './glob.ts'

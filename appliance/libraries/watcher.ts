/**
 * Following a share live with inotify, one watch per folder, where the kernel's watch limit
 * allows; otherwise (and on network file systems, where inotify never hears of changes made by
 * other machines) the library is in "polling" mode and relies on periodic rescans, which also run
 * in inotify mode as the safety net (inotify drops events when its queue overflows).
 *
 * Node's own `fs.watch(root, { recursive: true })` is not used: on Linux it lists the whole tree
 * synchronously and adds a watch for every file as well as every folder, which for a 100,000-photo
 * share is 100,000 watches and a stalled process. Here a watch is added per folder (never for an
 * excluded one such as `@eaDir`, which Synology rewrites constantly), and the folder count is
 * checked against /proc/sys/fs/inotify/max_user_watches first.
 *
 * Events are debounced per library (a copy of a thousand photos is one scan, not a thousand) and
 * become a targeted rescan of the folders that changed.
 *
 * @example
 * const watcher = createLibraryWatcher({ log, onChange: (id, folders) => service.enqueueScan(id, { folders }) })
 * await watcher.watch(library)   // 'inotify' or 'polling'
 */
import { lstatSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs'
import { realpath, statfs } from 'node:fs/promises'
import type { Logger } from 'pino'
import { mediaTypeOf } from '../../node/assets/media-types.ts'
import { createExclusionMatcher, type ExclusionMatcher } from './glob.ts'
import { isWithin, normalizeImportPath } from './paths.ts'
import type { LibraryRow } from './repo.ts'
import { createSlicer } from './walk.ts'

export type WatchMode = 'inotify' | 'polling'

export interface WatcherOptions {
  log: Logger
  /** A library's folders changed (undefined: too many to list, scan it all). */
  onChange: (libraryId: string, folders: string[] | undefined) => void
  enabled?: boolean
  /** Quiet time after the last event before the rescan is queued, and the longest wait. */
  debounceMs?: number
  maxWaitMs?: number
  /** Watches Hearth may hold in all (default: half of fs.inotify.max_user_watches, leaving the rest to other programs). */
  maxWatches?: number
  /** Hearth's data folder: never watched when a share holds it (thumbnails are written there all the time). */
  dataDir?: string
}

/** statfs magic numbers of file systems whose changes come from elsewhere (inotify sees only local writes). */
const remoteFileSystems: Record<number, string> = {
  0x6969: 'NFS', 0xff534d42: 'SMB (CIFS)', 0xfe534d42: 'SMB2', 0x517b: 'SMB', 0x01021997: '9p', 0x6a656a63: 'virtiofs',
}

const MAX_FOLDERS_PER_SCAN = 64

interface Watched {
  library: LibraryRow
  roots: string[]
  /** True for a folder never to watch: excluded, or Hearth's data folder. */
  skip: (dir: string) => boolean
  matcher: ExclusionMatcher
  mode: WatchMode
  reason: string
  watchers: Map<string, FSWatcher>
  pending: Set<string>
  timer?: NodeJS.Timeout
  firstEventAt?: number
  overflow: boolean
}

export function readMaxUserWatches (): number | undefined {
  try { return Number(readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim()) } catch { return undefined }
}

export function createLibraryWatcher ({ log, onChange, enabled = true, debounceMs = 2000, maxWaitMs = 10_000, maxWatches, dataDir }: WatcherOptions) {
  const libraries = new Map<string, Watched>()
  const systemLimit = readMaxUserWatches()
  const budget = maxWatches ?? (systemLimit === undefined ? 0 : Math.floor(systemLimit / 2))
  const held = () => { let n = 0; for (const w of libraries.values()) n += w.watchers.size; return n }

  function closeAll (w: Watched) {
    for (const watcher of w.watchers.values()) watcher.close()
    w.watchers.clear()
    clearTimeout(w.timer)
  }

  function toPolling (w: Watched, reason: string) {
    closeAll(w)
    w.mode = 'polling'
    w.reason = reason
    log.warn({ libraryId: w.library.id, reason }, 'library follows changes by periodic rescans (polling)')
  }

  function schedule (w: Watched) {
    const now = Date.now()
    w.firstEventAt ??= now
    clearTimeout(w.timer)
    const wait = Math.max(0, Math.min(debounceMs, w.firstEventAt + maxWaitMs - now))
    w.timer = setTimeout(() => {
      const folders = w.overflow ? undefined : [...w.pending]
      w.pending.clear()
      w.overflow = false
      w.firstEventAt = undefined
      if (libraries.get(w.library.id) !== w) return
      onChange(w.library.id, folders)
    }, wait)
    w.timer.unref()
  }

  function changed (w: Watched, folder: string) {
    if (w.overflow) { schedule(w); return }
    for (const p of w.pending) if (isWithin(folder, p)) { schedule(w); return }
    for (const p of [...w.pending]) if (isWithin(p, folder)) w.pending.delete(p)
    w.pending.add(folder)
    if (w.pending.size > MAX_FOLDERS_PER_SCAN) { w.overflow = true; w.pending.clear() }
    schedule(w)
  }

  function addWatch (w: Watched, dir: string): boolean {
    if (w.watchers.has(dir)) return true
    if (held() >= budget) { toPolling(w, `the inotify watch budget (${budget}) is used up`); return false }
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => onEvent(w, dir, name))
      watcher.on('error', () => { watcher.close(); w.watchers.delete(dir); changed(w, dir) })
      w.watchers.set(dir, watcher)
      return true
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOSPC') {
        toPolling(w, `the system's inotify watch limit is reached (raise it: sysctl fs.inotify.max_user_watches=${(systemLimit ?? 8192) * 4})`)
        return false
      }
      if (code !== 'ENOENT' && code !== 'ENOTDIR') log.debug({ dir, err: code }, 'cannot watch a folder')
      return true
    }
  }

  /** Watches a folder and every folder under it (not excluded ones, never through a link). */
  function addTree (w: Watched, top: string) {
    const stack = [top]
    while (stack.length > 0) {
      const dir = stack.pop()!
      if (!addWatch(w, dir)) return
      let entries
      try { entries = readdirSync(dir, { withFileTypes: true }) } catch { continue }
      for (const e of entries) if (e.isDirectory() && !w.skip(`${dir}/${e.name}`)) stack.push(`${dir}/${e.name}`)
    }
  }

  function unwatchTree (w: Watched, top: string) {
    for (const [dir, watcher] of w.watchers) {
      if (isWithin(dir, top)) { watcher.close(); w.watchers.delete(dir) }
    }
  }

  function onEvent (w: Watched, dir: string, name: string | null) {
    if (libraries.get(w.library.id) !== w || w.mode !== 'inotify') return
    if (name === null) { changed(w, dir); return }
    const path = `${dir}/${name}`
    if (mediaTypeOf(name) !== undefined || name.toLowerCase().endsWith('.xmp')) {
      if (!w.matcher.excludesFile(path)) changed(w, dir)
      return
    }
    // Perhaps a folder: one that appeared (watch it), vanished or moved away (forget it).
    let isDir = false
    try { const s = lstatSync(path, { throwIfNoEntry: false }); isDir = s?.isDirectory() === true } catch { /* gone */ }
    if (isDir) {
      if (w.skip(path)) return
      if (!w.watchers.has(path)) addTree(w, path)
      changed(w, path)
    } else if (w.watchers.has(path)) {
      unwatchTree(w, path)
      changed(w, path)
    }
  }

  /** How many folders would be watched; stops counting past `limit`. */
  async function countFolders (w: Watched, limit: number): Promise<number> {
    const slicer = createSlicer()
    let n = 0
    const stack = [...w.roots]
    while (stack.length > 0) {
      if (slicer.due) await slicer.yield()
      const dir = stack.pop()!
      if (++n > limit) return n
      let entries
      try { entries = readdirSync(dir, { withFileTypes: true }) } catch { continue }
      for (const e of entries) if (e.isDirectory() && !w.skip(`${dir}/${e.name}`)) stack.push(`${dir}/${e.name}`)
    }
    return n
  }

  return {
    /** Starts following a library (again, after a change of its paths); says which mode it is in. */
    async watch (library: LibraryRow): Promise<WatchMode> {
      this.unwatch(library.id)
      const roots = library.import_paths.map(normalizeImportPath)
      const matcher = createExclusionMatcher(library.exclusion_patterns)
      const dataReal = dataDir === undefined ? undefined : await realpath(dataDir).catch(() => dataDir)
      const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => r)))
      const skip = (dir: string) => {
        if (matcher.excludesFolder(dir)) return true
        if (dataReal === undefined) return false
        const i = roots.findIndex((r) => isWithin(dir, r))
        return i >= 0 && isWithin(realRoots[i] + dir.slice(roots[i].length), dataReal)
      }
      const w: Watched = { library, roots, skip, matcher, mode: 'polling', reason: '', watchers: new Map(), pending: new Set(), overflow: false }
      libraries.set(library.id, w)
      const current = () => libraries.get(library.id) === w
      if (!enabled) { w.reason = 'watching is turned off (HEARTH_LIBRARY_WATCH=false)'; return w.mode }
      if (process.platform !== 'linux') { w.reason = 'inotify is available on Linux only'; return w.mode }
      if (w.roots.length === 0) { w.reason = 'no import paths'; return w.mode }
      for (const root of w.roots) {
        const fs = await statfs(root).catch(() => undefined)
        if (fs === undefined) { w.reason = `${root} is not available`; break }
        const remote = remoteFileSystems[fs.type]
        if (remote !== undefined) { w.reason = `${root} is on ${remote}: inotify does not hear of changes made by other machines`; break }
      }
      if (w.reason !== '') { log.info({ libraryId: library.id, watchMode: 'polling', reason: w.reason }, 'library follows changes by periodic rescans'); return w.mode }
      const available = budget - held()
      const folders = await countFolders(w, available)
      if (!current()) return 'polling'
      if (folders > available) {
        w.reason = `the share has more folders than the inotify watches Hearth may use (${available} of fs.inotify.max_user_watches=${systemLimit ?? 'unknown'})`
        log.warn({ libraryId: library.id, watchMode: 'polling', reason: w.reason }, 'library follows changes by periodic rescans')
        return w.mode
      }
      w.mode = 'inotify'
      for (const root of w.roots) {
        addTree(w, root)
        if (w.mode !== 'inotify') return w.mode
      }
      log.info({ libraryId: library.id, watchMode: 'inotify', folders: w.watchers.size }, 'library follows changes live (inotify)')
      return w.mode
    },

    unwatch (libraryId: string) {
      const w = libraries.get(libraryId)
      if (w === undefined) return
      closeAll(w)
      libraries.delete(libraryId)
    },

    mode (libraryId: string): { watchMode: WatchMode, reason: string } {
      const w = libraries.get(libraryId)
      return { watchMode: w?.mode ?? 'polling', reason: w?.reason ?? 'not watched yet' }
    },

    watches: held,

    close () {
      for (const w of libraries.values()) closeAll(w)
      libraries.clear()
    },
  }
}

export type LibraryWatcher = ReturnType<typeof createLibraryWatcher>

/**
 * Scanning a library: bringing its assets in line with what is on the share, reading as little
 * as possible and writing nothing there.
 *
 * Folder by folder, the walk computes a fingerprint from stats alone (names, sizes, mtimes,
 * inodes of media files and sidecars). A folder whose fingerprint matches the one stored by the
 * last scan is done: a rescan of an unchanged share is a walk and one small query. A folder that
 * changed is compared file by file with its assets:
 *   - same size and mtime: unchanged (a new inode alone is recorded, never a reason to read);
 *   - different size or mtime: read once (SHA-1 + SHA-256), the asset updated in place, metadata
 *     extracted again;
 *   - no asset at that path: read once; if an asset of this library has the same content and its
 *     old path is gone, the file moved: that asset (its id, albums, faces) follows it, preferring
 *     the one with the same inode and size (a rename) among duplicates. Otherwise a new asset;
 *   - an asset whose file is missing: offline; a folder that vanished: all its assets offline.
 * Offline assets go to the trash after a grace period; a file that comes back, at its path or
 * (same content) anywhere in the library, brings its asset back, out of the trash too.
 *
 * Writes are batched (a thousand rows or a second) into one transaction each, metadata jobs
 * included, and a folder's fingerprint is written only with the last of its changes. A scan killed
 * at any point leaves the database consistent; the next one finds what was written unchanged and
 * carries on: every file is indexed exactly once.
 */
import { realpath } from 'node:fs/promises'
import { readdirSync } from 'node:fs'
import type { Logger } from 'pino'
import type { Database } from '../../node/db/index.ts'
import { uuidv7 } from '../../node/db/ids.ts'
import { mediaTypeOf } from '../../node/assets/media-types.ts'
import { createExclusionMatcher, excludedBelow, type ExclusionMatcher } from './glob.ts'
import { hashFile, type FileHashes, type Hasher } from './hasher.ts'
import { isWithin, normalizeImportPath } from './paths.ts'
import { createLibraryRepo, emptyBatch, batchSize, type KnownAsset, type LibraryRow, type ScanBatch } from './repo.ts'
import { createSlicer, statFile, walkFolders, type FolderListing, type MediaFile } from './walk.ts'

export interface ScanStats {
  /** Media files seen on the share so far, and the estimate of how many there are. */
  files: number
  total: number
  folders: number
  /** Folders compared file by file (the rest matched their fingerprint). */
  foldersChanged: number
  /** Files read (hashed). */
  read: number
  added: number
  changed: number
  moved: number
  offline: number
  returned: number
  /** Files that could not be read, or changed while being read: looked at again next time. */
  skipped: number
  /** Import paths or folders left as they were because they could not be listed. */
  unavailable: string[]
}

export interface ScanOptions {
  /** Only these folders (and what is under them), as the watcher asks; the whole library otherwise. */
  folders?: string[]
  signal?: AbortSignal
  onProgress?: (stats: ScanStats) => void
}

export interface ScannerDeps {
  db: Database
  log: Logger
  dataDir: string
  hasher?: Hasher
  /** Files read at once (a NAS's disks prefer few). */
  hashConcurrency?: number
  /** Rows per write, and the longest a decision waits before it is written. */
  batchRows?: number
  flushIntervalMs?: number
  /** Called after a batch that queued metadata jobs is committed, so workers start at once. */
  onJobsQueued?: () => void
}

const HASH_CHUNK = 256

export function createScanner ({ db, log, dataDir, hasher = hashFile, hashConcurrency = 4, batchRows = 1000, flushIntervalMs = 1000, onJobsQueued }: ScannerDeps) {
  const repo = createLibraryRepo(db)

  async function scan (library: LibraryRow, { folders, signal, onProgress }: ScanOptions = {}): Promise<ScanStats> {
    const stats: ScanStats = { files: 0, total: 0, folders: 0, foldersChanged: 0, read: 0, added: 0, changed: 0, moved: 0, offline: 0, returned: 0, skipped: 0, unavailable: [] }
    const matcher = createExclusionMatcher(library.exclusion_patterns)
    const roots = library.import_paths.map(normalizeImportPath)
    const full = folders === undefined
    const targets = full ? roots : collapse(folders.map(normalizeImportPath).filter((f) => {
      const root = roots.find((r) => isWithin(f, r))
      return root !== undefined && !excludedBelow(matcher, root, f)
    }))
    const dataReal = await realpath(dataDir).catch(() => dataDir)
    const slicer = createSlicer()
    const claimed = new Set<string>()
    let batch: ScanBatch = emptyBatch()
    let lastFlush = Date.now()
    const libraryWasEmpty = !await repo.hasAssets(library.id)

    if (full) stats.offline += await repo.offlineOutside(library.id, roots)
    const known = new Map<string, Map<string, Buffer | null>>()
    let knownFiles = 0
    for (const target of targets) {
      const folders = await repo.folders(library.id, [target])
      known.set(target, folders.fingerprints)
      knownFiles += folders.files
    }
    // The progress estimate: what the last scan saw, or for a first scan a quick count (names only).
    stats.total = libraryWasEmpty ? await countMediaFiles(targets, matcher, slicer, signal) : knownFiles

    const flush = async (force = false) => {
      if (batchSize(batch) === 0) return
      if (!force && batch.inserts.length + batch.updates.length + batch.offline.length < batchRows && Date.now() - lastFlush < flushIntervalMs) return
      const writing = batch
      batch = emptyBatch()
      lastFlush = Date.now()
      const written = await db.transaction((tx) => repo.write(tx, library, writing))
      stats.offline += written.goneOffline
      if (writing.inserts.length + writing.updates.length > 0) onJobsQueued?.()
    }
    const report = () => { stats.total = Math.max(stats.total, stats.files); onProgress?.(stats) }

    /** Reads files (a few at a time); a file that cannot be read or changes meanwhile is left for next time. */
    async function hashAll (items: MediaFile[], folder: string): Promise<Array<{ file: MediaFile, hashes: FileHashes } | undefined>> {
      const out = new Array<{ file: MediaFile, hashes: FileHashes } | undefined>(items.length)
      let next = 0
      const worker = async () => {
        while (next < items.length) {
          const i = next++
          const file = items[i]
          const path = `${folder}/${file.name}`
          signal?.throwIfAborted()
          try {
            const hashes = await hasher(path, { signal })
            stats.read++
            const after = statFile(path, file.name)
            if (after === undefined || after.size !== file.size || after.mtimeMs !== file.mtimeMs || hashes.size !== file.size) {
              log.debug({ path }, 'file changed while it was read; it is looked at again next time')
              stats.skipped++
              continue
            }
            out[i] = { file, hashes }
          } catch (err) {
            if (signal?.aborted === true) throw err
            log.warn({ path, err: (err as Error).message }, 'cannot read a file of the share; it is tried again next scan')
            stats.skipped++
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(hashConcurrency, items.length) }, worker))
      return out
    }

    const sidecarOf = (folder: string, f: MediaFile) => ({ sidecarPath: f.sidecar === null ? null : `${folder}/${f.sidecar.name}`, sidecarMtimeMs: f.sidecar?.mtimeMs ?? null })

    async function compareFolder (listing: Extract<FolderListing, { files: MediaFile[] }>) {
      const folder = listing.path
      stats.foldersChanged++
      batch.touched.add(folder)
      const rows = libraryWasEmpty ? [] : await repo.assetsInFolder(library.id, folder)
      const byName = new Map<string, KnownAsset>()
      for (const r of rows) byName.set(r.original_path.slice(folder.length + 1), r)
      const toRead: MediaFile[] = []
      const readFor = new Map<MediaFile, KnownAsset>()
      for (const f of listing.files) {
        const row = byName.get(f.name)
        byName.delete(f.name)
        if (row === undefined || claimed.has(row.id)) { toRead.push(f); continue }
        if (row.file_size !== f.size || row.file_mtime_ms !== f.mtimeMs) {
          toRead.push(f)
          readFor.set(f, row)
          continue
        }
        const side = sidecarOf(folder, f)
        const sidecarChanged = row.sidecar_path !== side.sidecarPath || row.sidecar_mtime_ms !== side.sidecarMtimeMs
        if (row.is_offline || row.file_inode !== f.ino || sidecarChanged) {
          if (row.is_offline) stats.returned++
          batch.updates.push({ id: row.id, path: row.original_path, name: f.name, size: f.size, ino: f.ino, mtimeMs: f.mtimeMs, sha1: null, sha256: null, ...side, requeue: sidecarChanged })
        }
      }
      for (const row of byName.values()) {
        if (row.is_offline || claimed.has(row.id)) continue
        batch.offline.push({ id: row.id, path: row.original_path })
        stats.offline++
      }

      let complete = true
      for (let start = 0; start < toRead.length; start += HASH_CHUNK) {
        const chunk = toRead.slice(start, start + HASH_CHUNK)
        const read = await hashAll(chunk, folder)
        const fresh: Array<{ file: MediaFile, hashes: FileHashes }> = []
        for (const r of read) {
          if (r === undefined) { complete = false; continue }
          const row = readFor.get(r.file)
          if (row === undefined) { fresh.push(r); continue }
          stats.changed++
          if (row.is_offline) stats.returned++
          batch.updates.push({ id: row.id, path: row.original_path, name: r.file.name, size: r.file.size, ino: r.file.ino, mtimeMs: r.file.mtimeMs, sha1: r.hashes.sha1, sha256: r.hashes.sha256, ...sidecarOf(folder, r.file), requeue: true })
        }
        await placeNewFiles(folder, fresh)
        await flush()
      }
      if (complete) batch.done.set(folder, { fingerprint: listing.fingerprint, files: listing.files.length })
      else log.debug({ folder }, 'folder partly indexed; it is looked at again next scan')
    }

    /** New paths: a moved file takes its old asset along; anything else becomes a new asset. */
    async function placeNewFiles (folder: string, fresh: Array<{ file: MediaFile, hashes: FileHashes }>) {
      if (fresh.length === 0) return
      const candidates = libraryWasEmpty ? [] : await repo.sameContent(library.id, library.owner_id, fresh.map((f) => f.hashes.sha256))
      const bySha = new Map<string, Array<KnownAsset & { checksum_sha256: Buffer }>>()
      for (const c of candidates) {
        const key = c.checksum_sha256.toString('hex')
        bySha.set(key, [...(bySha.get(key) ?? []), c])
      }
      for (const { file, hashes } of fresh) {
        const path = `${folder}/${file.name}`
        const side = sidecarOf(folder, file)
        const options = (bySha.get(hashes.sha256.toString('hex')) ?? [])
          .filter((c) => !claimed.has(c.id) && c.original_path !== path)
          // The inode and size hint: a rename keeps both, so among duplicates the renamed one comes first.
          .sort((a, b) => Number(b.file_inode === file.ino && b.file_size === file.size) - Number(a.file_inode === file.ino && a.file_size === file.size))
        const from = options.find((c) => statFile(c.original_path, '') === undefined)
        if (from !== undefined) {
          claimed.add(from.id)
          stats.moved++
          const wasMarked = batch.offline.findIndex((o) => o.id === from.id)
          if (wasMarked >= 0) { batch.offline.splice(wasMarked, 1); stats.offline-- }
          const sidecarChanged = from.sidecar_path !== side.sidecarPath || from.sidecar_mtime_ms !== side.sidecarMtimeMs
          batch.updates.push({ id: from.id, path, name: file.name, size: file.size, ino: file.ino, mtimeMs: file.mtimeMs, sha1: null, sha256: null, ...side, requeue: sidecarChanged })
          log.debug({ assetId: from.id, from: from.original_path, to: path }, 'file moved; its asset follows it')
          continue
        }
        stats.added++
        const media = mediaTypeOf(file.name)!
        batch.inserts.push({ id: uuidv7(), path, name: file.name, type: media.type, mime: media.mime, size: file.size, ino: file.ino, mtimeMs: file.mtimeMs, sha1: hashes.sha1, sha256: hashes.sha256, ...side })
      }
    }

    for (const target of targets) {
      const root = roots.find((r) => isWithin(target, r))!
      const rootReal = await realpath(root).catch(() => root)
      // Hearth's own data folder, when a share holds it, is never indexed.
      const skipFolder = (path: string) => isWithin(rootReal + path.slice(root.length), dataReal)
      if (skipFolder(target)) continue
      const fingerprints = known.get(target)!
      if (target === root) {
        // A share that is missing, unreadable or empty while Hearth knows files in it is most likely
        // not mounted (a USB disk unplugged, a network share down): nothing goes offline for that.
        let entries: string[] | undefined
        try { entries = readdirSync(root) } catch (err) {
          log.warn({ libraryId: library.id, importPath: root, err: (err as NodeJS.ErrnoException).code }, 'import path unavailable; its assets are left as they are')
        }
        if (entries === undefined || (entries.length === 0 && fingerprints.size > 0)) {
          if (entries !== undefined) log.warn({ libraryId: library.id, importPath: root }, 'import path is empty but held files: not mounted? Its assets are left as they are')
          stats.unavailable.push(root)
          continue
        }
      }
      const visited = new Set<string>()
      const unlistable: string[] = []
      for await (const listing of walkFolders(target, { matcher, skipFolder, signal, slicer })) {
        if (listing.error !== undefined) {
          // A folder that is gone is gone; one that cannot be listed may still hold everything.
          if (listing.error !== 'ENOENT' && listing.error !== 'ENOTDIR') {
            unlistable.push(listing.path)
            stats.unavailable.push(listing.path)
            log.warn({ folder: listing.path, err: listing.error }, 'cannot list a folder of the share; its assets are left as they are')
          }
          continue
        }
        visited.add(listing.path)
        stats.folders++
        stats.files += listing.files.length
        const fingerprint = fingerprints.get(listing.path)
        if (fingerprint === undefined || fingerprint === null || !fingerprint.equals(listing.fingerprint)) {
          if (listing.files.length > 0 || fingerprints.has(listing.path)) await compareFolder(listing)
        }
        await flush()
        report()
      }
      for (const folder of fingerprints.keys()) {
        if (visited.has(folder) || unlistable.some((u) => isWithin(folder, u))) continue
        batch.gone.push(folder)
        stats.foldersChanged++
      }
      await flush(true)
    }
    await flush(true)
    if (full) await repo.setRefreshed(library.id)
    report()
    return stats
  }

  return { scan, repo }
}

export type Scanner = ReturnType<typeof createScanner>

/** Folders with those inside another removed. */
function collapse (folders: string[]): string[] {
  const sorted = [...new Set(folders)].sort((a, b) => a.length - b.length)
  const out: string[] = []
  for (const f of sorted) if (!out.some((o) => isWithin(f, o))) out.push(f)
  return out
}

/** How many media files a first scan will find (listing only, no stat): for its progress. */
async function countMediaFiles (targets: string[], matcher: ExclusionMatcher, slicer: ReturnType<typeof createSlicer>, signal?: AbortSignal): Promise<number> {
  let n = 0
  const stack = [...targets]
  while (stack.length > 0) {
    if (slicer.due) { signal?.throwIfAborted(); await slicer.yield() }
    const dir = stack.pop()!
    let entries
    try { entries = readdirSync(dir, { withFileTypes: true }) } catch { continue }
    for (const e of entries) {
      const path = `${dir}/${e.name}`
      if (e.isDirectory()) { if (!matcher.excludesFolder(path)) stack.push(path) } else if (e.isFile() && mediaTypeOf(e.name) !== undefined) n++
    }
  }
  return n
}

/**
 * The SQL of external libraries: the `libraries` rows, their folders' fingerprints, and the batched
 * writes a scan makes to `assets` (bulk `unnest` statements, one transaction per batch).
 */
import type { Database, Queryable } from '../../node/db/index.ts'
import { createStackRepo } from '../../node/stacks/repo.ts'
import { createJobRepo, type NewJob } from '../../node/jobs/repo.ts'
import { priority } from '../../node/jobs/queues.ts'

export interface LibraryRow {
  id: string
  owner_id: string
  name: string
  import_paths: string[]
  exclusion_patterns: string[]
  created_at: Date
  updated_at: Date
  refreshed_at: Date | null
}

/** What a scan compares a file with: the asset as the last scan left it. */
export interface KnownAsset {
  id: string
  original_path: string
  file_size: number
  file_mtime_ms: number | null
  file_inode: number | null
  sidecar_path: string | null
  sidecar_mtime_ms: number | null
  is_offline: boolean
}

export interface NewLibraryAsset {
  id: string
  path: string
  name: string
  type: string
  mime: string
  size: number
  ino: number
  mtimeMs: number
  sha1: Buffer
  sha256: Buffer
  sidecarPath: string | null
  sidecarMtimeMs: number | null
}

/** A known asset brought up to date: moved, changed, back online, a new inode or sidecar. */
export interface AssetUpdate {
  id: string
  path: string
  name: string
  size: number
  ino: number
  mtimeMs: number
  /** New content: new checksums, and the asset goes back through metadata extraction. */
  sha1: Buffer | null
  sha256: Buffer | null
  sidecarPath: string | null
  sidecarMtimeMs: number | null
  /** Send to metadata extraction again (content or sidecar changed). */
  requeue: boolean
}

/** Everything a scan has decided since its last write, written in one transaction. */
export interface ScanBatch {
  inserts: NewLibraryAsset[]
  updates: AssetUpdate[]
  offline: Array<{ id: string, path: string }>
  /** Folders that now hold assets whose indexing is not finished: fingerprint NULL. */
  touched: Set<string>
  /** Folders fully indexed, with the fingerprint the walk computed and their number of media files. */
  done: Map<string, { fingerprint: Buffer, files: number }>
  /** Folders gone from the share (or now excluded): their assets go offline, their rows go. */
  gone: string[]
}

export const emptyBatch = (): ScanBatch => ({ inserts: [], updates: [], offline: [], touched: new Set(), done: new Map(), gone: [] })
export const batchSize = (b: ScanBatch) => b.inserts.length + b.updates.length + b.offline.length + b.touched.size + b.done.size + b.gone.length

/** The folder of a library asset, as the index `assets_library_folder` computes it. */
const folderOf = `left(original_path, length(original_path) - strpos(reverse(original_path), '/'))`
/** A folder and everything under it. */
const underAny = (column: string, param: string) => `EXISTS (SELECT 1 FROM unnest(${param}::text[]) AS r(p) WHERE ${column} = r.p OR starts_with(${column}, r.p || '/'))`
/** Coming back online also leaves the trash when the asset went there for being offline. */
const backOnline = `is_offline = false, offline_since = NULL,
  deleted_at = CASE WHEN a.is_offline AND a.deleted_at IS NOT NULL AND a.deleted_at >= a.offline_since THEN NULL ELSE a.deleted_at END`

const hex = (b: Buffer | null) => (b === null ? null : b.toString('hex'))

/**
 * The job node/ingest/service.ts runs first for an asset (its shape), queued in the scan's own
 * transaction. For a file that changed (`changed`), it is queued after a read of the file's
 * metadata still under way (`afterRunning`): folded into it, the asset would keep what that read
 * saw before the change. A new asset has no such read, and its jobs go in as one batch.
 */
const metadataJob = (assetId: string, changed = false): NewJob => ({
  queue: 'metadataExtraction', name: 'metadataExtraction', payload: { assetId, priority: priority.backlog }, dedupeKey: assetId, priority: priority.backlog,
  ...(changed ? { afterRunning: true } : {}),
})

export function createLibraryRepo (db: Database) {
  const jobRepo = createJobRepo(db)

  return {
    // -- libraries --------------------------------------------------------------------------

    async insert (l: Pick<LibraryRow, 'id' | 'owner_id' | 'name' | 'import_paths' | 'exclusion_patterns'>): Promise<LibraryRow> {
      const [row] = await db.query<LibraryRow>(
        `INSERT INTO libraries (id, owner_id, name, import_paths, exclusion_patterns) VALUES ($1, $2, $3, $4::text[], $5::text[]) RETURNING *`,
        [l.id, l.owner_id, l.name, l.import_paths, l.exclusion_patterns])
      return row
    },
    async byId (id: string): Promise<LibraryRow | undefined> {
      const [row] = await db.query<LibraryRow>('SELECT * FROM libraries WHERE id = $1', [id])
      return row
    },
    async list (ownerId?: string): Promise<LibraryRow[]> {
      return ownerId === undefined
        ? db.query<LibraryRow>('SELECT * FROM libraries ORDER BY created_at, id')
        : db.query<LibraryRow>('SELECT * FROM libraries WHERE owner_id = $1 ORDER BY created_at, id', [ownerId])
    },
    async update (id: string, patch: { name?: string, importPaths?: string[], exclusionPatterns?: string[] }): Promise<LibraryRow | undefined> {
      const [row] = await db.query<LibraryRow>(
        `UPDATE libraries SET name = coalesce($2, name), import_paths = coalesce($3::text[], import_paths),
           exclusion_patterns = coalesce($4::text[], exclusion_patterns), updated_at = now()
         WHERE id = $1 RETURNING *`,
        [id, patch.name ?? null, patch.importPaths ?? null, patch.exclusionPatterns ?? null])
      return row
    },
    async remove (id: string): Promise<boolean> {
      return (await db.query('DELETE FROM libraries WHERE id = $1 RETURNING id', [id])).length > 0
    },
    async setRefreshed (id: string) {
      await db.query('UPDATE libraries SET refreshed_at = now() WHERE id = $1', [id])
    },
    async assetCounts (): Promise<Map<string, number>> {
      const rows = await db.query<{ library_id: string, n: number }>(
        'SELECT library_id, count(*)::int AS n FROM assets WHERE library_id IS NOT NULL AND deleted_at IS NULL GROUP BY library_id')
      return new Map(rows.map((r) => [r.library_id, r.n]))
    },
    async statistics (id: string) {
      const [row] = await db.query<{ photos: number, videos: number, total: number, usage: number, offline: number }>(
        `SELECT count(*) FILTER (WHERE type = 'IMAGE')::int AS photos, count(*) FILTER (WHERE type = 'VIDEO')::int AS videos,
           count(*)::int AS total, coalesce(sum(file_size), 0)::bigint AS usage, count(*) FILTER (WHERE is_offline)::int AS offline
         FROM assets WHERE library_id = $1 AND deleted_at IS NULL`, [id])
      return row
    },
    /** Ids of a library's assets, a batch at a time (for deleting a library). */
    async assetIds (id: string, limit: number): Promise<string[]> {
      return (await db.query<{ id: string }>('SELECT id FROM assets WHERE library_id = $1 LIMIT $2', [id, limit])).map((r) => r.id)
    },

    // -- what a scan reads --------------------------------------------------------------------

    /** The folders a scan will compare with, under these roots, and how many files they held. */
    async folders (libraryId: string, under: string[]): Promise<{ fingerprints: Map<string, Buffer | null>, files: number }> {
      const rows = await db.query<{ path: string, fingerprint: Buffer | null, files: number }>(
        `SELECT path, fingerprint, files FROM library_folders WHERE library_id = $1 AND ${underAny('path', '$2')}`, [libraryId, under])
      return { fingerprints: new Map(rows.map((r) => [r.path, r.fingerprint])), files: rows.reduce((n, r) => n + r.files, 0) }
    },
    /** Whether a library has any asset at all (a first scan skips looking for known ones). */
    async hasAssets (libraryId: string): Promise<boolean> {
      return (await db.query('SELECT 1 FROM assets WHERE library_id = $1 LIMIT 1', [libraryId])).length > 0
    },
    async assetsInFolder (libraryId: string, folder: string): Promise<KnownAsset[]> {
      return db.query<KnownAsset>(
        `SELECT id, original_path, file_size, file_mtime_ms, file_inode, sidecar_path, sidecar_mtime_ms, is_offline
         FROM assets WHERE library_id = $1 AND ${folderOf} = $2`, [libraryId, folder])
    },
    /** Assets of this library with one of these contents: where a moved file came from. */
    async sameContent (libraryId: string, ownerId: string, sha256s: Buffer[]): Promise<Array<KnownAsset & { checksum_sha256: Buffer }>> {
      if (sha256s.length === 0) return []
      // Hex text decoded in SQL: a bytea[] parameter is not encoded alike by pg and PGlite.
      return db.query(
        `SELECT id, original_path, file_size, file_mtime_ms, file_inode, sidecar_path, sidecar_mtime_ms, is_offline, checksum_sha256
         FROM assets WHERE owner_id = $1 AND library_id = $2
           AND checksum_sha256 IN (SELECT decode(h, 'hex') FROM unnest($3::text[]) AS h)`,
        [ownerId, libraryId, sha256s.map((b) => b.toString('hex'))])
    },

    // -- what a scan writes -------------------------------------------------------------------

    /** Writes a batch in one transaction, metadata jobs included: a crash keeps all of it or none. */
    async write (tx: Queryable, library: Pick<LibraryRow, 'id' | 'owner_id'>, b: ScanBatch): Promise<{ inserted: number, goneOffline: number }> {
      const jobs: NewJob[] = []
      const touched = [...b.touched].filter((f) => !b.done.has(f))
      if (touched.length > 0) {
        await tx.query(
          `INSERT INTO library_folders (library_id, path) SELECT $1, p FROM unnest($2::text[]) AS p
           ON CONFLICT (library_id, path) DO UPDATE SET fingerprint = NULL`, [library.id, touched])
      }
      let inserted = 0
      if (b.inserts.length > 0) {
        const i = b.inserts
        const rows = await tx.query<{ id: string }>(
          `INSERT INTO assets (id, owner_id, library_id, device_asset_id, device_id, type, original_path, original_file_name,
             sidecar_path, sidecar_mtime_ms, mime_type, checksum_sha1, checksum_sha256, file_size, file_inode, file_mtime_ms,
             file_created_at, file_modified_at, local_date_time)
           SELECT n.id, $1, $2, n.path, 'Library Import', n.type, n.path, n.name, n.sidecar, n.sidecar_mtime, n.mime,
             decode(n.sha1, 'hex'), decode(n.sha256, 'hex'), n.size, n.ino, n.mtime,
             to_timestamp(n.mtime / 1000), to_timestamp(n.mtime / 1000), to_timestamp(n.mtime / 1000)
           FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::text[], $10::text[], $11::text[],
             $12::bigint[], $13::bigint[], $14::float8[]) AS n(id, path, name, type, sidecar, sidecar_mtime, mime, sha1, sha256, size, ino, mtime)
           ON CONFLICT DO NOTHING RETURNING id`,
          [library.owner_id, library.id, i.map((x) => x.id), i.map((x) => x.path), i.map((x) => x.name), i.map((x) => x.type),
            i.map((x) => x.sidecarPath), i.map((x) => x.sidecarMtimeMs), i.map((x) => x.mime), i.map((x) => hex(x.sha1)),
            i.map((x) => hex(x.sha256)), i.map((x) => x.size), i.map((x) => x.ino), i.map((x) => x.mtimeMs)])
        inserted = rows.length
        for (const r of rows) jobs.push(metadataJob(r.id))
        // A RAW file and its JPEG, in this batch or an earlier one: stacked, the JPEG on top.
        await createStackRepo(tx).autoStackPairs(rows.map((r) => r.id), tx)
      }
      if (b.updates.length > 0) {
        const u = b.updates
        await tx.query(
          `UPDATE assets a SET original_path = u.path, original_file_name = u.name, device_asset_id = u.path,
             file_size = u.size, file_inode = u.ino, file_mtime_ms = u.mtime,
             checksum_sha1 = coalesce(decode(u.sha1, 'hex'), a.checksum_sha1),
             checksum_sha256 = coalesce(decode(u.sha256, 'hex'), a.checksum_sha256),
             file_modified_at = CASE WHEN u.sha1 IS NULL THEN a.file_modified_at ELSE to_timestamp(u.mtime / 1000) END,
             sidecar_path = u.sidecar, sidecar_mtime_ms = u.sidecar_mtime,
             ingest_status = CASE WHEN u.requeue THEN 'pending' ELSE a.ingest_status END,
             failure_reason = CASE WHEN u.requeue THEN NULL ELSE a.failure_reason END,
             ${backOnline}, updated_at = now()
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::float8[], $7::text[], $8::text[], $9::text[],
             $10::float8[], $11::boolean[]) AS u(id, path, name, size, ino, mtime, sha1, sha256, sidecar, sidecar_mtime, requeue)
           WHERE a.id = u.id`,
          [u.map((x) => x.id), u.map((x) => x.path), u.map((x) => x.name), u.map((x) => x.size), u.map((x) => x.ino),
            u.map((x) => x.mtimeMs), u.map((x) => hex(x.sha1)), u.map((x) => hex(x.sha256)), u.map((x) => x.sidecarPath),
            u.map((x) => x.sidecarMtimeMs), u.map((x) => x.requeue)])
        for (const x of u) if (x.requeue) jobs.push(metadataJob(x.id, true))
      }
      if (b.offline.length > 0) {
        // Only if it is still where the scan saw it missing: a move found later in the scan wins.
        await tx.query(
          `UPDATE assets a SET is_offline = true, offline_since = now(), updated_at = now()
           FROM unnest($1::uuid[], $2::text[]) AS o(id, path)
           WHERE a.id = o.id AND a.original_path = o.path AND NOT a.is_offline`,
          [b.offline.map((o) => o.id), b.offline.map((o) => o.path)])
      }
      let goneOffline = 0
      if (b.gone.length > 0) {
        goneOffline = (await tx.query(
          `UPDATE assets SET is_offline = true, offline_since = now(), updated_at = now()
           WHERE library_id = $1 AND ${folderOf} = ANY($2::text[]) AND NOT is_offline RETURNING id`, [library.id, b.gone])).length
        await tx.query('DELETE FROM library_folders WHERE library_id = $1 AND path = ANY($2::text[])', [library.id, b.gone])
      }
      if (b.done.size > 0) {
        await tx.query(
          `INSERT INTO library_folders (library_id, path, fingerprint, files) SELECT $1, d.path, decode(d.fp, 'hex'), d.files
           FROM unnest($2::text[], $3::text[], $4::int[]) AS d(path, fp, files)
           ON CONFLICT (library_id, path) DO UPDATE SET fingerprint = excluded.fingerprint, files = excluded.files`,
          [library.id, [...b.done.keys()], [...b.done.values()].map((d) => d.fingerprint.toString('hex')), [...b.done.values()].map((d) => d.files)])
      }
      if (jobs.length > 0) await jobRepo.insert(jobs, tx)
      return { inserted, goneOffline }
    },

    /**
     * Assets outside every import path (a path removed from the library) go offline, and their
     * folders are forgotten. Every online asset's folder has a row (written with the asset), so
     * the folders are enough to find them. Returns how many went offline.
     */
    async offlineOutside (libraryId: string, roots: string[]): Promise<number> {
      const outside = (await db.query<{ path: string }>(
        `SELECT path FROM library_folders WHERE library_id = $1 AND NOT ${underAny('path', '$2')}`, [libraryId, roots])).map((r) => r.path)
      if (outside.length === 0) return 0
      return db.transaction(async (tx) => {
        const rows = await tx.query(
          `UPDATE assets SET is_offline = true, offline_since = now(), updated_at = now()
           WHERE library_id = $1 AND ${folderOf} = ANY($2::text[]) AND NOT is_offline RETURNING id`, [libraryId, outside])
        await tx.query('DELETE FROM library_folders WHERE library_id = $1 AND path = ANY($2::text[])', [libraryId, outside])
        return rows.length
      })
    },

    /** Forgets every fingerprint of a library (its exclusions changed): the next scan looks at each folder. */
    async forgetFingerprints (libraryId: string) {
      await db.query('UPDATE library_folders SET fingerprint = NULL WHERE library_id = $1', [libraryId])
    },

    /** Assets offline for longer than the grace period go to the trash (from where they still return). */
    async trashOffline (graceMs: number, libraryId?: string): Promise<number> {
      const rows = await db.query(
        `UPDATE assets SET deleted_at = now(), updated_at = now()
         WHERE library_id IS NOT NULL AND ($2::uuid IS NULL OR library_id = $2) AND is_offline AND deleted_at IS NULL
           AND offline_since < now() - make_interval(secs => $1::float8) RETURNING id`, [graceMs / 1000, libraryId ?? null])
      return rows.length
    },
  }
}

export type LibraryRepo = ReturnType<typeof createLibraryRepo>

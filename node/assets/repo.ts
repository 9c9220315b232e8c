import { partnerReadSql } from '../partners/sql.ts'
import type { Queryable } from '../db/index.ts'
import { createStackRepo } from '../stacks/repo.ts'

export interface AssetRow {
  id: string
  owner_id: string
  device_asset_id: string
  device_id: string
  type: 'IMAGE' | 'VIDEO' | 'AUDIO' | 'OTHER'
  original_path: string
  original_file_name: string
  sidecar_path: string | null
  mime_type: string
  checksum_sha1: Buffer
  checksum_sha256: Buffer
  file_size: number
  file_created_at: Date
  file_modified_at: Date
  local_date_time: Date
  is_favorite: boolean
  visibility: string
  created_at: Date
  updated_at: Date
  deleted_at: Date | null
  library_id: string | null
  thumbnail_path: string | null
  preview_path: string | null
  encoded_video_path: string | null
  is_offline: boolean
  ingest_status: 'pending' | 'ready' | 'failed'
  failure_reason: string | null
  thumbhash: Buffer | null
  width: number | null
  height: number | null
  duration_seconds: number | null
  live_photo_video_id: string | null
  /** The stack it is in (stacks/repo.ts), if any. */
  stack_id: string | null
}

export type NewAsset = Pick<AssetRow, typeof columns[number]>

/** What is left to clean up once an asset's row is gone. */
export interface PurgedAsset {
  id: string, original_path: string, sidecar_path: string | null, file_size: number, library_id: string | null
  thumbnail_path: string | null, preview_path: string | null, encoded_video_path: string | null
}
const purgedColumns = 'id, original_path, sidecar_path, file_size, library_id, thumbnail_path, preview_path, encoded_video_path'

const columns = Object.freeze([
  'id', 'owner_id', 'device_asset_id', 'device_id', 'type', 'original_path', 'original_file_name', 'sidecar_path', 'mime_type',
  'checksum_sha1', 'checksum_sha256', 'file_size', 'file_created_at', 'file_modified_at', 'local_date_time', 'is_favorite', 'visibility',
] as const)

/**
 * SQL true when `column` (an album's or a link's asset id) is asset `x` itself, or the live photo
 * whose video `x` is: a live photo's video goes wherever its photo goes.
 */
export const itOrItsPhotoSql = (column: string) =>
  `(${column} = x.id OR ${column} IN (SELECT p.id FROM assets p WHERE p.live_photo_video_id = x.id AND p.deleted_at IS NULL))`

/**
 * SQL true when asset `x` may be seen by user $1: their own, a partner's (not locked or trashed), or
 * one in an album they own or that is shared with them (a live photo's video goes with its photo).
 */
const readableSql = `(x.owner_id = $1 OR ${partnerReadSql('x', '$1')} OR (x.deleted_at IS NULL AND x.visibility <> 'locked' AND EXISTS (
  SELECT 1 FROM album_assets aa JOIN albums al ON al.id = aa.album_id
  WHERE ${itOrItsPhotoSql('aa.asset_id')}
    AND (al.owner_id = $1 OR EXISTS (SELECT 1 FROM album_users u WHERE u.album_id = al.id AND u.user_id = $1)))))`

export function createAssetRepo (db: Queryable) {
  return {
    /** Inserts unless this owner already has this content; returns undefined then (a duplicate). */
    async insertUnlessDuplicate (a: NewAsset, q: Queryable = db): Promise<AssetRow | undefined> {
      const [row] = await q.query<AssetRow>(
        `INSERT INTO assets (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
         ON CONFLICT (owner_id, checksum_sha1) WHERE library_id IS NULL DO NOTHING RETURNING *`,
        columns.map((c) => a[c]))
      return row
    },
    async byId (ownerId: string, id: string): Promise<AssetRow | undefined> {
      const [row] = await db.query<AssetRow>('SELECT * FROM assets WHERE id = $1 AND owner_id = $2', [id, ownerId])
      return row
    },
    /**
     * An asset `userId` may see: their own, one of a partner who shares with them (not locked), or
     * one in an album they own or that is shared with them (a live photo's video goes with its
     * photo). Others' trashed assets are not shown.
     */
    async readableById (userId: string, id: string): Promise<AssetRow | undefined> {
      const [row] = await db.query<AssetRow>(`SELECT x.* FROM assets x WHERE x.id = $2 AND ${readableSql}`, [userId, id])
      return row
    },
    /** Those of `ids` that `userId` may see (as readableById), in no particular order. */
    async readableByIds (userId: string, ids: string[]): Promise<AssetRow[]> {
      if (ids.length === 0) return []
      return db.query<AssetRow>(`SELECT x.* FROM assets x WHERE x.id = ANY($2::uuid[]) AND ${readableSql}`, [userId, ids])
    },
    async bySha1 (ownerId: string, sha1: Buffer, q: Queryable = db): Promise<AssetRow | undefined> {
      const [row] = await q.query<AssetRow>('SELECT * FROM assets WHERE owner_id = $1 AND checksum_sha1 = $2', [ownerId, sha1])
      return row
    },
    async bySha1s (ownerId: string, sha1s: Buffer[]): Promise<Array<{ id: string, checksum_sha1: Buffer, deleted_at: Date | null }>> {
      if (sha1s.length === 0) return []
      return db.query(
        // Hex text, decoded in SQL: a bytea[] parameter is not encoded alike by pg and PGlite.
        `SELECT id, checksum_sha1, deleted_at FROM assets
         WHERE owner_id = $1 AND checksum_sha1 IN (SELECT decode(h, 'hex') FROM unnest($2::text[]) AS h)`,
        [ownerId, sha1s.map((b) => b.toString('hex'))])
    },
    async ownedIds (ownerId: string, ids: string[], q: Queryable = db): Promise<string[]> {
      if (ids.length === 0) return []
      const rows = await q.query<{ id: string }>('SELECT id FROM assets WHERE owner_id = $1 AND id = ANY($2::uuid[])', [ownerId, ids])
      return rows.map((r) => r.id)
    },
    /** Those of `ids` the user may put in an album: their own, and their partners' (Immich's asset.share). */
    async shareableIds (userId: string, ids: string[], q: Queryable = db): Promise<string[]> {
      if (ids.length === 0) return []
      const rows = await q.query<{ id: string }>(`SELECT x.id FROM assets x WHERE x.id = ANY($2::uuid[]) AND ((x.owner_id = $1 AND x.visibility <> 'locked') OR ${partnerReadSql('x', '$1')})`, [userId, ids])
      return rows.map((r) => r.id)
    },
    async trash (ownerId: string, ids: string[]): Promise<number> {
      const rows = await db.query(
        'UPDATE assets SET deleted_at = now(), updated_at = now() WHERE owner_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL RETURNING id',
        [ownerId, ids])
      return rows.length
    },
    async restore (ownerId: string, ids: string[] | 'all'): Promise<number> {
      const rows = ids === 'all'
        ? await db.query('UPDATE assets SET deleted_at = NULL, updated_at = now() WHERE owner_id = $1 AND deleted_at IS NOT NULL RETURNING id', [ownerId])
        : await db.query('UPDATE assets SET deleted_at = NULL, updated_at = now() WHERE owner_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NOT NULL RETURNING id', [ownerId, ids])
      return rows.length
    },
    /** Deletes rows for good and gives back their quota; returns what was deleted so the files can go. */
    async purge (ownerId: string, ids: string[] | 'trashed', q: Queryable = db): Promise<PurgedAsset[]> {
      // A stack's cover deleted for good hands the cover on first (else the stack would go with it).
      const stacked = await q.query<{ id: string }>(ids === 'trashed'
        ? 'SELECT id FROM assets WHERE owner_id = $1 AND deleted_at IS NOT NULL AND stack_id IS NOT NULL'
        : 'SELECT id FROM assets WHERE owner_id = $1 AND id = ANY($2::uuid[]) AND stack_id IS NOT NULL', ids === 'trashed' ? [ownerId] : [ownerId, ids])
      await createStackRepo(q).takeOut(stacked.map((r) => r.id), q)
      const rows = ids === 'trashed'
        ? await q.query<PurgedAsset>(
          `DELETE FROM assets WHERE owner_id = $1 AND deleted_at IS NOT NULL RETURNING ${purgedColumns}`, [ownerId])
        : await q.query<PurgedAsset>(
          `DELETE FROM assets WHERE owner_id = $1 AND id = ANY($2::uuid[]) RETURNING ${purgedColumns}`, [ownerId, ids])
      // Only uploads count against the quota; a share's files are the household's, not Hearth's.
      const total = rows.filter((r) => r.library_id === null).reduce((s, r) => s + r.file_size, 0)
      if (total > 0) await q.query('UPDATE users SET quota_usage_in_bytes = greatest(0, quota_usage_in_bytes - $2) WHERE id = $1', [ownerId, total])
      return rows
    },
    /** Owners with assets trashed before `before`, for the automatic purge. */
    async expiredTrash (before: Date): Promise<Array<{ owner_id: string, id: string }>> {
      return db.query('SELECT owner_id, id FROM assets WHERE deleted_at IS NOT NULL AND deleted_at < $1 LIMIT 1000', [before])
    },
    async update (ownerId: string, id: string, patch: { is_favorite?: boolean, visibility?: string }, q: Queryable = db): Promise<AssetRow | undefined> {
      const [row] = await q.query<AssetRow>(
        `UPDATE assets SET is_favorite = coalesce($3, is_favorite), visibility = coalesce($4, visibility), updated_at = now()
         WHERE owner_id = $1 AND id = $2 RETURNING *`,
        [ownerId, id, patch.is_favorite ?? null, patch.visibility ?? null])
      return row
    },
    /** The same on several of the owner's assets at once; how many were updated. */
    async updateMany (ownerId: string, ids: string[], patch: { is_favorite?: boolean, visibility?: string }, q: Queryable = db): Promise<number> {
      if (patch.is_favorite === undefined && patch.visibility === undefined) return 0
      const rows = await q.query<{ id: string }>(
        `UPDATE assets SET is_favorite = coalesce($3, is_favorite), visibility = coalesce($4, visibility), updated_at = now()
         WHERE owner_id = $1 AND id = ANY($2::uuid[]) RETURNING id`,
        [ownerId, ids, patch.is_favorite ?? null, patch.visibility ?? null])
      return rows.length
    },
    /** A capture date the owner set: the instant (the timeline's order) and the wall-clock time (its days). */
    async setDates (ids: string[], instant: Date, local: Date, q: Queryable = db): Promise<void> {
      await q.query('UPDATE assets SET file_created_at = $2, local_date_time = $3, updated_at = now() WHERE id = ANY($1::uuid[])', [ids, instant, local])
    },
    /**
     * "On this day": the owner's timeline photos and videos taken on `month`/`day` (wall-clock
     * date where taken) in the years before `year`, at most `perYear` a year, oldest first within it.
     */
    async onThisDay (ownerIds: string[], month: number, day: number, year: number, perYear: number): Promise<AssetRow[]> {
      return db.query<AssetRow>(
        `SELECT * FROM (
           SELECT a.*, row_number() OVER (PARTITION BY extract(year FROM a.local_date_time AT TIME ZONE 'UTC') ORDER BY a.local_date_time, a.id) AS n
           FROM assets a
           WHERE a.owner_id = ANY($1::uuid[]) AND a.deleted_at IS NULL AND a.visibility = 'timeline'
             AND to_char(a.local_date_time AT TIME ZONE 'UTC', 'MM-DD') = $2
             AND a.local_date_time < make_timestamptz($3, 1, 1, 0, 0, 0, 'UTC')) x
         WHERE n <= $4 ORDER BY local_date_time DESC, id`,
        [ownerIds, `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, year, perYear])
    },
    /** Which of `ids` are the owner's (trashed ones too). */
    async owned (ownerId: string, ids: string[]): Promise<Set<string>> {
      const rows = await db.query<{ id: string }>('SELECT id FROM assets WHERE owner_id = $1 AND id = ANY($2::uuid[])', [ownerId, ids])
      return new Set(rows.map((r) => r.id))
    },
    async statistics (ownerId: string, trashed: boolean, visibility?: string) {
      const [row] = await db.query<{ images: number, videos: number, total: number }>(
        `SELECT count(*) FILTER (WHERE type = 'IMAGE')::int AS images, count(*) FILTER (WHERE type = 'VIDEO')::int AS videos, count(*)::int AS total
         FROM assets WHERE owner_id = $1 AND (deleted_at IS NOT NULL) = $2 AND ${visibility === undefined ? "visibility <> 'locked'" : 'visibility = $3'}`,
        visibility === undefined ? [ownerId, trashed] : [ownerId, trashed, visibility])
      return row
    },
    async count (): Promise<number> {
      const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM assets')
      return row.n
    },
  }
}

export type AssetRepo = ReturnType<typeof createAssetRepo>

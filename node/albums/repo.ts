import type { Queryable } from '../db/index.ts'
import type { AssetRow } from '../assets/repo.ts'

export interface AlbumRow {
  id: string
  owner_id: string
  album_name: string
  description: string
  album_thumbnail_asset_id: string | null
  created_at: Date
  updated_at: Date
  asset_count: number
  start_date: Date | null
  end_date: Date | null
}

const albumSelect = `
  SELECT a.*, coalesce(s.n, 0)::int AS asset_count, s.start_date, s.end_date
  FROM albums a
  LEFT JOIN LATERAL (
    SELECT count(*) AS n, min(x.file_created_at) AS start_date, max(x.file_created_at) AS end_date
    FROM album_assets aa JOIN assets x ON x.id = aa.asset_id AND x.deleted_at IS NULL
    WHERE aa.album_id = a.id
  ) s ON true`

export function createAlbumRepo (db: Queryable) {
  return {
    async insert (a: { id: string, ownerId: string, name: string, description: string }, q: Queryable = db) {
      await q.query('INSERT INTO albums (id, owner_id, album_name, description) VALUES ($1, $2, $3, $4)', [a.id, a.ownerId, a.name, a.description])
    },
    async byId (ownerId: string, id: string): Promise<AlbumRow | undefined> {
      const [row] = await db.query<AlbumRow>(`${albumSelect} WHERE a.id = $1 AND a.owner_id = $2`, [id, ownerId])
      return row
    },
    async list (ownerId: string, { assetId, name }: { assetId?: string, name?: string } = {}): Promise<AlbumRow[]> {
      return db.query<AlbumRow>(
        `${albumSelect} WHERE a.owner_id = $1
           AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM album_assets aa WHERE aa.album_id = a.id AND aa.asset_id = $2))
           AND ($3::text IS NULL OR a.album_name = $3)
         ORDER BY a.created_at DESC`, [ownerId, assetId ?? null, name ?? null])
    },
    async update (ownerId: string, id: string, patch: { name?: string, description?: string, thumbnailAssetId?: string }) {
      const rows = await db.query(
        `UPDATE albums SET album_name = coalesce($3, album_name), description = coalesce($4, description),
           album_thumbnail_asset_id = coalesce($5, album_thumbnail_asset_id), updated_at = now()
         WHERE owner_id = $1 AND id = $2 RETURNING id`,
        [ownerId, id, patch.name ?? null, patch.description ?? null, patch.thumbnailAssetId ?? null])
      return rows.length > 0
    },
    async remove (ownerId: string, id: string): Promise<boolean> {
      return (await db.query('DELETE FROM albums WHERE owner_id = $1 AND id = $2 RETURNING id', [ownerId, id])).length > 0
    },
    /** Adds assets; returns the ids that were newly added (the rest were already there). */
    async addAssets (albumId: string, assetIds: string[], q: Queryable = db): Promise<string[]> {
      if (assetIds.length === 0) return []
      const rows = await q.query<{ asset_id: string }>(
        `INSERT INTO album_assets (album_id, asset_id) SELECT $1, unnest($2::uuid[])
         ON CONFLICT DO NOTHING RETURNING asset_id`, [albumId, assetIds])
      await q.query(`UPDATE albums SET updated_at = now(),
          album_thumbnail_asset_id = coalesce(album_thumbnail_asset_id, (SELECT asset_id FROM album_assets WHERE album_id = $1 ORDER BY created_at LIMIT 1))
        WHERE id = $1`, [albumId])
      return rows.map((r) => r.asset_id)
    },
    async removeAssets (albumId: string, assetIds: string[]): Promise<string[]> {
      const rows = await db.query<{ asset_id: string }>(
        'DELETE FROM album_assets WHERE album_id = $1 AND asset_id = ANY($2::uuid[]) RETURNING asset_id', [albumId, assetIds])
      await db.query(`UPDATE albums SET updated_at = now(), album_thumbnail_asset_id = CASE
          WHEN album_thumbnail_asset_id = ANY($2::uuid[]) THEN (SELECT asset_id FROM album_assets WHERE album_id = $1 ORDER BY created_at LIMIT 1)
          ELSE album_thumbnail_asset_id END WHERE id = $1`, [albumId, assetIds])
      return rows.map((r) => r.asset_id)
    },
    async assetsOf (albumId: string): Promise<AssetRow[]> {
      return db.query<AssetRow>(
        `SELECT x.* FROM album_assets aa JOIN assets x ON x.id = aa.asset_id AND x.deleted_at IS NULL
         WHERE aa.album_id = $1 ORDER BY x.file_created_at DESC`, [albumId])
    },
  }
}

export type AlbumRepo = ReturnType<typeof createAlbumRepo>

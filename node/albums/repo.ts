import type { Queryable } from '../db/index.ts'
import type { AssetRow } from '../assets/repo.ts'
import type { UserRow } from '../users/repo.ts'

export type AlbumRole = 'editor' | 'viewer'
export type AlbumOrder = 'asc' | 'desc'

export interface AlbumRow {
  id: string
  owner_id: string
  album_name: string
  description: string
  album_thumbnail_asset_id: string | null
  asset_order: AlbumOrder
  /** Whether its people may like and comment (album activity). */
  is_activity_enabled: boolean
  created_at: Date
  updated_at: Date
  asset_count: number
  start_date: Date | null
  end_date: Date | null
  shared_users: number
  shared_links: number
}

export interface AlbumUserRow { album_id: string, role: AlbumRole, user: UserRow }

const albumSelect = `
  SELECT a.*, coalesce(s.n, 0)::int AS asset_count, s.start_date, s.end_date,
    (SELECT count(*)::int FROM album_users u WHERE u.album_id = a.id) AS shared_users,
    (SELECT count(*)::int FROM shared_links l WHERE l.album_id = a.id) AS shared_links
  FROM albums a
  LEFT JOIN LATERAL (
    SELECT count(*) AS n, min(x.file_created_at) AS start_date, max(x.file_created_at) AS end_date
    FROM album_assets aa JOIN assets x ON x.id = aa.asset_id AND x.deleted_at IS NULL AND x.visibility <> 'locked'
    WHERE aa.album_id = a.id
  ) s ON true`

/** SQL true when user $1 may see album `a` (owns it or it is shared with them). */
const visibleTo = '(a.owner_id = $1 OR EXISTS (SELECT 1 FROM album_users u WHERE u.album_id = a.id AND u.user_id = $1))'

export function createAlbumRepo (db: Queryable) {
  return {
    async insert (a: { id: string, ownerId: string, name: string, description: string }, q: Queryable = db) {
      await q.query('INSERT INTO albums (id, owner_id, album_name, description) VALUES ($1, $2, $3, $4)', [a.id, a.ownerId, a.name, a.description])
    },
    /** The album if `userId` owns it or it is shared with them, with their role. */
    async visible (userId: string, id: string): Promise<{ album: AlbumRow, role: 'owner' | AlbumRole } | undefined> {
      const [row] = await db.query<AlbumRow & { my_role: AlbumRole | null }>(
        `${albumSelect.replace('SELECT a.*,', 'SELECT a.*, (SELECT role FROM album_users u WHERE u.album_id = a.id AND u.user_id = $1) AS my_role,')}
         WHERE a.id = $2 AND ${visibleTo}`, [userId, id])
      if (row === undefined) return undefined
      const { my_role: myRole, ...album } = row
      return { album, role: row.owner_id === userId ? 'owner' : myRole! }
    },
    async byIdAny (id: string): Promise<AlbumRow | undefined> {
      const [row] = await db.query<AlbumRow>(`${albumSelect} WHERE a.id = $1`, [id])
      return row
    },
    /**
     * Immich's list: `owned` (default) the caller's albums; `shared` the caller's albums shared with
     * someone or by a link, and albums shared with the caller; `notShared` the caller's albums no one else sees.
     */
    async list (userId: string, { assetId, name, mode = 'owned' }: { assetId?: string, name?: string, mode?: 'owned' | 'shared' | 'notShared' } = {}): Promise<AlbumRow[]> {
      const which = {
        owned: 'a.owner_id = $1',
        shared: `(EXISTS (SELECT 1 FROM album_users u WHERE u.album_id = a.id AND u.user_id = $1)
                  OR (a.owner_id = $1 AND (EXISTS (SELECT 1 FROM album_users u WHERE u.album_id = a.id) OR EXISTS (SELECT 1 FROM shared_links l WHERE l.album_id = a.id))))`,
        notShared: `(a.owner_id = $1 AND NOT EXISTS (SELECT 1 FROM album_users u WHERE u.album_id = a.id) AND NOT EXISTS (SELECT 1 FROM shared_links l WHERE l.album_id = a.id))`,
      }[mode]
      return db.query<AlbumRow>(
        `${albumSelect} WHERE ${which}
           AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM album_assets aa WHERE aa.album_id = a.id AND aa.asset_id = $2))
           AND ($3::text IS NULL OR a.album_name = $3)
         ORDER BY a.created_at DESC`, [userId, assetId ?? null, name ?? null])
    },
    async update (id: string, patch: { name?: string, description?: string, thumbnailAssetId?: string, order?: AlbumOrder, isActivityEnabled?: boolean }) {
      const rows = await db.query(
        `UPDATE albums SET album_name = coalesce($2, album_name), description = coalesce($3, description),
           album_thumbnail_asset_id = coalesce($4, album_thumbnail_asset_id), asset_order = coalesce($5, asset_order),
           is_activity_enabled = coalesce($6, is_activity_enabled), updated_at = now()
         WHERE id = $1 RETURNING id`,
        [id, patch.name ?? null, patch.description ?? null, patch.thumbnailAssetId ?? null, patch.order ?? null, patch.isActivityEnabled ?? null])
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
      if (assetIds.length === 0) return []
      const rows = await db.query<{ asset_id: string }>(
        'DELETE FROM album_assets WHERE album_id = $1 AND asset_id = ANY($2::uuid[]) RETURNING asset_id', [albumId, assetIds])
      await db.query(`UPDATE albums SET updated_at = now(), album_thumbnail_asset_id = CASE
          WHEN album_thumbnail_asset_id = ANY($2::uuid[]) THEN (SELECT asset_id FROM album_assets WHERE album_id = $1 ORDER BY created_at LIMIT 1)
          ELSE album_thumbnail_asset_id END WHERE id = $1`, [albumId, assetIds])
      return rows.map((r) => r.asset_id)
    },
    /** Which of `assetIds` are in the album and owned by `ownerId`. */
    async assetsOwnedIn (albumId: string, ownerId: string, assetIds: string[]): Promise<string[]> {
      if (assetIds.length === 0) return []
      const rows = await db.query<{ id: string }>(
        `SELECT x.id FROM album_assets aa JOIN assets x ON x.id = aa.asset_id
         WHERE aa.album_id = $1 AND x.owner_id = $2 AND x.id = ANY($3::uuid[])`, [albumId, ownerId, assetIds])
      return rows.map((r) => r.id)
    },
    async hasAsset (albumId: string, assetId: string): Promise<boolean> {
      const rows = await db.query(
        'SELECT 1 FROM album_assets aa JOIN assets x ON x.id = aa.asset_id AND x.deleted_at IS NULL AND x.visibility <> \'locked\' WHERE aa.album_id = $1 AND aa.asset_id = $2', [albumId, assetId])
      return rows.length > 0
    },
    async assetsOf (albumId: string, order: AlbumOrder = 'desc'): Promise<AssetRow[]> {
      return db.query<AssetRow>(
        `SELECT x.* FROM album_assets aa JOIN assets x ON x.id = aa.asset_id AND x.deleted_at IS NULL AND x.visibility <> 'locked'
         WHERE aa.album_id = $1 ORDER BY x.file_created_at ${order === 'asc' ? 'ASC' : 'DESC'}, x.id`, [albumId])
    },
    async usersOf (albumIds: string[]): Promise<AlbumUserRow[]> {
      if (albumIds.length === 0) return []
      const rows = await db.query<UserRow & { album_id: string, role: AlbumRole }>(
        `SELECT u.*, au.album_id, au.role FROM album_users au JOIN users u ON u.id = au.user_id
         WHERE au.album_id = ANY($1::uuid[]) ORDER BY au.created_at`, [albumIds])
      return rows.map(({ album_id: albumId, role, ...user }) => ({ album_id: albumId, role, user }))
    },
    async addUsers (albumId: string, users: Array<{ userId: string, role: AlbumRole }>): Promise<string[]> {
      const rows = await db.query<{ user_id: string }>(
        `INSERT INTO album_users (album_id, user_id, role)
         SELECT $1, u, r FROM unnest($2::uuid[], $3::text[]) AS t(u, r)
         ON CONFLICT DO NOTHING RETURNING user_id`,
        [albumId, users.map((u) => u.userId), users.map((u) => u.role)])
      return rows.map((r) => r.user_id)
    },
    async setRole (albumId: string, userId: string, role: AlbumRole): Promise<boolean> {
      return (await db.query('UPDATE album_users SET role = $3 WHERE album_id = $1 AND user_id = $2 RETURNING user_id', [albumId, userId, role])).length > 0
    },
    async removeUser (albumId: string, userId: string): Promise<boolean> {
      return (await db.query('DELETE FROM album_users WHERE album_id = $1 AND user_id = $2 RETURNING user_id', [albumId, userId])).length > 0
    },
  }
}

export type AlbumRepo = ReturnType<typeof createAlbumRepo>

import type { Queryable } from '../db/index.ts'
import { itOrItsPhotoSql, type AssetRow } from '../assets/repo.ts'

export interface SharedLinkRow {
  id: string
  owner_id: string
  /** ALBUM: an album's photos; INDIVIDUAL: photos chosen one by one (shared_link_assets). */
  type: 'ALBUM' | 'INDIVIDUAL'
  album_id: string | null
  key_hash: Buffer
  key_sealed: Buffer
  password_hash: string | null
  description: string | null
  expires_at: Date | null
  allow_download: boolean
  allow_upload: boolean
  show_metadata: boolean
  created_at: Date
  updated_at: Date
}

export interface SharedLinkPatch {
  description?: string | null
  passwordHash?: string | null
  expiresAt?: Date | null
  allowDownload?: boolean
  allowUpload?: boolean
  showMetadata?: boolean
}

/**
 * SQL true when asset `x` is shown by link $1 (its album's, or one of its own photos), not
 * trashed or locked; a live photo's video goes with its photo.
 */
const inLinkSql = `x.deleted_at IS NULL AND x.visibility <> 'locked' AND EXISTS (SELECT 1 FROM shared_links l WHERE l.id = $1 AND (
  (l.type = 'ALBUM' AND EXISTS (SELECT 1 FROM album_assets aa WHERE aa.album_id = l.album_id AND ${itOrItsPhotoSql('aa.asset_id')}))
  OR (l.type = 'INDIVIDUAL' AND EXISTS (SELECT 1 FROM shared_link_assets sa WHERE sa.link_id = l.id AND ${itOrItsPhotoSql('sa.asset_id')}))))`

export function createSharedLinkRepo (db: Queryable) {
  return {
    /** One asset a visitor of `linkId` may open, or undefined. */
    async assetOf (linkId: string, id: string): Promise<AssetRow | undefined> {
      const [row] = await db.query<AssetRow>(`SELECT x.* FROM assets x WHERE x.id = $2 AND ${inLinkSql}`, [linkId, id])
      return row
    },
    /** Those of `ids` a visitor of `linkId` may open, in no particular order. */
    async assetsAmong (linkId: string, ids: string[]): Promise<AssetRow[]> {
      if (ids.length === 0) return []
      return db.query<AssetRow>(`SELECT x.* FROM assets x WHERE x.id = ANY($2::uuid[]) AND ${inLinkSql}`, [linkId, ids])
    },
    /** An INDIVIDUAL link's photos as its page lists them, oldest first (not trashed, locked or hidden). */
    async chosenAssets (linkId: string): Promise<AssetRow[]> {
      return db.query<AssetRow>(
        `SELECT x.* FROM shared_link_assets sa JOIN assets x ON x.id = sa.asset_id
         WHERE sa.link_id = $1 AND x.deleted_at IS NULL AND x.visibility IN ('timeline', 'archive') ORDER BY x.file_created_at, x.id`, [linkId])
    },
    /** Adds photos to an INDIVIDUAL link; returns those that were not in it yet. */
    async addAssets (linkId: string, ids: string[], q: Queryable = db): Promise<string[]> {
      if (ids.length === 0) return []
      const rows = await q.query<{ asset_id: string }>(
        'INSERT INTO shared_link_assets (link_id, asset_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING asset_id', [linkId, ids])
      return rows.map((r) => r.asset_id)
    },
    /** Takes photos out of an INDIVIDUAL link; returns those that were in it. */
    async removeAssets (linkId: string, ids: string[]): Promise<string[]> {
      const rows = await db.query<{ asset_id: string }>('DELETE FROM shared_link_assets WHERE link_id = $1 AND asset_id = ANY($2::uuid[]) RETURNING asset_id', [linkId, ids])
      return rows.map((r) => r.asset_id)
    },
    async insert (l: Omit<SharedLinkRow, 'created_at' | 'updated_at'>, q: Queryable = db): Promise<SharedLinkRow> {
      const [row] = await q.query<SharedLinkRow>(
        `INSERT INTO shared_links (id, owner_id, type, album_id, key_hash, key_sealed, password_hash, description, expires_at, allow_download, allow_upload, show_metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
        [l.id, l.owner_id, l.type, l.album_id, l.key_hash, l.key_sealed, l.password_hash, l.description, l.expires_at, l.allow_download, l.allow_upload, l.show_metadata])
      return row
    },
    async byKeyHash (hash: Buffer): Promise<SharedLinkRow | undefined> {
      const [row] = await db.query<SharedLinkRow>('SELECT * FROM shared_links WHERE key_hash = $1', [hash])
      return row
    },
    async byId (ownerId: string, id: string): Promise<SharedLinkRow | undefined> {
      const [row] = await db.query<SharedLinkRow>('SELECT * FROM shared_links WHERE owner_id = $1 AND id = $2', [ownerId, id])
      return row
    },
    async list (ownerId: string, albumId?: string): Promise<SharedLinkRow[]> {
      return db.query<SharedLinkRow>(
        'SELECT * FROM shared_links WHERE owner_id = $1 AND ($2::uuid IS NULL OR album_id = $2) ORDER BY created_at DESC', [ownerId, albumId ?? null])
    },
    async update (ownerId: string, id: string, p: SharedLinkPatch): Promise<SharedLinkRow | undefined> {
      // Each nullable field: $n+1 says whether to set it, so null can clear it.
      const [row] = await db.query<SharedLinkRow>(
        `UPDATE shared_links SET
           description = CASE WHEN $3 THEN $4 ELSE description END,
           password_hash = CASE WHEN $5 THEN $6 ELSE password_hash END,
           expires_at = CASE WHEN $7 THEN $8::timestamptz ELSE expires_at END,
           allow_download = coalesce($9, allow_download), allow_upload = coalesce($10, allow_upload),
           show_metadata = coalesce($11, show_metadata), updated_at = now()
         WHERE owner_id = $1 AND id = $2 RETURNING *`,
        [ownerId, id, p.description !== undefined, p.description ?? null, p.passwordHash !== undefined, p.passwordHash ?? null,
          p.expiresAt !== undefined, p.expiresAt ?? null, p.allowDownload ?? null, p.allowUpload ?? null, p.showMetadata ?? null])
      return row
    },
    async remove (ownerId: string, id: string): Promise<boolean> {
      return (await db.query('DELETE FROM shared_links WHERE owner_id = $1 AND id = $2 RETURNING id', [ownerId, id])).length > 0
    },
  }
}

export type SharedLinkRepo = ReturnType<typeof createSharedLinkRepo>

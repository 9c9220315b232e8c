import type { Queryable } from '../db/index.ts'

export interface SharedLinkRow {
  id: string
  owner_id: string
  type: 'ALBUM'
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

export function createSharedLinkRepo (db: Queryable) {
  return {
    async insert (l: Omit<SharedLinkRow, 'created_at' | 'updated_at'>): Promise<SharedLinkRow> {
      const [row] = await db.query<SharedLinkRow>(
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

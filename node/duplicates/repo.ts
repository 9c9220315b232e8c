/**
 * Duplicates' SQL: perceptual hashes, the copies of an asset (same content hash, a near pHash, or
 * a CLIP embedding within Immich's distance), groups (`assets.duplicate_id`, Immich's shape) and
 * the pairs a user said are not duplicates. Everything is scoped to one owner.
 */
import type { Database, Queryable } from '../db/index.ts'
import type { AssetRow } from '../assets/repo.ts'
import type { ExifRow } from '../assets/exif.ts'
import { uuidv7 } from '../db/ids.ts'

export interface DuplicateCandidate { id: string, duplicateId: string | null, reason: 'checksum' | 'phash' | 'clip' }

export function createDuplicateRepo (db: Database) {
  return {
    async setHash (assetId: string, hash: bigint): Promise<boolean> {
      const rows = await db.query(
        `INSERT INTO asset_phash (asset_id, phash) SELECT id, $2::bigint FROM assets WHERE id = $1
         ON CONFLICT (asset_id) DO UPDATE SET phash = EXCLUDED.phash RETURNING asset_id`, [assetId, BigInt.asIntN(64, hash).toString()])
      return rows.length > 0
    },

    /**
     * The owner's other live assets that are copies of `assetId`: the same SHA-256, a pHash within
     * `maxHamming` bits, or (when both have embeddings of the same model: another model's distance
     * means nothing) a CLIP cosine distance within `maxClipDistance`. Pairs the user dismissed are
     * left out.
     */
    async candidates (assetId: string, { maxHamming, maxClipDistance }: { maxHamming: number, maxClipDistance: number }): Promise<DuplicateCandidate[]> {
      return db.transaction(async (tx) => {
        const [me] = await tx.query<{ owner_id: string }>('SELECT owner_id FROM assets WHERE id = $1 AND deleted_at IS NULL', [assetId])
        if (me === undefined) return []
        await tx.query('SET LOCAL hnsw.ef_search = 100')
        await tx.query('SET LOCAL hnsw.iterative_scan = relaxed_order')
        const rows = await tx.query<{ id: string, duplicate_id: string | null, reason: DuplicateCandidate['reason'] }>(
          `WITH me AS (SELECT a.id, a.owner_id, a.checksum_sha256, p.phash, s.embedding, s.model
                       FROM assets a LEFT JOIN asset_phash p ON p.asset_id = a.id LEFT JOIN smart_search s ON s.asset_id = a.id WHERE a.id = $1),
           found AS (
             SELECT o.id, 'checksum' AS reason FROM assets o, me WHERE o.owner_id = me.owner_id AND o.checksum_sha256 = me.checksum_sha256 AND o.id <> me.id AND o.deleted_at IS NULL
             UNION ALL
             SELECT o.id, 'phash' FROM asset_phash op JOIN assets o ON o.id = op.asset_id, me
             WHERE me.phash IS NOT NULL AND o.owner_id = me.owner_id AND o.id <> me.id AND o.deleted_at IS NULL
               AND bit_count((op.phash # me.phash)::bit(64)) <= $2
             UNION ALL
             SELECT n.id, 'clip' FROM me CROSS JOIN LATERAL (
               SELECT o.id, s.embedding <=> me.embedding AS d FROM smart_search s JOIN assets o ON o.id = s.asset_id
               WHERE me.embedding IS NOT NULL AND s.model = me.model AND o.owner_id = me.owner_id AND o.id <> me.id AND o.deleted_at IS NULL
               ORDER BY s.embedding <=> me.embedding LIMIT 20) n
             WHERE n.d <= $3
           )
           SELECT DISTINCT ON (f.id) f.id, a.duplicate_id, f.reason FROM found f JOIN assets a ON a.id = f.id
           WHERE NOT EXISTS (SELECT 1 FROM duplicate_dismissals x WHERE x.asset_a = LEAST(f.id, $1::uuid) AND x.asset_b = GREATEST(f.id, $1::uuid))
           ORDER BY f.id, CASE f.reason WHEN 'checksum' THEN 0 WHEN 'phash' THEN 1 ELSE 2 END`,
          [assetId, maxHamming, maxClipDistance])
        return rows.map((r) => ({ id: r.id, duplicateId: r.duplicate_id, reason: r.reason }))
      })
    },

    /**
     * Puts `assetId` and its copies in one group: an existing group's id when one of them has one
     * (several groups are merged into the first), else a new id. Returns the group id.
     */
    async group (assetId: string, copies: DuplicateCandidate[]): Promise<string | null> {
      if (copies.length === 0) return null
      return db.transaction(async (tx: Queryable) => {
        const [me] = await tx.query<{ duplicate_id: string | null }>('SELECT duplicate_id FROM assets WHERE id = $1 FOR UPDATE', [assetId])
        if (me === undefined) return null
        const existing = [...new Set([me.duplicate_id, ...copies.map((c) => c.duplicateId)].filter((x): x is string => x !== null))].sort()
        const groupId = existing[0] ?? uuidv7()
        const ids = [assetId, ...copies.map((c) => c.id)]
        await tx.query('UPDATE assets SET duplicate_id = $1 WHERE id = ANY($2::uuid[]) OR duplicate_id = ANY($3::uuid[])', [groupId, ids, existing])
        return groupId
      })
    },

    /** The owner's groups with at least two live assets. */
    async groups (ownerId: string, duplicateId?: string): Promise<Array<{ duplicateId: string, assets: Array<AssetRow & { exif: ExifRow | null }> }>> {
      const params: unknown[] = [ownerId]
      if (duplicateId !== undefined) params.push(duplicateId)
      const rows = await db.query<AssetRow & { exif: ExifRow | null }>(
        `SELECT a.*, CASE WHEN e.asset_id IS NULL THEN NULL ELSE to_jsonb(e) END AS exif FROM assets a LEFT JOIN asset_exif e ON e.asset_id = a.id
         WHERE a.owner_id = $1 AND a.duplicate_id IS NOT NULL AND a.deleted_at IS NULL AND a.visibility <> 'locked' ${duplicateId !== undefined ? 'AND a.duplicate_id = $2' : ''}
         ORDER BY a.duplicate_id, a.file_created_at, a.id`, params)
      const byGroup = new Map<string, Array<AssetRow & { exif: ExifRow | null }>>()
      for (const r of rows) {
        const g = (r as unknown as { duplicate_id: string }).duplicate_id
        byGroup.set(g, [...(byGroup.get(g) ?? []), r])
      }
      return [...byGroup].filter(([, a]) => a.length > 1).map(([id, assets]) => ({ duplicateId: id, assets }))
    },

    /** "Not duplicates": every pair in the group is remembered, and the group is dissolved. */
    async dismiss (ownerId: string, duplicateId: string): Promise<number> {
      return db.transaction(async (tx) => {
        const rows = await tx.query<{ id: string }>('SELECT id FROM assets WHERE owner_id = $1 AND duplicate_id = $2 FOR UPDATE', [ownerId, duplicateId])
        const ids = rows.map((r) => r.id).sort()
        const a: string[] = []; const b: string[] = []
        for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) { a.push(ids[i]!); b.push(ids[j]!) }
        if (a.length > 0) {
          await tx.query(`INSERT INTO duplicate_dismissals (asset_a, asset_b) SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`, [a, b])
        }
        await tx.query('UPDATE assets SET duplicate_id = NULL WHERE owner_id = $1 AND duplicate_id = $2', [ownerId, duplicateId])
        return ids.length
      })
    },

    /** Takes assets out of their group (the kept copy once a group is resolved, and the trashed ones). */
    async ungroup (ownerId: string, ids: string[]): Promise<void> {
      await db.query('UPDATE assets SET duplicate_id = NULL WHERE owner_id = $1 AND id = ANY($2::uuid[])', [ownerId, ids])
    },
  }
}

export type DuplicateRepo = ReturnType<typeof createDuplicateRepo>

/**
 * Smart search's SQL: one CLIP embedding per asset in `smart_search`, with the model that made it
 * (node/ml/embedding-models.ts), searched by cosine distance through the HNSW index among the
 * embeddings of one model only. Each query sets `hnsw.ef_search` (recall against speed, see
 * bench/ml/README.md) and pgvector's iterative scan, so a filter (one user's assets, a date range,
 * the model) still fills the page instead of cutting the index's first candidates down.
 */
import type { Database, Queryable } from '../../db/index.ts'

/** pgvector's text form. */
export const toVector = (v: ArrayLike<number>) => `[${Array.from(v, (x) => Number.isFinite(x) ? x : 0).join(',')}]`

/**
 * ef_search chosen with bench/ml/vectors.bench.ts on clustered 512-d vectors: at 1,000,000 on
 * PostgreSQL, 400 gives recall@10 0.98 at p95 37 ms (250: 0.955, 160: 0.91, 100: 0.83-0.88); at
 * 100,000, 100 already gives 1.0, and a higher value costs a few milliseconds.
 */
export const DEFAULT_EF_SEARCH = 400

export interface Neighbour { assetId: string, distance: number }

export function createSmartSearchRepo (db: Database) {
  return {
    /** Stores an asset's embedding and the model that made it (replacing an earlier one, of whatever model). */
    async upsert (assetId: string, embedding: ArrayLike<number>, model: string, q: Queryable = db): Promise<boolean> {
      // Only while the asset exists: a stage racing a delete writes nothing.
      const rows = await q.query(
        `INSERT INTO smart_search (asset_id, embedding, model) SELECT id, $2::vector, $3 FROM assets WHERE id = $1
         ON CONFLICT (asset_id) DO UPDATE SET embedding = EXCLUDED.embedding, model = EXCLUDED.model RETURNING asset_id`, [assetId, toVector(embedding), model])
      return rows.length > 0
    },

    async get (assetId: string): Promise<{ embedding: Float32Array, model: string } | undefined> {
      const [row] = await db.query<{ embedding: string, model: string }>('SELECT embedding::text AS embedding, model FROM smart_search WHERE asset_id = $1', [assetId])
      return row === undefined ? undefined : { embedding: Float32Array.from(JSON.parse(row.embedding) as number[]), model: row.model }
    },

    /**
     * The `limit` nearest of `ownerId`'s live assets embedded by `model` (the model `embedding` is
     * of), optionally only among `within` (asset ids already filtered by date, place...).
     * Distances are cosine distances (0 same, 2 opposite).
     */
    async nearest (ownerId: string, embedding: ArrayLike<number>, { model, limit, efSearch = DEFAULT_EF_SEARCH, within }: { model: string, limit: number, efSearch?: number, within?: string[] }): Promise<Neighbour[]> {
      return db.transaction(async (tx) => {
        await tx.query(`SET LOCAL hnsw.ef_search = ${Math.max(Math.floor(efSearch), Math.min(1000, limit))}`)
        await tx.query('SET LOCAL hnsw.iterative_scan = relaxed_order')
        const params: unknown[] = [toVector(embedding), ownerId, model]
        let filter = ''
        if (within !== undefined) { params.push(within); filter = 'AND a.id = ANY($4::uuid[])' }
        const rows = await tx.query<{ asset_id: string, distance: number }>(
          `SELECT s.asset_id, s.embedding <=> $1::vector AS distance
           FROM smart_search s JOIN assets a ON a.id = s.asset_id
           WHERE a.owner_id = $2 AND s.model = $3 AND a.deleted_at IS NULL ${filter}
           ORDER BY s.embedding <=> $1::vector LIMIT ${Math.floor(limit)}`, params)
        // relaxed_order may return rows slightly out of order: sort the page.
        return rows.map((r) => ({ assetId: r.asset_id, distance: Number(r.distance) })).sort((a, b) => a.distance - b.distance)
      })
    },

    async count (ownerId?: string): Promise<number> {
      const [row] = await db.query<{ n: number }>(ownerId === undefined
        ? 'SELECT count(*)::int AS n FROM smart_search'
        : 'SELECT count(*)::int AS n FROM smart_search s JOIN assets a ON a.id = s.asset_id WHERE a.owner_id = $1', ownerId === undefined ? [] : [ownerId])
      return row!.n
    },
  }
}

export type SmartSearchRepo = ReturnType<typeof createSmartSearchRepo>

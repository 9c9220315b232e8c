/** The ML pipeline's SQL: the assets a stage may run on, and which stage has run on which asset. */
import type { Queryable } from '../db/index.ts'

export interface MlAssetRow {
  id: string
  owner_id: string
  type: 'IMAGE' | 'VIDEO' | 'AUDIO' | 'OTHER'
  preview_path: string | null
  original_path: string
  width: number | null
  height: number | null
  deleted_at: Date | null
  ingest_status: string
}

export function createMlRepo (db: Queryable) {
  return {
    async asset (id: string): Promise<MlAssetRow | undefined> {
      const [row] = await db.query<MlAssetRow>(
        `SELECT id, owner_id, type, preview_path, original_path, width, height, deleted_at, ingest_status
         FROM assets WHERE id = $1`, [id])
      return row
    },

    /** The version of each stage that has run on an asset. */
    async doneFor (assetId: string): Promise<Map<string, number>> {
      const rows = await db.query<{ stage: string, version: number }>('SELECT stage, version FROM asset_ml_runs WHERE asset_id = $1', [assetId])
      return new Map(rows.map((r) => [r.stage, r.version]))
    },

    async markDone (assetId: string, stage: string, version: number): Promise<boolean> {
      const rows = await db.query(
        `INSERT INTO asset_ml_runs (asset_id, stage, version) SELECT id, $2, $3 FROM assets WHERE id = $1
         ON CONFLICT (asset_id, stage) DO UPDATE SET version = $3, done_at = now() RETURNING asset_id`,
        [assetId, stage, version])
      return rows.length > 0
    },

    /** Forgets that a stage ran on any asset (an admin forced a re-run). Returns how many records went. */
    async forgetStage (stage: string): Promise<number> {
      return (await db.query('DELETE FROM asset_ml_runs WHERE stage = $1 RETURNING asset_id', [stage])).length
    },

    /** Forgets that these stages ran on an asset (their prerequisite was redone). */
    async forget (assetId: string, stages: string[]) {
      if (stages.length > 0) await db.query('DELETE FROM asset_ml_runs WHERE asset_id = $1 AND stage = ANY($2::text[])', [assetId, stages])
    },

    /**
     * Assets ready for ML (a preview, not trashed) on which `stage` has not run at `version`, and
     * whose prerequisite stages have all run at their current versions. Ordered by id (UUIDv7:
     * oldest first), from `afterId` on, so a large backlog is read in pages.
     */
    async missing (stage: string, version: number, prerequisites: Array<{ stage: string, version: number }>, limit: number, afterId?: string): Promise<string[]> {
      const rows = await db.query<{ id: string }>(
        `SELECT a.id FROM assets a
         WHERE a.deleted_at IS NULL AND a.preview_path IS NOT NULL AND a.ingest_status = 'ready'
           AND ($4::uuid IS NULL OR a.id > $4::uuid)
           AND NOT EXISTS (SELECT 1 FROM asset_ml_runs r WHERE r.asset_id = a.id AND r.stage = $1 AND r.version = $2)
           AND (SELECT count(*) FROM asset_ml_runs r JOIN unnest($5::text[], $6::int[]) AS p(stage, version)
                  ON r.stage = p.stage AND r.version = p.version WHERE r.asset_id = a.id) = cardinality($5::text[])
         ORDER BY a.id LIMIT $3`,
        [stage, version, limit, afterId ?? null, prerequisites.map((p) => p.stage), prerequisites.map((p) => p.version)])
      return rows.map((r) => r.id)
    },

    /** How many face and CLIP embeddings each model made (a library part-way through a model change has several). */
    async embeddingModels (): Promise<{ faces: Record<string, number>, clip: Record<string, number> }> {
      const rows = await db.query<{ kind: 'faces' | 'clip', model: string, n: number }>(
        `SELECT 'faces' AS kind, model, count(*)::int AS n FROM face_search GROUP BY model
         UNION ALL SELECT 'clip', model, count(*)::int FROM smart_search GROUP BY model`)
      const out = { faces: {} as Record<string, number>, clip: {} as Record<string, number> }
      for (const r of rows) out[r.kind][r.model] = r.n
      return out
    },

    /** How many ready assets each stage has done at `version`, and how many are ready at all. */
    async progress (stages: Array<{ stage: string, version: number }>): Promise<{ total: number, done: Record<string, number> }> {
      const [{ total }] = await db.query<{ total: number }>(
        `SELECT count(*)::int AS total FROM assets WHERE deleted_at IS NULL AND preview_path IS NOT NULL AND ingest_status = 'ready'`)
      const rows = await db.query<{ stage: string, n: number }>(
        `SELECT r.stage, count(*)::int AS n FROM asset_ml_runs r JOIN unnest($1::text[], $2::int[]) AS s(stage, version)
           ON r.stage = s.stage AND r.version = s.version
         JOIN assets a ON a.id = r.asset_id AND a.deleted_at IS NULL
         GROUP BY r.stage`, [stages.map((s) => s.stage), stages.map((s) => s.version)])
      const done: Record<string, number> = {}
      for (const s of stages) done[s.stage] = 0
      for (const r of rows) done[r.stage] = r.n
      return { total, done }
    },
  }
}

export type MlRepo = ReturnType<typeof createMlRepo>

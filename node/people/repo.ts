/**
 * Faces and people SQL: `asset_faces` (boxes), `face_search` (embeddings, HNSW cosine) and
 * `people`. Every read that a user can reach is scoped by the owner of the face's asset.
 */
import type { Database, Queryable } from '../db/index.ts'
import { uuidv7 } from '../db/ids.ts'

export const toVector = (v: ArrayLike<number>) => `[${Array.from(v, (x) => Number.isFinite(x) ? x : 0).join(',')}]`

/** ef_search for face neighbours; with iterative scans a per-owner filter still fills the page. */
export const FACE_EF_SEARCH = 100

export interface FaceRow {
  id: string
  asset_id: string
  person_id: string | null
  image_width: number
  image_height: number
  bounding_box_x1: number
  bounding_box_y1: number
  bounding_box_x2: number
  bounding_box_y2: number
  score: number
  source_type: 'machine-learning' | 'exif' | 'manual'
  is_hidden: boolean
  deleted_at: Date | null
  owner_id: string
}

export interface PersonRow {
  id: string
  owner_id: string
  name: string
  birth_date: string | null
  is_hidden: boolean
  is_favorite: boolean
  face_asset_id: string | null
  thumbnail_path: string
  created_at: Date
  updated_at: Date
  /** Visible faces on live assets. */
  face_count: number
}

export interface NewFace {
  box: { x1: number, y1: number, x2: number, y2: number }
  score: number
  embedding: ArrayLike<number>
}

export interface Neighbour { faceId: string, personId: string | null, distance: number }

const faceSelect = `SELECT f.*, a.owner_id FROM asset_faces f JOIN assets a ON a.id = f.asset_id`

const personSelect = `
  SELECT p.*, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date,
    (SELECT count(*)::int FROM asset_faces f JOIN assets a ON a.id = f.asset_id
      WHERE f.person_id = p.id AND f.deleted_at IS NULL AND a.deleted_at IS NULL) AS face_count
  FROM people p`

function boxIou (a: NewFace['box'], r: FaceRow): number {
  const w = Math.min(a.x2, r.bounding_box_x2) - Math.max(a.x1, r.bounding_box_x1)
  const h = Math.min(a.y2, r.bounding_box_y2) - Math.max(a.y1, r.bounding_box_y1)
  if (w <= 0 || h <= 0) return 0
  const inter = w * h
  const areaA = (a.x2 - a.x1) * (a.y2 - a.y1)
  const areaB = (r.bounding_box_x2 - r.bounding_box_x1) * (r.bounding_box_y2 - r.bounding_box_y1)
  return inter / (areaA + areaB - inter)
}

export function createPeopleRepo (db: Database) {
  const repo = {
    /**
     * Stores what detection found on an asset, inside `tx` (the caller holds the owner's lock), so
     * a re-run is harmless: a new face that overlaps a stored machine-learning face (IoU >= 0.5)
     * updates it in place, keeping its id and its deleted mark, and its person when that person is
     * named (a name is the user's work); a face of an unnamed person is released, for clustering
     * to place again among faces of `model`. Stored machine-learning faces that nothing matches are
     * removed; the rest are inserted. Every embedding is stored with `model`, the model that made
     * it (node/ml/embedding-models.ts). People left without faces by this are deleted; their
     * thumbnails are returned (for the caller to remove). Undefined when the asset no longer exists.
     */
    async replaceAssetFaces (assetId: string, image: { width: number, height: number }, faces: NewFace[], model: string, tx: Queryable): Promise<{ thumbnails: string[] } | undefined> {
      const [asset] = await tx.query('SELECT id FROM assets WHERE id = $1 FOR UPDATE', [assetId])
      if (asset === undefined) return undefined
      const existing = await tx.query<FaceRow>(`${faceSelect} WHERE f.asset_id = $1 AND f.source_type = 'machine-learning'`, [assetId])
      const touched = new Set(existing.map((r) => r.person_id).filter((p): p is string => p !== null))
      const used = new Set<string>()
      for (const face of faces) {
        const box = { x1: Math.round(face.box.x1), y1: Math.round(face.box.y1), x2: Math.round(face.box.x2), y2: Math.round(face.box.y2) }
        let match: FaceRow | undefined
        let best = 0.5
        for (const r of existing) {
          if (used.has(r.id)) continue
          const o = boxIou(box, r)
          if (o >= best) { best = o; match = r }
        }
        const id = match?.id ?? uuidv7()
        if (match !== undefined) {
          used.add(match.id)
          await tx.query(
            `UPDATE asset_faces f SET image_width = $2, image_height = $3, bounding_box_x1 = $4, bounding_box_y1 = $5,
               bounding_box_x2 = $6, bounding_box_y2 = $7, score = $8, updated_at = now(),
               person_id = CASE WHEN EXISTS (SELECT 1 FROM people p WHERE p.id = f.person_id AND p.name <> '') THEN f.person_id END
             WHERE f.id = $1`,
            [id, image.width, image.height, box.x1, box.y1, box.x2, box.y2, face.score])
        } else {
          await tx.query(
            `INSERT INTO asset_faces (id, asset_id, image_width, image_height, bounding_box_x1, bounding_box_y1, bounding_box_x2, bounding_box_y2, score)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [id, assetId, image.width, image.height, box.x1, box.y1, box.x2, box.y2, face.score])
        }
        await tx.query(
          `INSERT INTO face_search (face_id, embedding, model) VALUES ($1, $2::vector, $3)
           ON CONFLICT (face_id) DO UPDATE SET embedding = EXCLUDED.embedding, model = EXCLUDED.model`, [id, toVector(face.embedding), model])
      }
      const stale = existing.filter((r) => !used.has(r.id)).map((r) => r.id)
      if (stale.length > 0) await tx.query('DELETE FROM asset_faces WHERE id = ANY($1::uuid[])', [stale])
      return { thumbnails: await repo.deleteIfEmpty([...touched], tx) }
    },

    /** An asset's faces (not deleted), in reading order. */
    async facesOfAsset (assetId: string, q: Queryable = db): Promise<FaceRow[]> {
      return q.query<FaceRow>(`${faceSelect} WHERE f.asset_id = $1 AND f.deleted_at IS NULL ORDER BY f.bounding_box_x1, f.id`, [assetId])
    },

    async face (id: string): Promise<FaceRow | undefined> {
      const [row] = await db.query<FaceRow>(`${faceSelect} WHERE f.id = $1 AND f.deleted_at IS NULL`, [id])
      return row
    },

    /** A face's embedding and the model that made it. */
    async embedding (faceId: string, q: Queryable = db): Promise<{ vector: Float32Array, model: string } | undefined> {
      const [row] = await q.query<{ embedding: string, model: string }>('SELECT embedding::text AS embedding, model FROM face_search WHERE face_id = $1', [faceId])
      return row === undefined ? undefined : { vector: Float32Array.from(JSON.parse(row.embedding) as number[]), model: row.model }
    },

    /**
     * `ownerId`'s faces of `model` nearest to `embedding` within `maxDistance` (cosine), nearest
     * first, through the HNSW index (iterative scan, so the owner and model filters still fill the
     * page). Faces of other models are never neighbours: their distances mean nothing.
     */
    async nearest (ownerId: string, embedding: ArrayLike<number>, { model, maxDistance, limit, excludeFaceId }: { model: string, maxDistance: number, limit: number, excludeFaceId?: string }, q?: Queryable): Promise<Neighbour[]> {
      const run = async (tx: Queryable) => {
        await tx.query(`SET LOCAL hnsw.ef_search = ${Math.max(FACE_EF_SEARCH, Math.min(1000, Math.floor(limit)))}`)
        await tx.query('SET LOCAL hnsw.iterative_scan = relaxed_order')
        const rows = await tx.query<{ face_id: string, person_id: string | null, distance: number }>(
          `SELECT * FROM (
             SELECT fs.face_id, f.person_id, fs.embedding <=> $1::vector AS distance
             FROM face_search fs JOIN asset_faces f ON f.id = fs.face_id JOIN assets a ON a.id = f.asset_id
             WHERE a.owner_id = $2 AND a.deleted_at IS NULL AND f.deleted_at IS NULL AND f.id <> $3::uuid AND fs.model = $5
             ORDER BY fs.embedding <=> $1::vector LIMIT ${Math.floor(limit)}
           ) n WHERE n.distance <= $4`,
          [toVector(embedding), ownerId, excludeFaceId ?? '00000000-0000-0000-0000-000000000000', maxDistance, model])
        return rows.map((r) => ({ faceId: r.face_id, personId: r.person_id, distance: Number(r.distance) })).sort((a, b) => a.distance - b.distance)
      }
      return q === undefined ? db.transaction(run) : run(q)
    },

    /** Faces on `assetId` with no person yet (not deleted). */
    async unassignedOfAsset (assetId: string, q: Queryable = db): Promise<FaceRow[]> {
      return q.query<FaceRow>(`${faceSelect} WHERE f.asset_id = $1 AND f.person_id IS NULL AND f.deleted_at IS NULL ORDER BY f.id`, [assetId])
    },

    /** Every unassigned face of an owner with an embedding of `model` (for a full re-cluster), oldest first. */
    async unassignedOfOwner (ownerId: string, model: string, q: Queryable = db): Promise<FaceRow[]> {
      return q.query<FaceRow>(
        `${faceSelect} JOIN face_search fs ON fs.face_id = f.id
         WHERE a.owner_id = $1 AND a.deleted_at IS NULL AND f.person_id IS NULL AND f.deleted_at IS NULL AND fs.model = $2 ORDER BY f.id`, [ownerId, model])
    },

    async hasFacesOf (ownerId: string, model: string, q: Queryable = db): Promise<boolean> {
      const rows = await q.query(
        `SELECT 1 FROM face_search fs JOIN asset_faces f ON f.id = fs.face_id JOIN assets a ON a.id = f.asset_id
         WHERE fs.model = $2 AND a.owner_id = $1 LIMIT 1`, [ownerId, model])
      return rows.length > 0
    },

    /** The model most of the owner's faces were embedded with, if they have any. */
    async mainFaceModel (ownerId: string, q: Queryable = db): Promise<string | undefined> {
      const [row] = await q.query<{ model: string }>(
        `SELECT fs.model FROM asset_faces f JOIN assets a ON a.id = f.asset_id JOIN face_search fs ON fs.face_id = f.id
         WHERE a.owner_id = $1 GROUP BY fs.model ORDER BY count(*) DESC, fs.model LIMIT 1`, [ownerId])
      return row?.model
    },

    async owners (): Promise<string[]> {
      const rows = await db.query<{ owner_id: string }>('SELECT DISTINCT a.owner_id FROM asset_faces f JOIN assets a ON a.id = f.asset_id')
      return rows.map((r) => r.owner_id)
    },

    async createPerson (ownerId: string, featureFaceId: string | null, q: Queryable = db): Promise<string> {
      const id = uuidv7()
      await q.query('INSERT INTO people (id, owner_id, face_asset_id) VALUES ($1, $2, $3)', [id, ownerId, featureFaceId])
      return id
    },

    /** Gives faces to a person; only faces on the person's owner's assets move. */
    async assignFaces (faceIds: string[], personId: string | null, q: Queryable = db): Promise<number> {
      if (faceIds.length === 0) return 0
      const rows = await q.query(
        `UPDATE asset_faces f SET person_id = $2, updated_at = now() FROM assets a
         WHERE f.id = ANY($1::uuid[]) AND a.id = f.asset_id
           AND ($2::uuid IS NULL OR a.owner_id = (SELECT owner_id FROM people WHERE id = $2))
         RETURNING f.id`, [faceIds, personId])
      return rows.length
    },

    async person (id: string, q: Queryable = db): Promise<PersonRow | undefined> {
      const [row] = await q.query<PersonRow>(`${personSelect} WHERE p.id = $1`, [id])
      return row
    },

    /** An owner's people with at least one visible face, Immich's order: named first, then by face count. */
    async list (ownerId: string, { withHidden, page, size }: { withHidden: boolean, page: number, size: number }): Promise<{ rows: PersonRow[], total: number, hidden: number }> {
      const all = await db.query<PersonRow>(
        `${personSelect} WHERE p.owner_id = $1`, [ownerId])
      const live = all.filter((p) => p.face_count > 0)
      const hidden = live.filter((p) => p.is_hidden).length
      const shown = live.filter((p) => withHidden || !p.is_hidden)
        .sort((a, b) => Number(a.is_hidden) - Number(b.is_hidden) || Number(b.is_favorite) - Number(a.is_favorite) ||
          Number(b.name !== '') - Number(a.name !== '') || b.face_count - a.face_count || a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      return { rows: shown.slice((page - 1) * size, page * size + 1), total: live.length, hidden }
    },

    async update (id: string, patch: { name?: string, birthDate?: string | null, isHidden?: boolean, isFavorite?: boolean, faceAssetId?: string }, q: Queryable = db): Promise<void> {
      await q.query(
        `UPDATE people SET name = coalesce($2, name),
           birth_date = CASE WHEN $3::boolean THEN $4::date ELSE birth_date END,
           is_hidden = coalesce($5, is_hidden), is_favorite = coalesce($6, is_favorite),
           face_asset_id = coalesce($7, face_asset_id),
           thumbnail_path = CASE WHEN $7::uuid IS NULL THEN thumbnail_path ELSE '' END,
           updated_at = now()
         WHERE id = $1`,
        [id, patch.name ?? null, patch.birthDate !== undefined, patch.birthDate ?? null, patch.isHidden ?? null, patch.isFavorite ?? null, patch.faceAssetId ?? null])
    },

    async setThumbnail (id: string, path: string): Promise<void> {
      await db.query('UPDATE people SET thumbnail_path = $2 WHERE id = $1', [id, path])
    },

    /** Moves every face of `from` people to `into` and deletes them (all of the same owner). */
    async merge (into: string, from: string[], q: Queryable): Promise<void> {
      await q.query(`UPDATE asset_faces SET person_id = $1, updated_at = now() WHERE person_id = ANY($2::uuid[])`, [into, from])
      await q.query('DELETE FROM people WHERE id = ANY($1::uuid[])', [from])
      await q.query('UPDATE people SET updated_at = now() WHERE id = $1', [into])
    },

    /** Deletes those of `ids` that no face points at any more (after their faces were released or removed). Returns their thumbnails. */
    async deleteIfEmpty (ids: string[], q: Queryable = db): Promise<string[]> {
      if (ids.length === 0) return []
      const rows = await q.query<{ thumbnail_path: string }>(
        `DELETE FROM people p WHERE p.id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM asset_faces f WHERE f.person_id = p.id)
         RETURNING thumbnail_path`, [ids])
      return rows.map((r) => r.thumbnail_path).filter((p) => p !== '')
    },

    /** Deletes an owner's people that no face points at any more (after a split, merge or re-cluster). */
    async deleteEmpty (ownerId: string, q: Queryable = db): Promise<string[]> {
      const rows = await q.query<{ id: string, thumbnail_path: string }>(
        `DELETE FROM people p WHERE p.owner_id = $1 AND NOT EXISTS (SELECT 1 FROM asset_faces f WHERE f.person_id = p.id)
         RETURNING id, thumbnail_path`, [ownerId])
      return rows.map((r) => r.thumbnail_path).filter((p) => p !== '')
    },

    /** The best face for a person's thumbnail: the highest score on a live asset. */
    async bestFace (personId: string, q: Queryable = db): Promise<FaceRow | undefined> {
      const [row] = await q.query<FaceRow>(
        `${faceSelect} WHERE f.person_id = $1 AND f.deleted_at IS NULL AND a.deleted_at IS NULL AND a.visibility <> 'locked'
         ORDER BY f.score DESC, (f.bounding_box_x2 - f.bounding_box_x1) DESC LIMIT 1`, [personId])
      return row
    },

    async faceOnAsset (personId: string, assetId: string): Promise<FaceRow | undefined> {
      const [row] = await db.query<FaceRow>(`${faceSelect} WHERE f.person_id = $1 AND f.asset_id = $2 AND f.deleted_at IS NULL ORDER BY f.score DESC LIMIT 1`, [personId, assetId])
      return row
    },

    async assetCount (personId: string): Promise<number> {
      const [row] = await db.query<{ n: number }>(
        `SELECT count(DISTINCT f.asset_id)::int AS n FROM asset_faces f JOIN assets a ON a.id = f.asset_id
         WHERE f.person_id = $1 AND f.deleted_at IS NULL AND a.deleted_at IS NULL AND a.visibility IN ('timeline', 'archive')`, [personId])
      return row!.n
    },

    async markFaceDeleted (faceId: string): Promise<void> {
      await db.query('UPDATE asset_faces SET deleted_at = now(), person_id = NULL, updated_at = now() WHERE id = $1', [faceId])
    },

    /** An asset's faces that have a person, with the person (for the asset response): two indexed queries. */
    async facesWithPeopleOfAsset (assetId: string): Promise<Array<{ face: FaceRow, person: PersonRow }>> {
      const faces = (await repo.facesOfAsset(assetId)).filter((f) => f.person_id !== null)
      if (faces.length === 0) return []
      const people = await db.query<PersonRow>(
        `SELECT p.*, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date, 0 AS face_count FROM people p WHERE p.id = ANY($1::uuid[])`,
        [[...new Set(faces.map((f) => f.person_id!))]])
      const byId = new Map(people.map((p) => [p.id, p]))
      return faces.filter((f) => byId.has(f.person_id!)).map((face) => ({ face, person: byId.get(face.person_id!)! }))
    },

    /**
     * Releases the machine-learning faces of an owner's unnamed people whose embeddings are of
     * `model` (the start of a re-cluster). Faces of other models keep their person: they cannot be
     * compared with the faces being clustered.
     */
    async unassignAllUnnamed (ownerId: string, model: string, q: Queryable): Promise<number> {
      const rows = await q.query(
        `UPDATE asset_faces f SET person_id = NULL, updated_at = now() FROM people p, face_search fs
         WHERE p.id = f.person_id AND p.owner_id = $1 AND p.name = '' AND f.source_type = 'machine-learning'
           AND fs.face_id = f.id AND fs.model = $2 RETURNING f.id`, [ownerId, model])
      return rows.length
    },
  }
  return repo
}

export type PeopleRepo = ReturnType<typeof createPeopleRepo>

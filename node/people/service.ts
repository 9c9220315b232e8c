/**
 * People: faces grouped into people, incrementally, and what a user does with them (name, hide,
 * merge, split, choose the feature face).
 *
 * Clustering (per owner; faces of different users never mix): a face with no person looks at
 * its owner's nearest faces of the same embedding model (face_search.model: another model's
 * distances mean nothing) within `maxDistance` (cosine, through the HNSW index).
 * - If any of them has a person, the face joins the person of the nearest such face.
 * - Otherwise, when it and its unassigned neighbours number at least `minFaces`, they form a new
 *   person together; else the face waits, and a later similar face brings it in.
 * This is Immich's rule (maxDistance 0.5, minFaces 3) except that a new person takes the waiting
 * neighbours at once instead of on a deferred second pass. Recognition runs on one queue worker
 * and each decision is one transaction under a per-owner advisory lock, so two runs never create
 * two people for one group.
 *
 * Faces of another model than the one detection uses now (a library part-way through a re-run
 * after the model changed) keep their person, but are never neighbours of the new model's faces;
 * a full re-cluster works on the faces of the model in use (`faceModel`) only.
 *
 * @example
 * const people = createPeopleService({ db, dataDir, cropFace })
 * await people.recognizeAsset(assetId)           // after detection stored the asset's faces
 * await people.merge(userId, keepId, [otherId])
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Database, Queryable } from '../db/index.ts'
import { BadRequestError, NotFoundError } from '../http/errors.ts'
import { createPeopleRepo, type FaceRow, type NewFace, type PersonRow } from './repo.ts'

export interface ClusterOptions {
  /** Cosine distance within which a face is the same person (Immich's default 0.5). */
  maxDistance: number
  /** Faces needed to start a new person (Immich's default 3). */
  minFaces: number
}

export const defaultClusterOptions: ClusterOptions = { maxDistance: 0.5, minFaces: 3 }

/** Makes a JPEG of a square region of an image (the face crop adapter; sharp lives there). */
export type CropFace = (imagePath: string, region: { left: number, top: number, width: number, height: number }, size: number) => Promise<Buffer>

export function createPeopleService ({ db, dataDir, cropFace, cluster = defaultClusterOptions, faceModel = async () => undefined }: {
  db: Database, dataDir: string, cropFace: CropFace, cluster?: ClusterOptions
  /** The model face detection embeds with now (node/ml/embedding-models.ts); undefined when none can run. */
  faceModel?: () => Promise<string | undefined>
}) {
  const repo = createPeopleRepo(db)

  const lockOwner = (tx: Queryable, ownerId: string) => tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`people:${ownerId}`])

  /** One face through the clustering rule, inside `tx` (holding the owner's lock). Returns the person it joined, if any. */
  async function recognizeFace (tx: Queryable, face: FaceRow): Promise<string | null> {
    const [current] = await tx.query<{ person_id: string | null }>('SELECT person_id FROM asset_faces WHERE id = $1', [face.id])
    if (current === undefined || current.person_id !== null) return current?.person_id ?? null
    const embedding = await repo.embedding(face.id, tx)
    if (embedding === undefined) return null
    const neighbours = await repo.nearest(face.owner_id, embedding.vector, { model: embedding.model, maxDistance: cluster.maxDistance, limit: 64, excludeFaceId: face.id }, tx)
    const withPerson = neighbours.find((n) => n.personId !== null)
    if (withPerson !== undefined) {
      await repo.assignFaces([face.id], withPerson.personId, tx)
      return withPerson.personId
    }
    if (neighbours.length + 1 < cluster.minFaces) return null
    const personId = await repo.createPerson(face.owner_id, face.id, tx)
    await repo.assignFaces([face.id, ...neighbours.map((n) => n.faceId)], personId, tx)
    return personId
  }

  async function ownedPerson (userId: string, id: string, q: Queryable = db): Promise<PersonRow> {
    const p = await repo.person(id, q)
    if (p === undefined || p.owner_id !== userId) throw new NotFoundError('Person')
    return p
  }

  async function ownedFace (userId: string, id: string): Promise<FaceRow> {
    const f = await repo.face(id)
    if (f === undefined || f.owner_id !== userId) throw new NotFoundError('Face')
    return f
  }

  async function removeFiles (paths: string[]) {
    for (const p of paths) await rm(resolve(dataDir, p), { force: true })
  }

  /**
   * The model a re-cluster of `owner` works on: the one detection uses now, unless they have no
   * faces of it yet (detection has not reached them since it changed); then the one most of their
   * faces have.
   */
  async function clusterModel (owner: string): Promise<string | undefined> {
    const now = await faceModel()
    if (now !== undefined && await repo.hasFacesOf(owner, now)) return now
    return repo.mainFaceModel(owner)
  }

  /** Releases `owner`'s unnamed people's faces of `model` and deletes the people left empty. */
  async function releaseUnnamed (owner: string, model: string): Promise<number> {
    const { released, thumbs } = await db.transaction(async (tx) => {
      await lockOwner(tx, owner)
      const released = await repo.unassignAllUnnamed(owner, model, tx)
      return { released, thumbs: await repo.deleteEmpty(owner, tx) }
    })
    await removeFiles(thumbs)
    return released
  }

  const service = {
    repo,
    cluster,

    /**
     * Stores what detection found on an asset (people/repo.ts `replaceAssetFaces`), embedded by
     * `model`, under the owner's clustering lock (a face may leave its unnamed person). False when
     * the asset is gone.
     */
    async storeFaces (assetId: string, image: { width: number, height: number }, faces: NewFace[], model: string): Promise<boolean> {
      const stored = await db.transaction(async (tx) => {
        const [asset] = await tx.query<{ owner_id: string }>('SELECT owner_id FROM assets WHERE id = $1', [assetId])
        if (asset === undefined) return undefined
        await lockOwner(tx, asset.owner_id)
        return repo.replaceAssetFaces(assetId, image, faces, model, tx)
      })
      if (stored === undefined) return false
      await removeFiles(stored.thumbnails)
      return true
    },

    /**
     * Immich's facial recognition "reset" (PUT /api/jobs/facialRecognition with force): every
     * owner's unnamed people release their faces of the model in use, and the people left empty
     * are deleted; named people keep theirs. The facialRecognition backlog then clusters the
     * released faces again. Returns how many faces were released.
     */
    async resetRecognition (): Promise<number> {
      let released = 0
      for (const owner of await repo.owners()) {
        const model = await clusterModel(owner)
        if (model !== undefined) released += await releaseUnnamed(owner, model)
      }
      return released
    },

    /** Clusters an asset's faces that have no person yet. Returns how many joined or formed a person. */
    async recognizeAsset (assetId: string): Promise<number> {
      const faces = await repo.unassignedOfAsset(assetId)
      let assigned = 0
      for (const face of faces) {
        const person = await db.transaction(async (tx) => {
          await lockOwner(tx, face.owner_id)
          return recognizeFace(tx, face)
        })
        if (person !== null) assigned++
      }
      return assigned
    },

    /**
     * A full re-cluster of one owner (or everyone), on the faces of the model detection uses now:
     * those of unnamed people are released, the people left empty deleted, then every unassigned
     * face of that model goes through the rule again, oldest first, twice (the second pass picks up
     * faces that waited for a group formed later in the first). Named people keep their faces: a
     * name is the user's work. Faces of other models are left as they are.
     */
    async recluster (ownerId?: string): Promise<{ people: number, assigned: number }> {
      const owners = ownerId === undefined ? await repo.owners() : [ownerId]
      let assigned = 0
      for (const owner of owners) {
        const model = await clusterModel(owner)
        if (model === undefined) continue
        await releaseUnnamed(owner, model)
        for (let pass = 0; pass < 2; pass++) {
          for (const face of await repo.unassignedOfOwner(owner, model)) {
            const person = await db.transaction(async (tx) => { await lockOwner(tx, owner); return recognizeFace(tx, face) })
            if (person !== null) assigned++
          }
        }
      }
      const [row] = await db.query<{ n: number }>(ownerId === undefined ? 'SELECT count(*)::int AS n FROM people' : 'SELECT count(*)::int AS n FROM people WHERE owner_id = $1', ownerId === undefined ? [] : [ownerId])
      return { people: row!.n, assigned }
    },

    async list (userId: string, o: { withHidden: boolean, page: number, size: number }) {
      return repo.list(userId, o)
    },

    get: ownedPerson,
    face: ownedFace,

    async create (userId: string, o: { name?: string, birthDate?: string | null, isHidden?: boolean }): Promise<PersonRow> {
      const id = await repo.createPerson(userId, null)
      await repo.update(id, { name: o.name, birthDate: o.birthDate, isHidden: o.isHidden })
      return ownedPerson(userId, id)
    },

    /** The faces on one of the caller's assets, each with its person. */
    async facesOfAsset (userId: string, assetId: string): Promise<Array<{ face: FaceRow, person: PersonRow | undefined }>> {
      const [asset] = await db.query<{ owner_id: string }>('SELECT owner_id FROM assets WHERE id = $1', [assetId])
      if (asset === undefined || asset.owner_id !== userId) throw new NotFoundError('Asset')
      const faces = await repo.facesOfAsset(assetId)
      const people = new Map<string, PersonRow | undefined>()
      for (const f of faces) if (f.person_id !== null && !people.has(f.person_id)) people.set(f.person_id, await repo.person(f.person_id))
      return faces.map((face) => ({ face, person: face.person_id === null ? undefined : people.get(face.person_id) }))
    },

    async update (userId: string, id: string, patch: { name?: string, birthDate?: string | null, isHidden?: boolean, isFavorite?: boolean, featureFaceAssetId?: string }): Promise<PersonRow> {
      await ownedPerson(userId, id)
      let faceId: string | undefined
      if (patch.featureFaceAssetId !== undefined) {
        // Immich's featureFaceAssetId names an asset: the person's face on it becomes the feature face.
        const face = await repo.faceOnAsset(id, patch.featureFaceAssetId)
        if (face === undefined) throw new BadRequestError('featureFaceAssetId: this person has no face on that asset')
        faceId = face.id
      }
      if (patch.birthDate !== undefined && patch.birthDate !== null && new Date(patch.birthDate) > new Date()) {
        throw new BadRequestError('birthDate: cannot be in the future')
      }
      await repo.update(id, { name: patch.name, birthDate: patch.birthDate, isHidden: patch.isHidden, isFavorite: patch.isFavorite, faceAssetId: faceId })
      return ownedPerson(userId, id)
    },

    /** Merges `ids` into `id` (all the caller's); Immich's BulkIdResponseDto per id. */
    async merge (userId: string, id: string, ids: string[]): Promise<Array<{ id: string, success: boolean, error?: string }>> {
      await ownedPerson(userId, id)
      const results: Array<{ id: string, success: boolean, error?: string }> = []
      const ok: string[] = []
      for (const other of ids) {
        if (other === id) { results.push({ id: other, success: false, error: 'duplicate' }); continue }
        const p = await repo.person(other)
        if (p === undefined || p.owner_id !== userId) { results.push({ id: other, success: false, error: 'not_found' }); continue }
        ok.push(other)
        results.push({ id: other, success: true })
      }
      const thumbs: string[] = []
      if (ok.length > 0) {
        await db.transaction(async (tx) => {
          await lockOwner(tx, userId)
          const gone = await tx.query<{ thumbnail_path: string }>('SELECT thumbnail_path FROM people WHERE id = ANY($1::uuid[])', [ok])
          thumbs.push(...gone.map((g) => g.thumbnail_path).filter((t) => t !== ''))
          await repo.merge(id, ok, tx)
        })
      }
      await removeFiles(thumbs)
      return results
    },

    /**
     * Reassigns a face to another of the caller's people (Immich's PUT /faces/:id: a split when
     * the face was wrongly grouped). A person left without faces is deleted.
     */
    async reassignFace (userId: string, faceId: string, personId: string): Promise<PersonRow> {
      const face = await ownedFace(userId, faceId)
      await ownedPerson(userId, personId)
      const thumbs = await db.transaction(async (tx) => {
        await lockOwner(tx, userId)
        await repo.assignFaces([face.id], personId, tx)
        return repo.deleteEmpty(userId, tx)
      })
      await removeFiles(thumbs)
      return ownedPerson(userId, personId)
    },

    /** A new person from one face (a split into someone not yet known). */
    async splitFace (userId: string, faceId: string): Promise<PersonRow> {
      const face = await ownedFace(userId, faceId)
      const id = await db.transaction(async (tx) => {
        await lockOwner(tx, userId)
        const pid = await repo.createPerson(userId, face.id, tx)
        await repo.assignFaces([face.id], pid, tx)
        await repo.deleteEmpty(userId, tx)
        return pid
      })
      return ownedPerson(userId, id)
    },

    /** Deletes a face (kept as deleted, so detection does not bring it back). */
    async deleteFace (userId: string, faceId: string): Promise<void> {
      await ownedFace(userId, faceId)
      await repo.markFaceDeleted(faceId)
      await removeFiles(await repo.deleteEmpty(userId))
    },

    /** Number of the person's assets (Immich's PersonStatisticsResponseDto). */
    async statistics (userId: string, id: string): Promise<{ assets: number }> {
      await ownedPerson(userId, id)
      return { assets: await repo.assetCount(id) }
    },

    /**
     * The person's thumbnail (a face crop from the preview), made on first request and after the
     * feature face changes. Returns its absolute path.
     */
    async thumbnail (userId: string, id: string): Promise<string> {
      const p = await ownedPerson(userId, id)
      if (p.thumbnail_path !== '') return resolve(dataDir, p.thumbnail_path)
      let face = p.face_asset_id === null ? undefined : await repo.face(p.face_asset_id)
      if (face === undefined || face.person_id !== p.id) face = await repo.bestFace(p.id)
      if (face === undefined) throw new NotFoundError('Person thumbnail')
      const [asset] = await db.query<{ preview_path: string | null }>('SELECT preview_path FROM assets WHERE id = $1', [face.asset_id])
      if (asset?.preview_path == null) throw new NotFoundError('Person thumbnail')
      const jpeg = await cropFace(resolve(dataDir, asset.preview_path), faceRegion(face), 250)
      const rel = join('thumbs', p.owner_id, 'people', `${p.id}.jpeg`)
      const abs = resolve(dataDir, rel)
      await mkdir(dirname(abs), { recursive: true })
      const tmp = `${abs}.${process.pid}.partial`
      await writeFile(tmp, jpeg)
      await rename(tmp, abs)
      await repo.setThumbnail(p.id, rel)
      if (p.face_asset_id !== face.id) await db.query('UPDATE people SET face_asset_id = $2 WHERE id = $1', [p.id, face.id])
      return abs
    },
  }
  return service
}

/** The square around a face with some margin (as Immich crops person thumbnails), in the face's image pixels. */
export function faceRegion (f: Pick<FaceRow, 'bounding_box_x1' | 'bounding_box_y1' | 'bounding_box_x2' | 'bounding_box_y2'>) {
  const w = f.bounding_box_x2 - f.bounding_box_x1
  const h = f.bounding_box_y2 - f.bounding_box_y1
  const side = Math.max(w, h) * 1.6
  const cx = (f.bounding_box_x1 + f.bounding_box_x2) / 2
  const cy = (f.bounding_box_y1 + f.bounding_box_y2) / 2
  return { left: cx - side / 2, top: cy - side / 2, width: side, height: side }
}

export type PeopleService = ReturnType<typeof createPeopleService>

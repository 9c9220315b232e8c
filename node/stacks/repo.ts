/**
 * Stacks (Immich's): several of one owner's photos shown as one in the timeline, under a cover
 * (the primary asset). A photo is in one stack at most; a stack has two photos or more.
 *
 * What the timeline shows of a stack is worked out when it is read (stackCoverSql), not stored:
 * the cover if it is in that view (not trashed, same visibility), else the newest member that is.
 * So trashing, archiving or restoring a member needs no bookkeeping here.
 *
 * @example
 * const stacks = createStackRepo(db)
 * const id = await db.transaction((tx) => stacks.create(ownerId, [cover, other], tx))
 */
import type { Queryable } from '../db/index.ts'
import { uuidv7 } from '../db/ids.ts'
import { rawMimeTypes } from '../assets/media-types.ts'

export interface StackRow { id: string, owner_id: string, primary_asset_id: string, created_at: Date, updated_at: Date }

/** Immich's AssetStackResponseDto, as an asset carries it. */
export interface StackSummary { id: string, primaryAssetId: string, assetCount: number }

/** Members of stack `stack` (SQL) in the same view as asset `a`: not trashed, same visibility. */
const membersInViewSql = (a: string, stack: string) => `m.stack_id = ${stack} AND m.deleted_at IS NULL AND m.visibility = ${a}.visibility`

/**
 * SQL true when timeline asset `a` stands for its stack in its view (or is in none): the cover, or
 * when the cover is not in that view, the newest member that is.
 */
export const stackCoverSql = (a = 'a') => `(${a}.stack_id IS NULL OR ${a}.id = (
  SELECT m.id FROM assets m JOIN stacks s ON s.id = m.stack_id
  WHERE ${membersInViewSql(a, `${a}.stack_id`)}
  ORDER BY (m.id = s.primary_asset_id) DESC, m.local_date_time DESC, m.id LIMIT 1))`

/** SQL: how many of asset `a`'s stack are in its view (null when it is in no stack). */
export const stackCountSql = (a = 'a') =>
  `CASE WHEN ${a}.stack_id IS NULL THEN NULL ELSE (SELECT count(*) FROM assets m WHERE ${membersInViewSql(a, `${a}.stack_id`)})::int END`

/** SQL: asset `a`'s path without its extension, lower-cased: a RAW and its JPEG share it (indexed, migration 0022). */
const stemSql = (a: string) => `lower(regexp_replace(${a}.original_path, '\\.[^./]*$', ''))`

export function createStackRepo (db: Queryable) {
  /** Stacks left with fewer than two photos end (their last photo stands alone). */
  const dissolveSmall = async (stackIds: string[], q: Queryable) => {
    if (stackIds.length === 0) return
    await q.query('DELETE FROM stacks s WHERE s.id = ANY($1::uuid[]) AND (SELECT count(*) FROM assets m WHERE m.stack_id = s.id) < 2', [stackIds])
  }
  const repo = {
    /**
     * A new stack of `assetIds` (the owner's, checked by the caller), the first its cover. Photos
     * already in other stacks bring those stacks' photos along: the stacks merge, as in Immich.
     */
    async create (ownerId: string, assetIds: string[], q: Queryable = db): Promise<string> {
      const old = await q.query<{ stack_id: string }>('SELECT DISTINCT stack_id FROM assets WHERE id = ANY($1::uuid[]) AND stack_id IS NOT NULL', [assetIds])
      const oldIds = old.map((r) => r.stack_id)
      const id = uuidv7()
      await q.query('INSERT INTO stacks (id, owner_id, primary_asset_id) VALUES ($1, $2, $3)', [id, ownerId, assetIds[0]])
      await q.query('UPDATE assets SET stack_id = $1, updated_at = now() WHERE owner_id = $2 AND (id = ANY($3::uuid[]) OR stack_id = ANY($4::uuid[]))', [id, ownerId, assetIds, oldIds])
      if (oldIds.length > 0) await q.query('DELETE FROM stacks WHERE id = ANY($1::uuid[])', [oldIds])
      return id
    },
    async get (ownerId: string, id: string): Promise<StackRow | undefined> {
      const [row] = await db.query<StackRow>('SELECT * FROM stacks WHERE id = $1 AND owner_id = $2', [id, ownerId])
      return row
    },
    /** The owner's stacks, newest first; `primaryAssetId` narrows to the stack with that cover. */
    async list (ownerId: string, primaryAssetId?: string): Promise<StackRow[]> {
      return primaryAssetId === undefined
        ? db.query<StackRow>('SELECT * FROM stacks WHERE owner_id = $1 ORDER BY created_at DESC, id', [ownerId])
        : db.query<StackRow>('SELECT * FROM stacks WHERE owner_id = $1 AND primary_asset_id = $2', [ownerId, primaryAssetId])
    },
    /** The ids of a stack's photos not in the trash: the cover first, then newest first. */
    async memberIds (stackId: string): Promise<string[]> {
      const rows = await db.query<{ id: string }>(
        `SELECT m.id FROM assets m JOIN stacks s ON s.id = m.stack_id
         WHERE m.stack_id = $1 AND m.deleted_at IS NULL ORDER BY (m.id = s.primary_asset_id) DESC, m.local_date_time DESC, m.id`, [stackId])
      return rows.map((r) => r.id)
    },
    /** Which stack each of `assetIds` is in, with its cover and how many of its photos are not trashed. */
    async summaries (assetIds: string[]): Promise<Map<string, StackSummary>> {
      if (assetIds.length === 0) return new Map()
      const rows = await db.query<{ asset_id: string, id: string, primary_asset_id: string, n: number }>(
        `SELECT a.id AS asset_id, s.id, s.primary_asset_id, (SELECT count(*) FROM assets m WHERE m.stack_id = s.id AND m.deleted_at IS NULL)::int AS n
         FROM assets a JOIN stacks s ON s.id = a.stack_id WHERE a.id = ANY($1::uuid[])`, [assetIds])
      return new Map(rows.map((r) => [r.asset_id, { id: r.id, primaryAssetId: r.primary_asset_id, assetCount: r.n }]))
    },
    async setPrimary (stackId: string, assetId: string, q: Queryable = db): Promise<void> {
      await q.query('UPDATE stacks SET primary_asset_id = $2, updated_at = now() WHERE id = $1', [stackId, assetId])
    },
    /** Ends the owner's stacks `ids` (their photos stay, each on its own); how many ended. */
    async delete (ownerId: string, ids: string[], q: Queryable = db): Promise<number> {
      const rows = await q.query('DELETE FROM stacks WHERE owner_id = $1 AND id = ANY($2::uuid[]) RETURNING id', [ownerId, ids])
      return rows.length
    },
    /**
     * Takes `assetIds` out of whatever stacks they are in (into the locked folder, or at the owner's
     * request). A cover taken out hands over to the newest photo left; a stack left with one photo ends.
     */
    async takeOut (assetIds: string[], q: Queryable = db): Promise<void> {
      if (assetIds.length === 0) return
      const touched = (await q.query<{ stack_id: string }>('SELECT DISTINCT stack_id FROM assets WHERE id = ANY($1::uuid[]) AND stack_id IS NOT NULL', [assetIds])).map((r) => r.stack_id)
      if (touched.length === 0) return
      await q.query('UPDATE assets SET stack_id = NULL, updated_at = now() WHERE id = ANY($1::uuid[])', [assetIds])
      await q.query(
        `UPDATE stacks s SET updated_at = now(), primary_asset_id = coalesce((
           SELECT m.id FROM assets m WHERE m.stack_id = s.id ORDER BY m.deleted_at IS NULL DESC, m.local_date_time DESC, m.id LIMIT 1), s.primary_asset_id)
         WHERE s.id = ANY($1::uuid[]) AND s.primary_asset_id = ANY($2::uuid[])`, [touched, assetIds])
      await dissolveSmall(touched, q)
    },
    dissolveSmall,
    /**
     * Stacks each of `assetIds` that is half of a RAW + JPEG pair (IMG_0001.CR2 beside
     * IMG_0001.JPG, any case, the same folder, the same owner) with its other half, the JPEG (or
     * HEIC) as the cover, as PhotoPrism does. Run when an asset arrives (an upload, a share's
     * scan), so a pair the owner unstacked stays apart. Photos already stacked are left as they are.
     * Returns the stacks made.
     */
    async autoStackPairs (assetIds: string[], q: Queryable = db): Promise<string[]> {
      if (assetIds.length === 0) return []
      const rows = await q.query<{ id: string, owner_id: string, key: string, mime_type: string, stack_id: string | null, original_path: string }>(
        `SELECT s.id, s.owner_id, k.key, s.mime_type, s.stack_id, s.original_path
         FROM (SELECT DISTINCT a.owner_id, ${stemSql('a')} AS key FROM assets a WHERE a.id = ANY($1::uuid[]) AND a.type = 'IMAGE') k
         JOIN assets s ON s.owner_id = k.owner_id AND ${stemSql('s')} = k.key
         WHERE s.type = 'IMAGE' AND s.deleted_at IS NULL AND s.visibility IN ('timeline', 'archive')
         ORDER BY s.original_path`, [assetIds])
      const made: string[] = []
      for (const group of Map.groupBy(rows, (r) => `${r.owner_id}\u0000${r.key}`).values()) {
        const raws = group.filter((r) => rawMimeTypes.test(r.mime_type))
        const others = group.filter((r) => !rawMimeTypes.test(r.mime_type))
        if (raws.length === 0 || others.length === 0 || group.some((r) => r.stack_id !== null)) continue
        const cover = others.find((r) => r.mime_type === 'image/jpeg') ?? others[0]!
        made.push(await repo.create(cover.owner_id, [cover.id, ...group.filter((r) => r !== cover).map((r) => r.id)], q))
      }
      return made
    },
  }
  return repo
}

export type StackRepo = ReturnType<typeof createStackRepo>

/**
 * Tags in SQL: a user's tag tree (value = the whole "/" path, unique per user) and which of their
 * assets carry which tag. Every read and write is scoped to the owner.
 */
import type { Database, Queryable } from '../db/index.ts'
import { uuidv7 } from '../db/ids.ts'

export interface TagRow { id: string, owner_id: string, value: string, parent_id: string | null, color: string | null, created_at: Date, updated_at: Date }

/** "Family / Grandma/" as its parts, trimmed ("Family", "Grandma"); undefined when a part is empty. */
export function tagPath (value: string): string[] | undefined {
  const parts = value.split('/').map((p) => p.trim())
  if (parts.at(-1) === '') parts.pop() // a trailing slash
  return parts.length === 0 || parts.some((p) => p === '') ? undefined : parts
}

export function createTagRepo (db: Database) {
  const repo = {
    async list (ownerId: string): Promise<TagRow[]> {
      return db.query<TagRow>('SELECT * FROM tags WHERE owner_id = $1 ORDER BY value', [ownerId])
    },
    async get (ownerId: string, id: string): Promise<TagRow | undefined> {
      const [row] = await db.query<TagRow>('SELECT * FROM tags WHERE owner_id = $1 AND id = $2', [ownerId, id])
      return row
    },
    /** The tag at `parts` (made with any parent it lacks); `created` when the last part is new. */
    async upsert (ownerId: string, parts: string[], color: string | null = null, q: Queryable = db): Promise<{ tag: TagRow, created: boolean }> {
      let parent: string | null = null
      let out: { tag: TagRow, created: boolean } | undefined
      for (let i = 1; i <= parts.length; i++) {
        const rows: Array<TagRow & { created: boolean }> = await q.query<TagRow & { created: boolean }>(
          `INSERT INTO tags (id, owner_id, value, parent_id, color) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (owner_id, value) DO UPDATE SET updated_at = tags.updated_at
           RETURNING *, (xmax = 0) AS created`,
          [uuidv7(), ownerId, parts.slice(0, i).join('/'), parent, i === parts.length ? color : null])
        const row = rows[0]!
        parent = row.id
        out = { tag: row, created: row.created }
      }
      return out!
    },
    async setColor (ownerId: string, id: string, color: string | null): Promise<TagRow | undefined> {
      const [row] = await db.query<TagRow>('UPDATE tags SET color = $3, updated_at = now() WHERE owner_id = $1 AND id = $2 RETURNING *', [ownerId, id, color])
      return row
    },
    /**
     * Gives the tag a new last part (`name`), and the tags below it their new paths, in one
     * transaction; undefined when `value` is taken already (the caller says so).
     */
    async rename (ownerId: string, tag: TagRow, name: string): Promise<TagRow | undefined> {
      const value = [...tag.value.split('/').slice(0, -1), name].join('/')
      if (value === tag.value) return tag
      return db.transaction(async (tx: Queryable) => {
        const [taken] = await tx.query('SELECT 1 FROM tags WHERE owner_id = $1 AND value = $2', [ownerId, value])
        if (taken !== undefined) return undefined
        await tx.query(
          `UPDATE tags SET value = $3 || substr(value, length($4) + 1), updated_at = now()
           WHERE owner_id = $1 AND (id = $2 OR left(value, length($4) + 1) = $4 || '/')`, [ownerId, tag.id, value, tag.value])
        const [row] = await tx.query<TagRow>('SELECT * FROM tags WHERE id = $1', [tag.id])
        return row
      })
    },
    /** The longest path among the tag and those below it. */
    async longestBelow (ownerId: string, tag: TagRow): Promise<number> {
      const [row] = await db.query<{ n: number }>(
        "SELECT max(length(value))::int AS n FROM tags WHERE owner_id = $1 AND (id = $2 OR left(value, length($3) + 1) = $3 || '/')", [ownerId, tag.id, tag.value])
      return row?.n ?? tag.value.length
    },
    /** Deletes the tag and every tag below it (their assets keep everything else). */
    async delete (ownerId: string, id: string): Promise<boolean> {
      return (await db.query('DELETE FROM tags WHERE owner_id = $1 AND id = $2 RETURNING id', [ownerId, id])).length > 0
    },
    /** Gives the tags to the assets (both the owner's, checked by the caller); how many pairs were new. */
    async tag (tagIds: string[], assetIds: string[], q: Queryable = db): Promise<Set<string>> {
      const rows = await q.query<{ tag_id: string, asset_id: string }>(
        `INSERT INTO tag_assets (tag_id, asset_id) SELECT t, a FROM unnest($1::uuid[]) t CROSS JOIN unnest($2::uuid[]) a
         ON CONFLICT DO NOTHING RETURNING tag_id, asset_id`, [tagIds, assetIds])
      return new Set(rows.map((r) => `${r.tag_id}:${r.asset_id}`))
    },
    async untag (tagId: string, assetIds: string[]): Promise<Set<string>> {
      const rows = await db.query<{ asset_id: string }>('DELETE FROM tag_assets WHERE tag_id = $1 AND asset_id = ANY($2::uuid[]) RETURNING asset_id', [tagId, assetIds])
      return new Set(rows.map((r) => r.asset_id))
    },
    /** An asset's tags, by path. */
    async ofAsset (assetId: string): Promise<TagRow[]> {
      return db.query<TagRow>('SELECT t.* FROM tag_assets ta JOIN tags t ON t.id = ta.tag_id WHERE ta.asset_id = $1 ORDER BY t.value', [assetId])
    },
  }
  return repo
}

export type TagRepo = ReturnType<typeof createTagRepo>

/** Immich's TagResponseDto. */
export function toTagDto (t: TagRow) {
  return {
    id: t.id, parentId: t.parent_id ?? undefined, name: t.value.slice(t.value.lastIndexOf('/') + 1), value: t.value,
    color: t.color ?? undefined, createdAt: new Date(t.created_at).toISOString(), updatedAt: new Date(t.updated_at).toISOString(),
  }
}

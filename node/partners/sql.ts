/** Partner sharing in SQL, for the queries that decide what a user may see (assets, timeline, map). */
import type { Queryable } from '../db/index.ts'

/** SQL true when the user (`user`, a parameter) may see asset `a` through partner sharing (its owner shares with them; not locked, not trashed). */
export const partnerReadSql = (a: string, user: string) =>
  `(${a}.deleted_at IS NULL AND ${a}.visibility <> 'locked' AND EXISTS (SELECT 1 FROM partners pt WHERE pt.shared_by_id = ${a}.owner_id AND pt.shared_with_id = ${user}))`

/** The partners whose photos the user shows in their own timeline (and map, and grid rotations). */
export async function partnersShownBy (db: Queryable, userId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>('SELECT shared_by_id AS id FROM partners WHERE shared_with_id = $1 AND in_timeline ORDER BY 1', [userId])
  return rows.map((r) => r.id)
}

/** Whose photos a search looks through: the user's own, and those of the partners they show. */
export interface Owners { user: string, partners: string[] }

/**
 * SQL true when asset `a` is the user's, or in the timeline of a partner they show (not archived,
 * locked or trashed: what that partner's timeline shows them). `param` adds a parameter and gives
 * its placeholder. With no partners it is the plain owner test, so the owner's indexes serve.
 */
export function ownersSql (a: string, owners: Owners, param: (value: unknown) => string): string {
  const own = `${a}.owner_id = ${param(owners.user)}`
  if (owners.partners.length === 0) return own
  return `(${own} OR (${a}.owner_id = ANY(${param(owners.partners)}::uuid[]) AND ${a}.visibility = 'timeline' AND ${a}.deleted_at IS NULL))`
}

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

/** Partner sharing in SQL, for the queries that decide what a user may see (assets, timeline, map). */

/** SQL true when the user (`user`, a parameter) may see asset `a` through partner sharing (its owner shares with them; not locked, not trashed). */
export const partnerReadSql = (a: string, user: string) =>
  `(${a}.deleted_at IS NULL AND ${a}.visibility <> 'locked' AND EXISTS (SELECT 1 FROM partners pt WHERE pt.shared_by_id = ${a}.owner_id AND pt.shared_with_id = ${user}))`

/** SQL for the owners whose photos the user (`user`, a parameter) shows beside their own. */
export const partnersInTimelineSql = (user: string) => `(SELECT pt.shared_by_id FROM partners pt WHERE pt.shared_with_id = ${user} AND pt.in_timeline)`

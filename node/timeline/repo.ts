import type { Queryable } from '../db/index.ts'
import { tagFilterSql } from '../search/repo.ts'
import { partnersShownBy } from '../partners/sql.ts'
import { stackCountSql, stackCoverSql } from '../stacks/repo.ts'

export interface TimelineFilters {
  isFavorite?: boolean
  isTrashed?: boolean
  visibility?: string
  albumId?: string
  /** Assets carrying this tag or one below it (Immich's tag page). */
  tagId?: string
  /** Assets showing this person (Immich's person page). */
  personId?: string
  /** The photos of partners who share with the user and whom they show in their timeline, too. */
  withPartners?: boolean
  /** A stack as one photo, its cover (Immich's withStacked): the plain timeline and the archive only. */
  withStacked?: boolean
  order?: 'asc' | 'desc'
}

/**
 * The timeline by month of local capture time (as the photo's own clock showed it). Both queries
 * are range scans of assets_owner_local_time, so a month stays fast however large the library.
 */
export function createTimelineRepo (db: Queryable) {
  const where = (owners: string[], f: TimelineFilters, params: unknown[]) => {
    // The owners (the user, and the partners they show): a list keeps the (owner, time) index usable.
    params.push(owners.length === 1 ? owners[0] : owners)
    const clauses = [owners.length === 1 ? `a.owner_id = $${params.length}` : `a.owner_id = ANY($${params.length}::uuid[])`]
    clauses.push(f.isTrashed === true ? 'a.deleted_at IS NOT NULL' : 'a.deleted_at IS NULL')
    if (f.isFavorite !== undefined) { params.push(f.isFavorite); clauses.push(`a.is_favorite = $${params.length}`) }
    params.push(f.visibility ?? 'timeline')
    clauses.push(`a.visibility = $${params.length}`)
    if (f.albumId !== undefined) {
      params.push(f.albumId)
      clauses.push(`EXISTS (SELECT 1 FROM album_assets aa WHERE aa.album_id = $${params.length} AND aa.asset_id = a.id)`)
    }
    if (f.tagId !== undefined) { params.push(f.tagId); clauses.push(tagFilterSql.replaceAll('?', `$${params.length}`)) }
    if (f.personId !== undefined) {
      params.push(f.personId)
      clauses.push(`EXISTS (SELECT 1 FROM asset_faces fx WHERE fx.asset_id = a.id AND fx.person_id = $${params.length} AND fx.deleted_at IS NULL)`)
    }
    if (f.withStacked === true) clauses.push(stackCoverSql('a'))
    return clauses.join(' AND ')
  }
  /** The user, and with `withPartners` the partners whose photos they show in their timeline. */
  const ownersOf = async (userId: string, f: TimelineFilters): Promise<string[]> => f.withPartners !== true ? [userId]
    : [userId, ...await partnersShownBy(db, userId)]
  return {
    async buckets (ownerId: string, f: TimelineFilters): Promise<Array<{ timeBucket: string, count: number }>> {
      const owners = await ownersOf(ownerId, f)
      const params: unknown[] = []
      const rows = await db.query<{ bucket: string, count: number }>(
        `SELECT to_char(date_trunc('month', a.local_date_time AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS bucket, count(*)::int AS count
         FROM assets a WHERE ${where(owners, f, params)}
         GROUP BY 1 ORDER BY 1 ${f.order === 'asc' ? 'ASC' : 'DESC'}`, params)
      return rows.map((r) => ({ timeBucket: r.bucket, count: r.count }))
    },
    async bucket (ownerId: string, month: Date, f: TimelineFilters) {
      const owners = await ownersOf(ownerId, f)
      const params: unknown[] = []
      const clause = where(owners, f, params)
      params.push(month)
      const from = params.length
      return db.query<{
        id: string, owner_id: string, type: string, is_favorite: boolean, visibility: string, deleted_at: Date | null,
        thumbhash: Buffer | null, file_created_at: Date, local_date_time: Date, duration_seconds: number | null,
        width: number | null, height: number | null, live_photo_video_id: string | null, city: string | null, country: string | null,
        projection_type: string | null, orientation: number | null, stack_id: string | null, stack_count: number | null
      }>(
        `SELECT a.id, a.owner_id, a.type, a.is_favorite, a.visibility, a.deleted_at, a.thumbhash, a.file_created_at,
                a.local_date_time, a.duration_seconds, a.width, a.height, a.live_photo_video_id,
                e.city, e.country, e.projection_type, e.orientation, a.stack_id, ${f.withStacked === true ? stackCountSql('a') : 'NULL::int'} AS stack_count
         FROM assets a LEFT JOIN asset_exif e ON e.asset_id = a.id
         WHERE ${clause} AND a.local_date_time >= $${from} AND a.local_date_time < $${from}::timestamptz + interval '1 month'
         ORDER BY a.local_date_time ${f.order === 'asc' ? 'ASC' : 'DESC'}, a.id`, params)
    },
  }
}

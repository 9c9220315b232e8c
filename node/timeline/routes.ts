import { requireUnlocked, type AuthContext } from '../auth/service.ts'
import { z } from 'zod'
import { route } from '../http/route.ts'
import { BadRequestError } from '../http/errors.ts'
import type { Database } from '../db/index.ts'
import { createTimelineRepo } from './repo.ts'

const filters = z.object({
  isFavorite: z.enum(['true', 'false']).optional(),
  isTrashed: z.enum(['true', 'false']).optional(),
  visibility: z.enum(['timeline', 'archive', 'hidden', 'locked']).optional(),
  albumId: z.uuid().optional(),
  tagId: z.uuid({ error: 'tagId: expected a tag id' }).optional(),
  personId: z.uuid({ error: 'personId: expected a person id' }).optional(),
  withPartners: z.enum(['true', 'false']).optional(),
  withStacked: z.enum(['true', 'false']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  timeBucket: z.string().optional(),
})

const toFilters = async (q: z.infer<typeof filters>, auth: AuthContext) => {
  if (q.visibility === 'locked') await requireUnlocked(auth)
  // Immich's rule: partners' photos join the plain timeline only (their archive and favourites are theirs).
  if (q.withPartners === 'true' && (q.isTrashed === 'true' || q.isFavorite !== undefined || (q.visibility ?? 'timeline') !== 'timeline' || q.albumId !== undefined || q.tagId !== undefined || q.personId !== undefined)) {
    throw new BadRequestError('withPartners: only for the timeline itself, not with isTrashed, isFavorite, visibility, albumId, tagId or personId')
  }
  // A stack's cover stands for photos that another filter might not all pass: only where it shows them all.
  if (q.withStacked === 'true' && (q.isTrashed === 'true' || q.isFavorite !== undefined || !['timeline', 'archive'].includes(q.visibility ?? 'timeline') || q.albumId !== undefined || q.tagId !== undefined || q.personId !== undefined)) {
    throw new BadRequestError('withStacked: only for the timeline and the archive, not with isTrashed, isFavorite, albumId, tagId or personId')
  }
  return {
    isFavorite: q.isFavorite === undefined ? undefined : q.isFavorite === 'true',
    isTrashed: q.isTrashed === 'true',
    visibility: q.visibility,
    albumId: q.albumId,
    tagId: q.tagId,
    personId: q.personId,
    withPartners: q.withPartners === 'true',
    withStacked: q.withStacked === 'true',
    order: q.order,
  }
}

/** Immich's timeline: month buckets with counts, and one month's assets in columns (compact for 100k+ libraries). */
export function timelineRoutes ({ db }: { db: Database }) {
  const repo = createTimelineRepo(db)
  return [
    route({
      method: 'GET', path: '/api/timeline/buckets', tag: 'Timeline', access: 'user', permission: 'timeline.read',
      summary: 'Months that have photos, newest first, with how many',
      query: filters,
      handler: async ({ auth, query }) => repo.buckets(auth.user.id, await toFilters(query, auth)),
    }),
    route({
      method: 'GET', path: '/api/timeline/bucket', tag: 'Timeline', access: 'user', permission: 'timeline.read',
      summary: 'One month of the timeline (timeBucket=YYYY-MM-01), as parallel arrays',
      query: filters,
      handler: async ({ auth, query }) => {
        const m = /^(\d{4})-(\d{2})(-\d{2})?/.exec(query.timeBucket ?? '')
        if (m === null) throw new BadRequestError('timeBucket: expected a month such as 2024-07-01')
        const rows = await repo.bucket(auth.user.id, new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)), await toFilters(query, auth))
        const ratio = (r: typeof rows[number]) => {
          if (r.width === null || r.height === null || r.height === 0) return 1
          return Math.round((r.width / r.height) * 1000) / 1000
        }
        return {
          id: rows.map((r) => r.id),
          ownerId: rows.map((r) => r.owner_id),
          ratio: rows.map(ratio),
          isFavorite: rows.map((r) => r.is_favorite),
          visibility: rows.map((r) => r.visibility),
          isTrashed: rows.map((r) => r.deleted_at !== null),
          isImage: rows.map((r) => r.type === 'IMAGE'),
          thumbhash: rows.map((r) => r.thumbhash === null ? null : r.thumbhash.toString('base64')),
          fileCreatedAt: rows.map((r) => r.file_created_at.toISOString()),
          localOffsetHours: rows.map((r) => Math.round((r.local_date_time.getTime() - r.file_created_at.getTime()) / 360_000) / 10),
          duration: rows.map((r) => r.duration_seconds === null ? null : String(r.duration_seconds)),
          projectionType: rows.map((r) => r.projection_type),
          livePhotoVideoId: rows.map((r) => r.live_photo_video_id),
          city: rows.map((r) => r.city),
          country: rows.map((r) => r.country),
          // Immich's [stackId, how many], for a stack's cover with others beside it (withStacked only).
          ...(query.withStacked === 'true' ? { stack: rows.map((r) => r.stack_id !== null && (r.stack_count ?? 0) > 1 ? [r.stack_id, String(r.stack_count)] : null) } : {}),
        }
      },
    }),
  ]
}

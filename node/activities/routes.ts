/**
 * Album activity, in Immich's shapes (`/api/activities`): the people an album is shared with (its
 * owner, editors and viewers alike) like it or one of its photos, and comment. Each sees the
 * album's activity; a comment or like is removed by its author or by the album's owner. An album
 * whose owner turned activity off (isActivityEnabled) takes no new ones.
 */
import { z } from 'zod'
import type { Database } from '../db/index.ts'
import { isUuid, uuidv7 } from '../db/ids.ts'
import { BadRequestError, ForbiddenError, NotFoundError } from '../http/errors.ts'
import { route } from '../http/route.ts'
import type { AlbumService } from '../albums/service.ts'
import type { NotificationService } from '../notifications/service.ts'
import { toUserDto } from '../users/dto.ts'
import { createUserRepo, type UserRow } from '../users/repo.ts'

interface ActivityRow {
  id: string, album_id: string, asset_id: string | null, user_id: string, is_liked: boolean, comment: string | null, created_at: Date
}

const type = z.enum(['comment', 'like'])

export function activityRoutes ({ db, albums, notifications }: { db: Database, albums: AlbumService, notifications?: NotificationService }) {
  const userRepo = createUserRepo(db)
  const dto = (a: ActivityRow, user: UserRow) => ({
    id: a.id, createdAt: a.created_at.toISOString(), type: a.is_liked ? 'like' as const : 'comment' as const,
    user: toUserDto(user), assetId: a.asset_id, ...(a.is_liked ? {} : { comment: a.comment }),
  })
  /** The activities' authors, in one query. */
  const withUsers = async (rows: ActivityRow[]) => {
    const ids = [...new Set(rows.map((r) => r.user_id))]
    const users = new Map((await userRepo.byIds(ids)).map((u) => [u.id, u]))
    return rows.map((r) => dto(r, users.get(r.user_id)!))
  }
  const albumOf = async (userId: string, id: string) => {
    if (!isUuid(id)) throw new NotFoundError('Album')
    return albums.access(userId, id)
  }
  const filters = z.object({
    albumId: z.uuid({ error: 'albumId: expected an album id' }), assetId: z.uuid().optional(),
    type: type.optional(), level: z.enum(['album', 'asset']).optional(), userId: z.uuid().optional(),
  })

  return [
    route({
      method: 'GET', path: '/api/activities', tag: 'Activities', access: 'user', permission: 'activity.read',
      summary: 'The likes and comments of an album you can see (assetId: of one of its photos; level album: on the album itself), oldest first',
      query: filters,
      handler: async ({ auth, query }) => {
        await albumOf(auth.user.id, query.albumId)
        const params: unknown[] = [query.albumId]
        const where = ['album_id = $1']
        if (query.assetId !== undefined) { params.push(query.assetId); where.push(`asset_id = $${params.length}`) }
        if (query.level === 'album') where.push('asset_id IS NULL')
        if (query.level === 'asset') where.push('asset_id IS NOT NULL')
        if (query.type !== undefined) where.push(query.type === 'like' ? 'is_liked' : 'NOT is_liked')
        if (query.userId !== undefined) { params.push(query.userId); where.push(`user_id = $${params.length}`) }
        return withUsers(await db.query<ActivityRow>(`SELECT * FROM activities WHERE ${where.join(' AND ')} ORDER BY created_at, id`, params))
      },
    }),
    route({
      method: 'GET', path: '/api/activities/statistics', tag: 'Activities', access: 'user', permission: 'activity.statistics',
      summary: 'How many comments and likes an album (or one of its photos, assetId) has',
      query: z.object({ albumId: z.uuid({ error: 'albumId: expected an album id' }), assetId: z.uuid().optional() }),
      handler: async ({ auth, query }) => {
        await albumOf(auth.user.id, query.albumId)
        const [row] = await db.query<{ comments: number, likes: number }>(
          `SELECT count(*) FILTER (WHERE NOT is_liked)::int AS comments, count(*) FILTER (WHERE is_liked)::int AS likes
           FROM activities WHERE album_id = $1 AND ($2::uuid IS NULL OR asset_id = $2)`, [query.albumId, query.assetId ?? null])
        return row
      },
    }),
    route({
      method: 'POST', path: '/api/activities', tag: 'Activities', access: 'user', permission: 'activity.create', status: 201,
      summary: 'Like an album you can see, or one of its photos (assetId), or comment on it; a second like is the first (200)',
      body: z.object({
        albumId: z.uuid({ error: 'albumId: expected an album id' }), assetId: z.uuid({ error: 'assetId: expected an asset id' }).optional(),
        type, comment: z.string().trim().max(5000, 'comment: at most 5,000 characters').optional(),
      }).refine((b) => b.type === 'like' || (b.comment !== undefined && b.comment !== ''), { message: 'comment: write something', path: ['comment'] }),
      handler: async ({ ctx, auth, body }) => {
        const { album } = await albumOf(auth.user.id, body.albumId)
        if (!album.is_activity_enabled) throw new ForbiddenError('Comments and likes are turned off for this album')
        if (body.assetId !== undefined && !await albums.repo.hasAsset(album.id, body.assetId)) throw new BadRequestError('assetId: that photo is not in this album')
        const liked = body.type === 'like'
        const [made] = await db.query<ActivityRow>(
          `INSERT INTO activities (id, album_id, asset_id, user_id, is_liked, comment) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT DO NOTHING RETURNING *`,
          [uuidv7(), album.id, body.assetId ?? null, auth.user.id, liked, liked ? null : body.comment])
        let row = made
        if (row === undefined) {
          // Liked already: that like is the answer.
          ;[row] = await db.query<ActivityRow>('SELECT * FROM activities WHERE album_id = $1 AND user_id = $2 AND is_liked AND asset_id IS NOT DISTINCT FROM $3', [album.id, auth.user.id, body.assetId ?? null])
          ctx.status = 200
        } else if (!liked && notifications !== undefined) {
          // A comment: the album's other members hear of it.
          const members = await albums.membersBut(album, auth.user.id)
          const text = body.comment!.length > 200 ? `${body.comment!.slice(0, 199)}…` : body.comment!
          await notifications.send(members, { type: 'AlbumUpdate', title: `${auth.user.name || 'Someone'} commented on “${album.album_name}”`, description: text, data: { albumId: album.id, assetId: body.assetId ?? null } }).catch(() => {})
        }
        return dto(row!, auth.user)
      },
    }),
    route({
      method: 'DELETE', path: '/api/activities/{id}', tag: 'Activities', access: 'user', permission: 'activity.delete', status: 204,
      summary: 'Remove a like or comment: your own, or any on an album you own',
      handler: async ({ auth, params }) => {
        const [row] = isUuid(params.id) ? await db.query<ActivityRow>('SELECT * FROM activities WHERE id = $1', [params.id]) : []
        if (row === undefined) throw new NotFoundError('Activity')
        const { role } = await albumOf(auth.user.id, row.album_id).catch(() => { throw new NotFoundError('Activity') })
        if (row.user_id !== auth.user.id && role !== 'owner') throw new ForbiddenError('Only its author or the album\'s owner may remove this')
        await db.query('DELETE FROM activities WHERE id = $1', [row.id])
      },
    }),
  ]
}

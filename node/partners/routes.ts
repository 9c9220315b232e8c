/**
 * Partner sharing in Immich's shapes: a user shares their whole library (not the archive's locked
 * folder, not the trash) with another user of this node, who may then open those photos and choose
 * to show them in their own timeline (`withPartners=true` on the timeline and the map). Sharing is
 * one way; either side ends it by deleting it.
 *
 * GET /api/partners?direction=shared-by|shared-with, POST /api/partners {sharedWithId} (or
 * POST /api/partners/{id}, Immich's older form), PUT /api/partners/{id} {inTimeline} (the one shared
 * with, about the one sharing), DELETE /api/partners/{id} (either side).
 */
import type { NotificationService } from '../notifications/service.ts'
import { z } from 'zod'
import type { Database } from '../db/index.ts'
import { isUuid } from '../db/ids.ts'
import { BadRequestError, ConflictError, NotFoundError } from '../http/errors.ts'
import { route } from '../http/route.ts'
import { toUserDto } from '../users/dto.ts'
import type { UserRow } from '../users/repo.ts'

type PartnerRow = UserRow & { in_timeline: boolean }

export function partnerRoutes ({ db, notifications }: { db: Database, notifications?: Pick<NotificationService, 'send'> }) {
  const toDto = (r: PartnerRow) => ({ ...toUserDto(r), inTimeline: r.in_timeline })
  const partner = async (sharedBy: string, sharedWith: string, other: 'by' | 'with'): Promise<PartnerRow | undefined> => {
    const [row] = await db.query<PartnerRow>(
      `SELECT u.*, p.in_timeline FROM partners p JOIN users u ON u.id = p.shared_${other}_id
       WHERE p.shared_by_id = $1 AND p.shared_with_id = $2`, [sharedBy, sharedWith])
    return row
  }
  const share = async (me: string, withId: string, myName: string) => {
    if (withId === me) throw new BadRequestError('you cannot share your photos with yourself: choose another user of this server')
    const [user] = isUuid(withId) ? await db.query<{ id: string }>('SELECT id FROM users WHERE id = $1', [withId]) : []
    if (user === undefined) throw new NotFoundError('User')
    const inserted = await db.query('INSERT INTO partners (shared_by_id, shared_with_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1', [me, withId])
    if (inserted.length === 0) throw new ConflictError('you already share your photos with this user')
    await notifications?.send([withId], {
      type: 'Custom', title: `${myName || 'Someone'} shares their photos with you`,
      description: 'Account › Partner sharing: show them in your timeline.', data: { partnerId: me },
    }).catch(() => {})
    return toDto((await partner(me, withId, 'with'))!)
  }
  return [
    route({
      method: 'GET', path: '/api/partners', tag: 'Partners', access: 'user', permission: 'partner.read',
      summary: 'The users you share your photos with (direction=shared-by), or who share theirs with you (shared-with), with whether their photos show in your timeline',
      query: z.object({ direction: z.enum(['shared-by', 'shared-with'], { error: 'direction: shared-by (whom you share with) or shared-with (who shares with you)' }) }),
      handler: async ({ auth, query }) => {
        const mine = query.direction === 'shared-by'
        const rows = await db.query<PartnerRow>(
          `SELECT u.*, p.in_timeline FROM partners p JOIN users u ON u.id = p.${mine ? 'shared_with_id' : 'shared_by_id'}
           WHERE p.${mine ? 'shared_by_id' : 'shared_with_id'} = $1 ORDER BY u.name, u.email`, [auth.user.id])
        return rows.map(toDto)
      },
    }),
    route({
      method: 'POST', path: '/api/partners', tag: 'Partners', access: 'user', permission: 'partner.create', status: 201,
      summary: 'Share all your photos with another user of this server (they choose whether to show them in their timeline)',
      body: z.object({ sharedWithId: z.uuid({ error: 'sharedWithId: expected a user id' }) }),
      handler: async ({ auth, body }) => share(auth.user.id, body.sharedWithId, auth.user.name),
    }),
    route({
      method: 'POST', path: '/api/partners/{id}', tag: 'Partners', access: 'user', permission: 'partner.create', status: 201,
      summary: 'Share all your photos with this user (Immich\'s older form of POST /api/partners)',
      handler: async ({ auth, params }) => share(auth.user.id, params.id!, auth.user.name),
    }),
    route({
      method: 'PUT', path: '/api/partners/{id}', tag: 'Partners', access: 'user', permission: 'partner.update',
      summary: 'Show (or stop showing) the photos of this user, who shares with you, in your timeline',
      body: z.object({ inTimeline: z.boolean({ error: 'inTimeline: true or false' }) }),
      handler: async ({ auth, params, body }) => {
        const rows = isUuid(params.id!) ? await db.query('UPDATE partners SET in_timeline = $3 WHERE shared_by_id = $1 AND shared_with_id = $2 RETURNING 1', [params.id, auth.user.id, body.inTimeline]) : []
        if (rows.length === 0) throw new NotFoundError('Partner')
        return toDto((await partner(params.id!, auth.user.id, 'by'))!)
      },
    }),
    route({
      method: 'DELETE', path: '/api/partners/{id}', tag: 'Partners', access: 'user', permission: 'partner.delete', status: 204,
      summary: 'Stop sharing your photos with this user, or stop seeing theirs',
      handler: async ({ auth, params }) => {
        const rows = isUuid(params.id!)
          ? await db.query('DELETE FROM partners WHERE (shared_by_id = $1 AND shared_with_id = $2) OR (shared_by_id = $2 AND shared_with_id = $1) RETURNING 1', [auth.user.id, params.id])
          : []
        if (rows.length === 0) throw new NotFoundError('Partner')
      },
    }),
  ]
}
